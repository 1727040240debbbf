import { date, isSiteTotal, pageArgument, text, whole } from '../arguments.js';
import { readCounts, readDayCounts, setCounts } from '../counts.js';
import { UsageError } from '../errors.js';
import { change } from '../render.js';
import { type Command, confirm, writeHelp } from './command.js';

/** `npm run admin -- set PAGE`: a page's (or a day's) counts set exactly, and recorded. */
export const setCommand: Command = {
  usage: 'set PAGE --views N [--visitors M] [--date YYYY-MM-DD] --note TEXT [--yes]',
  summary: "sets a page's totals (or one day's counts) exactly, recorded with who, when and why",
  details: `  --views N          the page's views from now on (with --date, that day's)
  --visitors M       its visitors (default: unchanged); at most N
  --date YYYY-MM-DD  sets that UTC day's counts instead: the page's all-time counter is not
                     changed. PAGE may then be a site's totals key, for the whole site's day
                     (what /stats/ shows by default): '*' for the resume's site (quoted, so the
                     shell leaves it alone), 'https://blog.example*' for an allowed site's
  --note TEXT        why, for the page's history (required)
${writeHelp}

Visits that land while it runs are never lost: the write applies only if the counts are still
the ones just read, and is retried otherwise. Bots are left as they are. Without --date the
days are not changed; with it, neither the all-time counter nor (for a page) the site's day is.`,
  options: {
    views: { type: 'string' },
    visitors: { type: 'string' },
    date: { type: 'string' },
    note: { type: 'string' },
    yes: { type: 'boolean' },
  },
  positionals: 1,
  run: async (context) => {
    const page = pageArgument(context.positionals[0], 'PAGE', { siteTotals: true });
    const views = whole(context.values, 'views');
    if (views === undefined) throw new UsageError('--views is required');
    const visitors = whole(context.values, 'visitors', { max: views });
    const day = date(context.values, 'date', context.io.now());
    if (day === undefined && isSiteTotal(page)) {
      throw new UsageError(
        `${page} is a site's totals key: a site keeps days, not an all-time counter; add --date YYYY-MM-DD to set one of its days`,
      );
    }
    const note = text(context.values, 'note', { required: true }) as string;
    const target = await context.target();
    const now =
      day === undefined
        ? await readCounts(target.database, page)
        : await readDayCounts(target.database, page, day);
    const what =
      day === undefined
        ? page
        : `${page}${isSiteTotal(page) ? ' (the whole site)' : ''} for ${day}`;
    const kept =
      day === undefined
        ? ''
        : isSiteTotal(page)
          ? " Its pages' counts are not changed."
          : ' Its all-time counter is not changed.';
    confirm(
      context,
      target,
      `Would set ${what} on ${target.label}: views ${change(now.views, views)}, visitors ${change(now.visitors, visitors ?? now.visitors)}.${kept}`,
    );
    const { from, to, attempts } = await setCounts(target.database, {
      page,
      day,
      views,
      visitors,
      note,
      who: target.who,
      now: context.io.now,
    });
    const retried = attempts > 1 ? ` (visits landed meanwhile: ${attempts} tries, none lost)` : '';
    context.io.stdout(
      `Set ${what} on ${target.label}: views ${change(from.views, to.views)}, visitors ${change(from.visitors, to.visitors)}${retried}.${kept} Recorded for ${target.who}.\n`,
    );
  },
};

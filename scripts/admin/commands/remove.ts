import { siteTotalOfPage } from '../../../service/src/domain/scope.js';
import { isSiteTotal, pageArgument, text } from '../arguments.js';
import { AdminError, describeError, UsageError } from '../errors.js';
import { MAX_PAGES_REMOVED, pagesUnder, readPage, removePage } from '../remove.js';
import { counts, days, n, progress } from '../render.js';
import { type Command, type Context, confirm, writeHelp } from './command.js';

/** `npm run admin -- remove`: a page (or every page under a prefix) taken away with its days. */
export const removeCommand: Command = {
  usage: 'remove (PAGE | --prefix PREFIX) --note TEXT [--yes]',
  summary: "deletes a page's counter and days (junk a bot or a script made); its history stays",
  details: `  PAGE               the page to remove (a site's totals key, '*', cannot be removed)
  --prefix PREFIX    every page of one site whose key starts with PREFIX (/junk/,
                     https://blog.example/tmp/), at most ${n(MAX_PAGES_REMOVED)} a run
  --note TEXT        why, for each page's history (required)
${writeHelp}

Deletes the page's all-time counter and each of its days, and counts one page less against its
site's limit (MAX_PAGES_PER_SITE). Its history stays, with a remove entry holding the counts it
had. The site's own days keep its visits (correct one with set '*' --date YYYY-MM-DD). A visit
to the page afterwards counts it again, as a new page.`,
  options: { prefix: { type: 'string' }, note: { type: 'string' }, yes: { type: 'boolean' } },
  positionals: 1,
  run: async (context) => {
    const rawPrefix = text(context.values, 'prefix');
    if (rawPrefix !== undefined && context.positionals[0] !== undefined) {
      throw new UsageError('give a PAGE or --prefix, not both');
    }
    if (rawPrefix !== undefined) return removeUnder(context, rawPrefix);
    const page = pageArgument(context.positionals[0], 'PAGE (or --prefix PREFIX)', {
      siteTotals: true,
    });
    if (isSiteTotal(page)) {
      throw new UsageError(
        `${page} is a site's totals key, not a page: its days hold the whole site's visits and cannot be removed`,
      );
    }
    const note = text(context.values, 'note', { required: true }) as string;
    const target = await context.target();
    const contents = await readPage(target.database, page);
    if (contents.counter === undefined && contents.days.length === 0) {
      throw new AdminError(
        `${page} has no counter and no days on ${target.label}: nothing to remove`,
      );
    }
    const had = contents.counter ? `its counter (${counts(contents.counter)})` : 'no counter';
    const first = contents.days[0];
    const span =
      first === undefined
        ? ''
        : first === contents.days.at(-1)
          ? ` (${first})`
          : ` (${first} to ${contents.days.at(-1)})`;
    confirm(
      context,
      target,
      `Would remove ${page} from ${target.label}: ${had} and ${days(contents.days.length)}${span}. Its history stays; the site's days keep its visits.`,
    );
    const removed = await removePage(target.database, contents, {
      note,
      who: target.who,
      now: context.io.now,
    });
    context.io.stdout(
      `Removed ${page} from ${target.label}: ${removed.counter ? `its counter (${counts(removed.from)})` : 'no counter'} and ${days(removed.days)}. Recorded for ${target.who}.\n`,
    );
  },
};

/** `remove --prefix`: every page of one site under a prefix, each removed as `remove PAGE`. */
async function removeUnder(context: Context, rawPrefix: string): Promise<void> {
  const prefix = pageArgument(rawPrefix, '--prefix');
  const site = siteTotalOfPage(prefix) as string;
  if (prefix === `${site.slice(0, -1)}/`) {
    throw new UsageError(
      `--prefix ${prefix} names every page of the site: give a narrower prefix (/junk/)`,
    );
  }
  const note = text(context.values, 'note', { required: true }) as string;
  const target = await context.target();
  const { pages, more } = await pagesUnder(target.database, prefix);
  if (pages.length === 0) {
    throw new AdminError(`no page on ${target.label} starts with ${prefix}: nothing to remove`);
  }
  const total = pages.reduce(
    (sum, p) => ({
      views: sum.views + p.views,
      visitors: sum.visitors + p.visitors,
      bots: sum.bots + p.bots,
    }),
    { views: 0, visitors: 0, bots: 0 },
  );
  const some = `${n(pages.length)} ${pages.length === 1 ? 'page' : 'pages'} under ${prefix}`;
  const rest = more ? ` (the first ${n(MAX_PAGES_REMOVED)}: run it again for the rest)` : '';
  const named =
    pages
      .slice(0, 10)
      .map((p) => p.page)
      .join(', ') + (pages.length > 10 ? `, … and ${n(pages.length - 10)} more` : '');
  confirm(
    context,
    target,
    `Would remove ${some}${rest} from ${target.label}, with their days (${counts(total)} in all): ${named}. Their history stays; the site's days keep their visits.`,
  );
  const shown = progress(context.io, 'removed');
  const removed = { views: 0, visitors: 0, bots: 0, days: 0, pages: 0 };
  for (const { page } of pages) {
    try {
      const contents = await readPage(target.database, page);
      // Gone since the index listed it (another run, or the index lagging a remove).
      if (contents.counter === undefined && contents.days.length === 0) continue;
      const result = await removePage(target.database, contents, {
        note,
        who: target.who,
        now: context.io.now,
      });
      removed.views += result.from.views;
      removed.visitors += result.from.visitors;
      removed.bots += result.from.bots;
      removed.days += result.days;
      removed.pages++;
    } catch (error) {
      shown.end();
      throw new AdminError(
        `stopped at ${page}, after removing ${n(removed.pages)} of ${n(pages.length)} pages: ${describeError(error)}`,
      );
    }
    shown.update(removed.pages, pages.length);
  }
  shown.end();
  context.io.stdout(
    `Removed ${n(removed.pages)} ${removed.pages === 1 ? 'page' : 'pages'} under ${prefix} from ${target.label}, with their ${days(removed.days)} (${counts(removed)} in all)${rest}. Recorded for ${target.who}.\n`,
  );
}

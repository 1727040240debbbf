import { pageArgument } from '../arguments.js';
import { history } from '../counts.js';
import { n, table } from '../render.js';
import { type Command, jsonHelp } from './command.js';

/** `npm run admin -- history PAGE`: the changes made to a page's counts by hand. */
export const historyCommand: Command = {
  usage: 'history PAGE [--json]',
  summary: "every change made to a page's counts by hand, oldest first",
  details: `${jsonHelp}

A removed page's history stays. PAGE may be a site's totals key ('*', 'https://blog.example*'):
the corrections of the site's days.`,
  options: { json: { type: 'boolean' } },
  positionals: 1,
  run: async (context) => {
    const page = pageArgument(context.positionals[0], 'PAGE', { siteTotals: true });
    const target = await context.target();
    const entries = await history(target.database, page);
    if (context.values.json) return context.io.stdout(`${JSON.stringify(entries, null, 2)}\n`);
    if (entries.length === 0) return context.io.stdout(`${page} has never been adjusted.\n`);
    context.io.stdout(
      `${table(
        ['WHEN', 'ACTION', 'VIEWS', 'VISITORS', 'WHO', 'NOTE'],
        entries.map((e) => [
          e.at,
          e.day === undefined ? e.action : `${e.action} ${e.day}`,
          `${n(e.fromViews)} → ${n(e.toViews)}`,
          `${n(e.fromVisitors)} → ${n(e.toVisitors)}`,
          e.who,
          e.note,
        ]),
      )}\n`,
    );
  },
};

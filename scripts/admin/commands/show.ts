import { DEFAULT_DAYS, MAX_DAYS, MIN_DAYS } from '../../../service/src/domain/history.js';
import { pageArgument, whole } from '../arguments.js';
import { showPage } from '../counts.js';
import { n, table } from '../render.js';
import { type Command, jsonHelp } from './command.js';

/** `npm run admin -- show PAGE`: a page's totals and its last days. */
export const showCommand: Command = {
  usage: 'show PAGE [--days N] [--json]',
  summary: "a page's totals and its daily series",
  details: `  --days N           days of history, ending today (UTC); ${MIN_DAYS} to ${MAX_DAYS}, default ${DEFAULT_DAYS}\n${jsonHelp}`,
  options: { days: { type: 'string' }, json: { type: 'boolean' } },
  positionals: 1,
  run: async (context) => {
    const page = pageArgument(context.positionals[0]);
    const days = whole(context.values, 'days', { min: MIN_DAYS, max: MAX_DAYS }) ?? DEFAULT_DAYS;
    const target = await context.target();
    const report = await showPage(target.database, page, days, context.io.now());
    if (context.values.json)
      return context.io.stdout(`${JSON.stringify({ page, ...report }, null, 2)}\n`);
    const { totals } = report;
    context.io.stdout(
      `${page}: ${n(totals.views)} views, ${n(totals.visitors)} visitors, ${n(totals.bots)} bots\n\n` +
        `${table(
          ['DAY', 'VIEWS', 'VISITORS', 'BOTS'],
          report.days.map((d) => [d.date, d.views, d.visitors, d.bots]),
        )}\n` +
        (report.adjustments > 0
          ? `\nAdjusted by hand ${report.adjustments === 1 ? 'once' : `${report.adjustments} times`}: npm run admin -- history ${page}\n`
          : ''),
    );
  },
};

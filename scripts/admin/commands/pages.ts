import { listPages } from '../counts.js';
import { table } from '../render.js';
import { type Command, jsonHelp } from './command.js';

/** `npm run admin -- pages`: every counted page, most viewed first. */
export const pagesCommand: Command = {
  usage: 'pages [--json]',
  summary: 'every counted page with its views, visitors and bots',
  details: jsonHelp,
  options: { json: { type: 'boolean' } },
  positionals: 0,
  run: async (context) => {
    const target = await context.target();
    const pages = await listPages(target.database);
    if (context.values.json) return context.io.stdout(`${JSON.stringify(pages, null, 2)}\n`);
    if (pages.length === 0)
      return context.io.stdout(`No page has been counted yet on ${target.label}.\n`);
    context.io.stdout(
      `${table(
        ['PAGE', 'VIEWS', 'VISITORS', 'BOTS'],
        pages.map((p) => [p.page, p.views, p.visitors, p.bots]),
      )}\n`,
    );
  },
};

import { pageArgument, text } from '../arguments.js';
import { readCounts } from '../counts.js';
import { UsageError } from '../errors.js';
import { alreadyImported, findSeed, importSeed, type SeedInto } from '../import-seed.js';
import { change, n } from '../render.js';
import { type Command, confirm, writeHelp } from './command.js';

/** `npm run admin -- import-seed`: an old counter's number added to a page. */
export const importSeedCommand: Command = {
  usage:
    'import-seed --table NAME [--key mainid=1] [--attribute views] [--page /] [--into both] [--note TEXT] [--force] [--yes]',
  summary: "adds an old counter's number (the cloud resume tutorial's table) to a page's views",
  details: `  --table NAME       the old counter's DynamoDB table (same account and region)
  --key NAME=VALUE   the item holding the count (default mainid=1, the tutorial's)
  --attribute NAME   the attribute holding the count (default views)
  --page PAGE        the page to add it to (default /)
  --into WHAT        views, visitors or both (default both: the number the page shows goes on
                     from the old one; the old counter counted every load, so --into views
                     keeps visitors footfall's own)
  --note TEXT        recorded in the page's history (default: where it came from)
  --force            add it even though this source was imported before
${writeHelp}

The same table, item and attribute are imported once: a second run stops unless --force.`,
  options: {
    table: { type: 'string' },
    key: { type: 'string' },
    attribute: { type: 'string' },
    page: { type: 'string' },
    into: { type: 'string' },
    note: { type: 'string' },
    force: { type: 'boolean' },
    yes: { type: 'boolean' },
  },
  positionals: 0,
  run: async (context) => {
    const table = text(context.values, 'table', { required: true }) as string;
    const rawKey = text(context.values, 'key') ?? 'mainid=1';
    const separator = rawKey.indexOf('=');
    if (separator < 1 || separator === rawKey.length - 1)
      throw new UsageError(`--key must be NAME=VALUE, like mainid=1, not ${rawKey}`);
    const key = { name: rawKey.slice(0, separator), value: rawKey.slice(separator + 1) };
    const attribute = text(context.values, 'attribute') ?? 'views';
    const page = pageArgument(text(context.values, 'page') ?? '/', '--page');
    const into = (text(context.values, 'into') ?? 'both') as SeedInto;
    if (!['views', 'visitors', 'both'].includes(into)) {
      throw new UsageError(`--into must be views, visitors or both, not ${into}`);
    }
    const force = context.values.force === true;
    const target = await context.target();
    const seed = await findSeed(target.client, target.database, { table, key, attribute });
    if (seed.previously && !force) throw alreadyImported(seed.source, seed.previously);
    const now = await readCounts(target.database, page);
    const adds = {
      views: into === 'visitors' ? 0 : seed.views,
      visitors: into === 'views' ? 0 : seed.views,
    };
    const what = into === 'both' ? 'views and visitors' : into;
    confirm(
      context,
      target,
      `Would add ${n(seed.views)} from ${table} (${key.name} = ${key.value}, ${attribute}) to the ${what} of ${page} on ${target.label}: views ${change(now.views, now.views + adds.views)}, visitors ${change(now.visitors, now.visitors + adds.visitors)}.`,
    );
    const note =
      text(context.values, 'note') ??
      `imported from ${table} (${key.name} = ${key.value}, ${attribute})`;
    const { from, to } = await importSeed(target.database, {
      page,
      seed,
      into,
      force,
      who: target.who,
      note,
      now: context.io.now,
    });
    context.io.stdout(
      `Added ${n(seed.views)} from ${table} to the ${what} of ${page} on ${target.label}: views ${change(from.views, to.views)}, visitors ${change(from.visitors, to.visitors)}.\n`,
    );
  },
};

import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../../service/src/config.js';
import { siteTotalOfPage } from '../../service/src/domain/scope.js';
import { dayOf } from '../../service/src/domain/visitor.js';
import {
  history,
  isDay,
  listPages,
  readCounts,
  readDayCounts,
  setCounts,
  showPage,
} from './counts.js';
import { AdminError, UsageError } from './errors.js';
import { alreadyImported, findSeed, importSeed, type SeedInto } from './import-seed.js';
import { parsePageKey } from './page-key.js';
import { MAX_PAGES_REMOVED, pagesUnder, readPage, removePage } from './remove.js';
import { openAwsTarget, openLocalTarget, type Target } from './target.js';
import {
  applyImport,
  deserialize,
  type Format,
  planImport,
  readAll,
  serialize,
} from './transfer.js';

/** Where the CLI writes, what it reads from its environment, and its clock. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Rewrites progress in place (a terminal) rather than line by line (a log). */
  readonly interactive?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly now?: () => Date;
}

type Values = Record<string, string | boolean | undefined>;
type Options = NonNullable<ParseArgsConfig['options']>;

interface Context {
  readonly values: Values;
  readonly positionals: string[];
  readonly io: Required<Omit<Io, 'interactive'>> & Pick<Io, 'interactive'>;
  /** Opens the target the options name; closed by the CLI after the command. */
  target(): Promise<Target>;
}

interface Command {
  readonly usage: string;
  readonly summary: string;
  /** More lines for `--help`. */
  readonly details: string;
  readonly options: Options;
  readonly positionals: number;
  run(context: Context): Promise<void>;
}

const targetOptions: Options = {
  local: { type: 'boolean' },
  stack: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
};
const targetHelp = `Where:
  --local            the dev server's data (FOOTFALL_DATA_DIR, default .data); stop npm run dev first
  --stack NAME       a deployed stack, found in CloudFormation (default Footfall)
  --region REGION    its region (default: the AWS SDK's, e.g. AWS_REGION or your profile's)
  --profile NAME     the AWS profile to use (default: the SDK's usual chain)`;
const writeHelp =
  '  --yes              write to AWS (without it, prints what would change and stops)';
const jsonHelp = '  --json             print JSON instead of a table';

/** Text options must not swallow the next flag (`--note --yes`). */
function text(values: Values, name: string, { required = false } = {}): string | undefined {
  const value = values[name];
  if (value === undefined) {
    if (required) throw new UsageError(`--${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '' || value.startsWith('--')) {
    throw new UsageError(`--${name} needs a value`);
  }
  return value;
}

function whole(values: Values, name: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const raw = text(values, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(
      `--${name} must be a whole number from ${min} to ${max.toLocaleString('en-US')}, not ${raw}`,
    );
  }
  return Number(raw);
}

/** A page key; with `siteTotals`, a site's totals key (`*`, `https://blog.example*`) too. */
function pageArgument(raw: string | undefined, what = 'PAGE', { siteTotals = false } = {}): string {
  if (raw === undefined) throw new UsageError(`${what} is required`);
  const parsed = parsePageKey(raw, { siteTotals });
  if (!parsed.ok) throw new UsageError(parsed.message);
  return parsed.page;
}

/** A site's totals key (`*`, `https://blog.example*`) rather than a page's. */
const isSiteTotal = (key: string) => siteTotalOfPage(key) === undefined;

/** A UTC day, `YYYY-MM-DD`: a real date, and not after today's. */
function date(values: Values, name: string, now: Date): string | undefined {
  const raw = text(values, name);
  if (raw === undefined) return undefined;
  if (!isDay(raw)) throw new UsageError(`--${name} must be a date, YYYY-MM-DD, not ${raw}`);
  const today = dayOf(now);
  if (raw > today) {
    throw new UsageError(`--${name} ${raw} is in the future: today is ${today} (UTC)`);
  }
  return raw;
}

const n = (value: number) => value.toLocaleString('en-US');

/** Columns padded to their widest cell; numbers right-aligned. */
function table(header: string[], rows: (string | number)[][]): string {
  const cells = [
    header,
    ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? n(cell) : cell))),
  ];
  const widths = header.map((_, column) =>
    Math.max(...cells.map((row) => row[column]?.length ?? 0)),
  );
  const numeric = header.map(
    (_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'),
  );
  return cells
    .map((row) =>
      row
        .map((cell, column) =>
          numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const change = (from: number, to: number) =>
  from === to ? `${n(to)} (unchanged)` : `${n(from)} → ${n(to)}`;

/** A write to AWS goes ahead only with --yes; without it the plan is shown and nothing changes. */
function confirm(context: Context, target: Target, plan: string): void {
  if (target.kind === 'local' || context.values.yes === true) return;
  context.io.stdout(`${plan}\n`);
  throw new AdminError(`nothing was changed: add --yes to write this to ${target.label}`);
}

/** Progress on stderr for anything over a few hundred items. */
function progress(io: Context['io'], verb: string) {
  const threshold = 300;
  const every = 250;
  let shown = 0;
  let open = false;
  return {
    update(done: number, total?: number) {
      if ((total ?? done) <= threshold || (done - shown < every && done !== total)) return;
      shown = done;
      const line =
        total === undefined
          ? `${verb} ${n(done)} items…`
          : `${verb} ${n(done)} of ${n(total)} items…`;
      if (io.interactive) {
        io.stderr(`\r${line}`);
        open = true;
      } else io.stderr(`${line}\n`);
    },
    /** The last count, when it was not shown yet (an export's total is known only at the end). */
    end(done?: number) {
      if (done !== undefined && done > threshold && done !== shown) {
        shown = done;
        const line = `${verb} ${n(done)} items…`;
        io.stderr(io.interactive ? `\r${line}` : `${line}\n`);
        open = io.interactive === true;
      }
      if (open) io.stderr('\n');
    },
  };
}

const counts = (c: { views: number; visitors: number; bots: number }) =>
  `views ${n(c.views)}, visitors ${n(c.visitors)}, bots ${n(c.bots)}`;
const days = (count: number) => `${n(count)} ${count === 1 ? 'day' : 'days'}`;

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
        `stopped at ${page}, after removing ${n(removed.pages)} of ${n(pages.length)} pages: ${describe(error)}`,
      );
    }
    shown.update(removed.pages, pages.length);
  }
  shown.end();
  context.io.stdout(
    `Removed ${n(removed.pages)} ${removed.pages === 1 ? 'page' : 'pages'} under ${prefix} from ${target.label}, with their ${days(removed.days)} (${counts(removed)} in all)${rest}. Recorded for ${target.who}.\n`,
  );
}

const commands: Record<string, Command> = {
  pages: {
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
  },

  show: {
    usage: 'show PAGE [--days N] [--json]',
    summary: "a page's totals and its daily series",
    details: `  --days N           days of history, ending today (UTC); 1 to 366, default 30\n${jsonHelp}`,
    options: { days: { type: 'string' }, json: { type: 'boolean' } },
    positionals: 1,
    run: async (context) => {
      const page = pageArgument(context.positionals[0]);
      const days = whole(context.values, 'days', { min: 1, max: 366 }) ?? 30;
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
  },

  set: {
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
      const retried =
        attempts > 1 ? ` (visits landed meanwhile: ${attempts} tries, none lost)` : '';
      context.io.stdout(
        `Set ${what} on ${target.label}: views ${change(from.views, to.views)}, visitors ${change(from.visitors, to.visitors)}${retried}.${kept} Recorded for ${target.who}.\n`,
      );
    },
  },

  history: {
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
  },

  remove: {
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
  },

  'import-seed': {
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
  },

  export: {
    usage: 'export [--format ndjson|csv] [--out FILE]',
    summary: 'every counter, day and adjustment, to a file (a backup) or stdout',
    details: `  --format FORMAT    ndjson (everything; the default) or csv (counts only, for spreadsheets);
                     by default, the --out file's extension decides
  --out FILE         write to FILE rather than stdout

Visitor records, quotas and daily salts are never exported: they are keyed hashes that expire in two days.`,
    options: { format: { type: 'string' }, out: { type: 'string' } },
    positionals: 0,
    run: async (context) => {
      const out = text(context.values, 'out');
      const format = (text(context.values, 'format') ??
        (out?.endsWith('.csv') ? 'csv' : 'ndjson')) as Format;
      if (format !== 'ndjson' && format !== 'csv')
        throw new UsageError(`--format must be ndjson or csv, not ${format}`);
      const target = await context.target();
      const shown = progress(context.io, 'exported');
      const records = await readAll(target, (items) => shown.update(items));
      shown.end(records.length);
      const file = serialize(records, format, target.label, context.io.now());
      const history = records.filter((r) => r.type === 'adjustment' || r.type === 'seed').length;
      const left = format === 'csv' && history > 0;
      const note = left
        ? ` (CSV holds counts only: ${n(history)} history records left out; export ndjson for a full backup)`
        : '';
      if (out === undefined) {
        context.io.stdout(file);
        if (left) context.io.stderr(`${note.slice(2, -1)}.\n`);
        return;
      }
      await writeFile(out, file);
      context.io.stderr(
        `Exported ${n(left ? records.length - history : records.length)} items from ${target.label} to ${out}${note}.\n`,
      );
    },
  },

  import: {
    usage: 'import FILE [--note TEXT] [--yes]',
    summary: 'makes the counts those of an export file (a restore), losing no visit meanwhile',
    details: `  --note TEXT        recorded on each counter it changes (default: the file's name)
${writeHelp}

Each counter and day in the file gets exactly the file's numbers; items the file does not name
are left alone. Adjustments and imported seeds in the file are put back.`,
    options: { note: { type: 'string' }, yes: { type: 'boolean' } },
    positionals: 1,
    run: async (context) => {
      const file = context.positionals[0];
      if (file === undefined) throw new UsageError('FILE is required');
      let contents: string;
      try {
        contents = await readFile(file, 'utf8');
      } catch (error) {
        throw new AdminError(
          `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
        );
      }
      const records = deserialize(contents, file);
      const target = await context.target();
      const plan = planImport(records, await readAll(target));
      const writes = plan.create.length + plan.change.length + plan.restore.length;
      const summary =
        `${n(plan.create.length)} new counts, ${n(plan.change.length)} changed, ${n(plan.unchanged)} unchanged, ` +
        `${n(plan.restore.length)} history records to put back`;
      const changes = plan.change
        .slice(0, 10)
        .map(
          ({ record, from }) =>
            `\n  ${record.type === 'daily' ? `${record.page} ${record.day}` : record.page}: views ${change(from.views, record.views)}, visitors ${change(from.visitors, record.visitors)}, bots ${change(from.bots, record.bots)}`,
        )
        .join('');
      const more = plan.change.length > 10 ? `\n  … and ${n(plan.change.length - 10)} more` : '';
      if (writes > 0)
        confirm(
          context,
          target,
          `Would import ${file} into ${target.label}: ${summary}.${changes}${more}`,
        );
      const shown = progress(context.io, 'imported');
      await applyImport(target.database, plan, {
        who: target.who,
        note: text(context.values, 'note') ?? `import of ${basename(file)}`,
        source: basename(file),
        now: context.io.now,
        onProgress: (done, total) => shown.update(done, total),
      });
      shown.end();
      context.io.stdout(`Imported ${file} into ${target.label}: ${summary}.${changes}${more}\n`);
    },
  },
};

const overview = `footfall admin: read, correct, import and back up your counts with your own credentials.

Usage: npm run admin -- COMMAND [options]   (npm run admin -- COMMAND --help for more)

Commands:
${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(12)} ${command.summary}`)
  .join('\n')}

${targetHelp}

Exit codes: 0 done, 1 failed or refused (nothing changed unless it says so), 2 bad command line.
`;

function helpOf(command: Command): string {
  return `Usage: npm run admin -- ${command.usage} [--local | --stack NAME]\n\n${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.\n\n${command.details}\n\n${targetHelp}\n`;
}

/** Runs one command line; returns the exit code. Never throws. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const context = {
    stdout: io.stdout,
    stderr: io.stderr,
    interactive: io.interactive,
    env: io.env ?? process.env,
    now: io.now ?? (() => new Date()),
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && rest[0] ? commands[rest[0]] : undefined;
    io.stdout(topic ? helpOf(topic) : overview);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(
      `footfall admin: there is no command ${JSON.stringify(name)}: run npm run admin -- --help for the list\n`,
    );
    return 2;
  }

  let opened: Target | undefined;
  try {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: [...rest],
        options: { ...targetOptions, ...command.options, help: { type: 'boolean', short: 'h' } },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new UsageError(argumentProblem((error as Error).message));
    }
    const values = parsed.values as Values;
    if (values.help) {
      io.stdout(helpOf(command));
      return 0;
    }
    if (parsed.positionals.length > command.positionals) {
      throw new UsageError(`unexpected ${JSON.stringify(parsed.positionals[command.positionals])}`);
    }
    if (
      values.local &&
      (values.stack !== undefined || values.region !== undefined || values.profile !== undefined)
    ) {
      throw new UsageError(
        "--local works on the dev server's data; --stack, --region and --profile are for AWS",
      );
    }
    await command.run({
      values,
      positionals: parsed.positionals,
      io: context,
      target: async () => {
        if (values.local) {
          let config: ReturnType<typeof loadConfig>;
          try {
            config = loadConfig(context.env);
          } catch (error) {
            if (error instanceof ConfigError)
              throw new AdminError(error.message.replace(/\n\s*/g, ' '));
            throw error;
          }
          opened = await openLocalTarget({ dataDir: config.dataDir, tableName: config.tableName });
        } else {
          if (typeof values.profile === 'string') process.env.AWS_PROFILE = values.profile;
          opened = await openAwsTarget({
            stack: text(values, 'stack') ?? 'Footfall',
            region: text(values, 'region'),
          });
        }
        return opened;
      },
    });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(
        `footfall admin ${name}: ${error.message}\nUsage: npm run admin -- ${command.usage}  (--help for more)\n`,
      );
      return 2;
    }
    io.stderr(`footfall admin ${name}: ${describe(error)}\n`);
    return 1;
  } finally {
    await opened?.close();
  }
}

/** node:util's parseArgs messages, said in one line. */
function argumentProblem(message: string): string {
  const option = message.match(/Option '(-[-\w]+)/)?.[1];
  if (option && /ambiguous|argument missing/.test(message)) return `${option} needs a value`;
  const unknown = message.match(/Unknown option '([^']+)'/)?.[1];
  if (unknown) return `there is no option ${unknown}`;
  if (option && /does not take an argument/.test(message)) return `${option} takes no value`;
  return message.split('\n')[0] ?? message;
}

/** One line for any failure: ours as written, AWS's with its name and a hint where one helps. */
function describe(error: unknown): string {
  if (error instanceof AdminError) return error.message;
  const { name, message } = error as Error;
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return `${message.split('\n')[0]} (docs/admin.md lists the IAM actions the admin CLI needs)`;
  }
  if (name === 'ResourceNotFoundException')
    return `${message.split('\n')[0]}: has the table been deleted?`;
  return `${name && name !== 'Error' ? `${name}: ` : ''}${String(message ?? error).split('\n')[0]}`;
}

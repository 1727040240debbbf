import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import {
  type AdjustmentItem,
  adjustmentActions,
} from '../../service/src/db/admin-entities/adjustment.js';
import type { SeedItem } from '../../service/src/db/admin-entities/seed.js';
import type { Counts } from '../../service/src/domain/store.js';
import { countsOf, isDay, recordAdjustment, siteOfPage } from './counts.js';
import type { AdminDatabase } from './database.js';
import { AdminError, isConditionFailed } from './errors.js';
import { parsePageKey } from './page-key.js';
import type { Target } from './target.js';

/** What an export file says it is, on its first line. */
export const EXPORT_FORMAT = 'footfall-export';
/** The layout of an export; `import` refuses any other. */
export const EXPORT_VERSION = 1;

export type CounterRecord = { readonly type: 'counter'; readonly page: string } & Counts;
export type DailyRecord = {
  readonly type: 'daily';
  readonly page: string;
  readonly day: string;
} & Counts;
export type AdjustmentRecord = { readonly type: 'adjustment' } & AdjustmentItem;
export type SeedRecord = { readonly type: 'seed' } & SeedItem;
export type CountRecord = CounterRecord | DailyRecord;
export type ExportRecord = CountRecord | AdjustmentRecord | SeedRecord;

export type Format = 'ndjson' | 'csv';

/** Items read per request, so a long export reports progress as it goes. */
const SCAN_PAGE = 250;

/**
 * Every counter, day, adjustment and seed record in the table, in a stable order (so two
 * exports of the same counts are the same file). One strongly consistent scan; each item is
 * recognised and read by its ElectroDB entity. Visitor records, quotas and salts are never exported: they
 * are keyed hashes that expire within two days, and are nobody's business.
 */
export async function readAll(
  target: Pick<Target, 'client' | 'tableName' | 'database'>,
  onProgress: (items: number) => void = () => {},
): Promise<ExportRecord[]> {
  const { counter, daily, adjustment, seed } = target.database.entities;
  const records: ExportRecord[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await target.client.send(
      new ScanCommand({
        TableName: target.tableName,
        ConsistentRead: true,
        Limit: SCAN_PAGE,
        ExclusiveStartKey,
      }),
    );
    const Items = (page.Items ?? []).map((item) => unmarshall(item));
    const owned = { ignoreOwnership: false };
    for (const item of counter.parse({ Items }, owned).data) {
      records.push({ type: 'counter', page: item.page, ...countsOf(item) });
    }
    for (const item of daily.parse({ Items }, owned).data) {
      records.push({ type: 'daily', page: item.page, day: item.day, ...countsOf(item) });
    }
    for (const item of adjustment.parse({ Items }, owned).data) {
      records.push({ type: 'adjustment', ...item });
    }
    for (const item of seed.parse({ Items }, owned).data) records.push({ type: 'seed', ...item });
    onProgress(records.length);
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return records.sort(compareRecords);
}

const TYPE_ORDER = { counter: 0, daily: 1, adjustment: 2, seed: 3 } as const;

function sortKeyOf(record: ExportRecord): string {
  switch (record.type) {
    case 'counter':
      return record.page;
    case 'daily':
      return `${record.page}\u0000${record.day}`;
    case 'adjustment':
      return `${record.page}\u0000${record.at}\u0000${record.id}`;
    case 'seed':
      return record.source;
  }
}

function compareRecords(a: ExportRecord, b: ExportRecord): number {
  const byType = TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
  if (byType !== 0) return byType;
  const [x, y] = [sortKeyOf(a), sortKeyOf(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

const CSV_COLUMNS = ['format', 'type', 'page', 'day', 'views', 'visitors', 'bots'] as const;
const CSV_FORMAT = `${EXPORT_FORMAT}/${EXPORT_VERSION}`;

/**
 * An export file. ndjson holds everything: a header line, then one record per line. CSV holds
 * the counts only (counters and days), for spreadsheets; each row names the format version.
 */
export function serialize(
  records: readonly ExportRecord[],
  format: Format,
  about: string,
  at: Date,
): string {
  if (format === 'csv') {
    const rows = records
      .filter(
        (record): record is CountRecord => record.type === 'counter' || record.type === 'daily',
      )
      .map((record) => [
        CSV_FORMAT,
        record.type,
        record.page,
        record.type === 'daily' ? record.day : '',
        record.views,
        record.visitors,
        record.bots,
      ]);
    return stringifyCsv([[...CSV_COLUMNS], ...rows], { record_delimiter: 'unix' });
  }
  const header = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: at.toISOString(),
    from: about,
  };
  return `${[header, ...records].map((line) => JSON.stringify(line)).join('\n')}\n`;
}

/** Reads an export file (either format); throws an AdminError naming the first bad line. */
export function deserialize(text: string, file: string): ExportRecord[] {
  const first = text.trimStart();
  return first.startsWith('{') ? fromNdjson(text, file) : fromCsv(text, file);
}

function wrongVersion(file: string, version: unknown): AdminError {
  return new AdminError(
    `${file} is a footfall export of format version ${String(version)}; this footfall reads version ${EXPORT_VERSION}: export it again with this version of footfall`,
  );
}

function fromNdjson(text: string, file: string): ExportRecord[] {
  const lines = text.split('\n');
  const records: ExportRecord[] = [];
  let header: object | undefined;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const at = `${file} line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new AdminError(`${at} is not JSON`);
    }
    if (!header) {
      const found = (value ?? {}) as { format?: unknown; version?: unknown };
      header = found;
      if (found.format !== EXPORT_FORMAT) {
        throw new AdminError(
          `${file} is not a footfall export: its first line does not say "format": "${EXPORT_FORMAT}"`,
        );
      }
      if (found.version !== EXPORT_VERSION) throw wrongVersion(file, found.version);
      continue;
    }
    records.push(checkRecord(value, at));
  }
  if (!header) throw new AdminError(`${file} is empty`);
  return records;
}

function fromCsv(text: string, file: string): ExportRecord[] {
  let rows: string[][];
  try {
    rows = parseCsv(text, { skip_empty_lines: true, relax_column_count: false });
  } catch (error) {
    throw new AdminError(
      `${file} is neither a footfall ndjson export nor CSV: ${(error as Error).message}`,
    );
  }
  const [header, ...body] = rows;
  if (header?.join(',') !== CSV_COLUMNS.join(',')) {
    throw new AdminError(
      `${file} is not a footfall export: its first row is not ${CSV_COLUMNS.join(',')}`,
    );
  }
  return body.map((row, index) => {
    const at = `${file} line ${index + 2}`;
    const [format, type, page, day, views, visitors, bots] = row;
    if (format !== CSV_FORMAT) {
      if (format?.startsWith(`${EXPORT_FORMAT}/`))
        throw wrongVersion(file, format.slice(EXPORT_FORMAT.length + 1));
      throw new AdminError(`${at}: format is ${JSON.stringify(format)}, not ${CSV_FORMAT}`);
    }
    const number = (raw: string | undefined) => (/^\d+$/.test(raw ?? '') ? Number(raw) : raw);
    return checkRecord(
      {
        type,
        page,
        ...(type === 'daily' ? { day } : {}),
        views: number(views),
        visitors: number(visitors),
        bots: number(bots),
      },
      at,
    );
  });
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** One record, checked field by field: an import writes nothing it does not understand. */
function checkRecord(value: unknown, at: string): ExportRecord {
  const record = (value ?? {}) as Record<string, unknown>;
  const fail = (message: string): never => {
    throw new AdminError(`${at}: ${message}`);
  };
  const page = (siteTotals: boolean) => {
    if (typeof record.page !== 'string') return fail('page is missing');
    const parsed = parsePageKey(record.page, { siteTotals });
    return parsed.ok ? parsed.page : fail(parsed.message);
  };
  const counts = (): Counts => {
    for (const field of ['views', 'visitors', 'bots'] as const) {
      if (!isCount(record[field])) fail(`${field} must be a whole number, 0 or more`);
    }
    return {
      views: record.views as number,
      visitors: record.visitors as number,
      bots: record.bots as number,
    };
  };
  const text = (field: string, optional = false) => {
    const value = record[field];
    if (optional && value === undefined) return undefined;
    return typeof value === 'string' && value !== '' ? value : fail(`${field} must be text`);
  };
  switch (record.type) {
    case 'counter':
      return { type: 'counter', page: page(false), ...counts() };
    case 'daily': {
      if (!isDay(record.day)) fail('day must be a date, YYYY-MM-DD');
      return { type: 'daily', page: page(true), day: record.day as string, ...counts() };
    }
    case 'adjustment': {
      const action = record.action as AdjustmentItem['action'];
      if (!adjustmentActions.includes(action))
        fail(`action must be one of ${adjustmentActions.join(', ')}`);
      if (typeof record.at !== 'string' || Number.isNaN(Date.parse(record.at)))
        fail('at must be a time');
      for (const field of ['fromViews', 'toViews', 'fromVisitors', 'toVisitors']) {
        if (!isCount(record[field])) fail(`${field} must be a whole number, 0 or more`);
      }
      const source = text('source', true);
      if (record.day !== undefined && !isDay(record.day)) fail('day must be a date, YYYY-MM-DD');
      if (action === 'set-day' && record.day === undefined) fail('a set-day names its day');
      const day = record.day as string | undefined;
      return {
        type: 'adjustment',
        // A site's day is corrected under the site's totals key.
        page: page(action === 'set-day'),
        at: record.at as string,
        id: text('id') as string,
        action,
        who: text('who') as string,
        note: typeof record.note === 'string' ? record.note : (fail('note must be text') as string),
        fromViews: record.fromViews as number,
        toViews: record.toViews as number,
        fromVisitors: record.fromVisitors as number,
        toVisitors: record.toVisitors as number,
        ...(source === undefined ? {} : { source }),
        ...(day === undefined ? {} : { day }),
      };
    }
    case 'seed': {
      if (!isCount(record.views)) fail('views must be a whole number, 0 or more');
      return {
        type: 'seed',
        source: text('source') as string,
        page: page(false),
        views: record.views as number,
        at: text('at') as string,
        who: text('who') as string,
      };
    }
    default:
      return fail(
        `type must be counter, daily, adjustment or seed, not ${JSON.stringify(record.type)}`,
      );
  }
}

const countKey = (record: CountRecord) =>
  record.type === 'counter' ? `counter ${record.page}` : `daily ${record.page} ${record.day}`;
const sameCounts = (a: Counts, b: Counts) =>
  a.views === b.views && a.visitors === b.visitors && a.bots === b.bots;

export interface ImportPlan {
  /** Counts the table does not have yet. */
  readonly create: CountRecord[];
  /** Counts the table has with other numbers: each becomes the file's, `from` what it was. */
  readonly change: { readonly record: CountRecord; readonly from: Counts }[];
  readonly unchanged: number;
  /** Audit records and seed markers the table lacks. */
  readonly restore: (AdjustmentRecord | SeedRecord)[];
}

/** What importing `records` into a table holding `current` would change. */
export function planImport(
  records: readonly ExportRecord[],
  current: readonly ExportRecord[],
): ImportPlan {
  const counts = new Map<string, Counts>();
  const present = new Set<string>();
  for (const record of current) {
    if (record.type === 'counter' || record.type === 'daily') counts.set(countKey(record), record);
    else present.add(JSON.stringify(identity(record)));
  }
  const plan: {
    create: CountRecord[];
    change: ImportPlan['change'];
    unchanged: number;
    restore: ImportPlan['restore'];
  } = {
    create: [],
    change: [],
    unchanged: 0,
    restore: [],
  };
  for (const record of records) {
    if (record.type === 'counter' || record.type === 'daily') {
      const from = counts.get(countKey(record));
      if (!from) plan.create.push(record);
      else if (sameCounts(from, record)) plan.unchanged++;
      else plan.change.push({ record, from });
    } else if (!present.has(JSON.stringify(identity(record)))) {
      plan.restore.push(record);
    }
  }
  return plan;
}

const identity = (record: AdjustmentRecord | SeedRecord) =>
  record.type === 'seed'
    ? ['seed', record.source]
    : ['adjustment', record.page, record.at, record.id];

export interface ApplyOptions {
  readonly who: string;
  /** Recorded on each counter the import changes. */
  readonly note: string;
  /** The file's name, recorded as the source of the changes. */
  readonly source: string;
  readonly now?: () => Date;
  /** Called as items are written: done so far, of total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Writes in flight at once. */
const CONCURRENCY = 16;
const MAX_ATTEMPTS = 100;

/**
 * Makes the table hold the file's counts exactly: each counter and day is written only if it
 * still holds what was read (else it is read again and retried), so a visit landing during an
 * import is never lost. Each changed counter gets an `import` adjustment; audit records and
 * seed markers from the file are put back as they were.
 */
export async function applyImport(
  database: AdminDatabase,
  plan: ImportPlan,
  options: ApplyOptions,
): Promise<void> {
  const now = options.now ?? (() => new Date());
  const work: (() => Promise<void>)[] = [
    ...plan.create.map((record) => () => writeCounts(database, record, undefined, options, now)),
    ...plan.change.map(
      ({ record, from }) =>
        () =>
          writeCounts(database, record, from, options, now),
    ),
    ...plan.restore.map((record) => () => restore(database, record)),
  ];
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const task = work[next++];
      await task?.();
      options.onProgress?.(++done, work.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, work.length) }, worker));
}

async function writeCounts(
  database: AdminDatabase,
  record: CountRecord,
  read: Counts | undefined,
  options: ApplyOptions,
  now: () => Date,
): Promise<void> {
  const { counter, daily } = database.entities;
  const target = { views: record.views, visitors: record.visitors, bots: record.bots };
  let expected: Partial<Counts> | undefined = read;
  for (let attempt = 1; ; attempt++) {
    const condition = (attribute: Record<keyof Counts, unknown>, op: ConditionOps) =>
      (['views', 'visitors', 'bots'] as const)
        .map((field) =>
          expected?.[field] === undefined
            ? op.notExists(attribute[field])
            : op.eq(attribute[field], expected[field]),
        )
        .join(' AND ');
    try {
      if (record.type === 'counter') {
        await counter
          .upsert({ page: record.page, site: siteOfPage(record.page), ...target })
          .where(condition)
          .go({ response: 'none', originalErr: true });
      } else {
        await daily
          .upsert({ page: record.page, day: record.day, ...target })
          .where(condition)
          .go({ response: 'none', originalErr: true });
      }
      break;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      if (attempt >= MAX_ATTEMPTS)
        throw new AdminError(`${countKey(record)} kept changing during the import; run it again`);
      // A visit changed it since it was read: read it again and retry.
      const { data } =
        record.type === 'counter'
          ? await counter.get({ page: record.page }).go({ consistent: true, originalErr: true })
          : await daily
              .get({ page: record.page, day: record.day })
              .go({ consistent: true, originalErr: true });
      expected = data ? { views: data.views, visitors: data.visitors, bots: data.bots } : undefined;
    }
  }
  if (record.type === 'counter') {
    const from = countsOf(expected);
    await recordAdjustment(database, {
      page: record.page,
      action: 'import',
      who: options.who,
      note: options.note,
      from,
      to: target,
      source: options.source,
      at: now(),
    });
  }
}

interface ConditionOps {
  eq(attribute: unknown, value: unknown): string;
  notExists(attribute: unknown): string;
}

async function restore(
  database: AdminDatabase,
  record: AdjustmentRecord | SeedRecord,
): Promise<void> {
  const { type: _, ...item } = record;
  if (record.type === 'seed') {
    await database.entities.seed.put(item as SeedItem).go({ response: 'none', originalErr: true });
  } else {
    await database.entities.adjustment
      .put(item as AdjustmentItem)
      .go({ response: 'none', originalErr: true });
  }
}

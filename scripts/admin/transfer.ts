import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AdjustmentItem } from '../../service/src/db/admin-entities/adjustment.js';
import type { SeedItem } from '../../service/src/db/admin-entities/seed.js';
import type { Counts } from '../../service/src/domain/store.js';
import { countsOf, recordAdjustment, siteOfPage } from './counts.js';
import type { AdminDatabase } from './database.js';
import { AdminError, isConditionFailed } from './errors.js';
import { fromCsv, toCsv } from './format/csv.js';
import { fromNdjson, toNdjson } from './format/ndjson.js';
import {
  type AdjustmentRecord,
  type CountRecord,
  compareRecords,
  type ExportRecord,
  type Format,
  type SeedRecord,
} from './records.js';
import type { Target } from './target.js';

// Counts between a table and a file: the table read whole (an export), a file's records planned
// against it and written (an import). The file formats are in format/, the records in records.ts.

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

/**
 * An export file: ndjson holds everything, CSV the counts only (format/ndjson.ts, format/csv.ts).
 */
export function serialize(
  records: readonly ExportRecord[],
  format: Format,
  about: string,
  at: Date,
): string {
  return format === 'csv' ? toCsv(records) : toNdjson(records, about, at);
}

/** Reads an export file (either format); throws an AdminError naming the first bad line. */
export function deserialize(text: string, file: string): ExportRecord[] {
  const first = text.trimStart();
  return first.startsWith('{') ? fromNdjson(text, file) : fromCsv(text, file);
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

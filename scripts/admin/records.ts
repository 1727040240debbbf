import {
  type AdjustmentItem,
  adjustmentActions,
} from '../../service/src/db/admin-entities/adjustment.js';
import type { SeedItem } from '../../service/src/db/admin-entities/seed.js';
import type { Counts } from '../../service/src/domain/store.js';
import { isDay } from './counts.js';
import { AdminError } from './errors.js';
import { parsePageKey } from './page-key.js';

// What an export file holds, whatever its format: the records, their order, and the checks an
// import makes of each before it writes anything.

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

/** Records in a stable order, so two exports of the same counts are the same file. */
export function compareRecords(a: ExportRecord, b: ExportRecord): number {
  const byType = TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
  if (byType !== 0) return byType;
  const [x, y] = [sortKeyOf(a), sortKeyOf(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The first line of an ndjson export: what it is, its layout, when and whence. */
export function exportHeader(about: string, at: Date) {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: at.toISOString(),
    from: about,
  };
}

/** Throws unless `found` (an ndjson export's first line) is this footfall's header. */
export function checkHeader(found: { format?: unknown; version?: unknown }, file: string): void {
  if (found.format !== EXPORT_FORMAT) {
    throw new AdminError(
      `${file} is not a footfall export: its first line does not say "format": "${EXPORT_FORMAT}"`,
    );
  }
  if (found.version !== EXPORT_VERSION) throw wrongVersion(file, found.version);
}

/** A file of a format version this footfall does not read. */
export function wrongVersion(file: string, version: unknown): AdminError {
  return new AdminError(
    `${file} is a footfall export of format version ${String(version)}; this footfall reads version ${EXPORT_VERSION}: export it again with this version of footfall`,
  );
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** One record, checked field by field: an import writes nothing it does not understand. */
export function checkRecord(value: unknown, at: string): ExportRecord {
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

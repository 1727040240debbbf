import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { AdminError } from '../errors.js';
import {
  type CountRecord,
  checkRecord,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportRecord,
  wrongVersion,
} from '../records.js';

const CSV_COLUMNS = ['format', 'type', 'page', 'day', 'views', 'visitors', 'bots'] as const;
const CSV_FORMAT = `${EXPORT_FORMAT}/${EXPORT_VERSION}`;

/**
 * CSV holds the counts only (counters and days), for spreadsheets; each row names the format
 * version.
 */
export function toCsv(records: readonly ExportRecord[]): string {
  const rows = records
    .filter((record): record is CountRecord => record.type === 'counter' || record.type === 'daily')
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

/** A CSV export, read; throws an AdminError naming the first bad row. */
export function fromCsv(text: string, file: string): ExportRecord[] {
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

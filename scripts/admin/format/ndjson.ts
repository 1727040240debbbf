import { AdminError } from '../errors.js';
import { checkHeader, checkRecord, type ExportRecord, exportHeader } from '../records.js';

/** ndjson holds everything: a header line, then one record per line. */
export function toNdjson(records: readonly ExportRecord[], about: string, at: Date): string {
  return `${[exportHeader(about, at), ...records].map((line) => JSON.stringify(line)).join('\n')}\n`;
}

/** An ndjson export, read; throws an AdminError naming the first bad line. */
export function fromNdjson(text: string, file: string): ExportRecord[] {
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
      header = (value ?? {}) as { format?: unknown; version?: unknown };
      checkHeader(header, file);
      continue;
    }
    records.push(checkRecord(value, at));
  }
  if (!header) throw new AdminError(`${file} is empty`);
  return records;
}

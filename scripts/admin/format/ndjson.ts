import { AdminError } from '../errors.js';
import {
  checkRecord,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportRecord,
  wrongVersion,
} from '../records.js';

/** ndjson holds everything: a header line, then one record per line. */
export function toNdjson(records: readonly ExportRecord[], about: string, at: Date): string {
  const header = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: at.toISOString(),
    from: about,
  };
  return `${[header, ...records].map((line) => JSON.stringify(line)).join('\n')}\n`;
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

import { writeFile } from 'node:fs/promises';
import { text } from '../arguments.js';
import { UsageError } from '../errors.js';
import type { Format } from '../records.js';
import { n, progress } from '../render.js';
import { readAll, serialize } from '../transfer.js';
import type { Command } from './command.js';

/** `npm run admin -- export`: every counter, day and adjustment, to a file. */
export const exportCommand: Command = {
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
};

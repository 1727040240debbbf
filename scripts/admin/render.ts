import type { Io } from './commands/command.js';

// How the CLI shows what it found and did: numbers, tables, changes and progress, in text.

/** A number as people read it: `12,345`. */
export const n = (value: number) => value.toLocaleString('en-US');

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: string[], rows: (string | number)[][]): string {
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

export const change = (from: number, to: number) =>
  from === to ? `${n(to)} (unchanged)` : `${n(from)} → ${n(to)}`;

/** Progress on stderr for anything over a few hundred items. */
export function progress(io: Pick<Io, 'stderr' | 'interactive'>, verb: string) {
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

export const counts = (c: { views: number; visitors: number; bots: number }) =>
  `views ${n(c.views)}, visitors ${n(c.visitors)}, bots ${n(c.bots)}`;
export const days = (count: number) => `${n(count)} ${count === 1 ? 'day' : 'days'}`;

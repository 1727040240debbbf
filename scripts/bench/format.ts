/** Figures and Markdown tables for the benchmark report. */
export type Row = string[];

/** Median and 95th percentile of a set of samples. */
export function stats(samples: number[]) {
  const sorted = samples.toSorted((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p95: at(0.95) };
}
export type Stats = ReturnType<typeof stats>;

export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
export const us = (value: number) => `${value.toFixed(0)} µs`;
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
export const mib = (kiB: number) => `${(kiB / 1024).toFixed(1)} MiB`;
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

export const table = (header: Row, rows: Row[]) =>
  [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');

/** Milliseconds one call takes. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Progress, on stderr so that stdout is the report alone. */
export const step = (what: string) => console.error(`… ${what}`);

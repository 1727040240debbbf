/**
 * The benchmark's targets, and whether a run met them. A figure is judged as the report prints
 * it (rounded to its unit's precision), so the verdict never disagrees with the number beside it.
 */
import { table } from './format.js';

/** How a quantity is printed: its precision and what follows the number. */
export const UNITS = {
  ratio: { decimals: 2, suffix: 'x' },
  KiB: { decimals: 1, suffix: ' KiB' },
  MiB: { decimals: 1, suffix: ' MiB' },
  µs: { decimals: 0, suffix: ' µs' },
  ms: { decimals: 1, suffix: ' ms' },
  /** A whole number of things (requests lost, errors); the measure names the things. */
  count: { decimals: 0, suffix: '' },
  /** Things per call, averaged over several calls. */
  mean: { decimals: 1, suffix: '' },
  /** US dollars, to the cent. */
  USD: { decimals: 2, prefix: '$', suffix: '' },
} as const satisfies Record<string, { decimals: number; prefix?: string; suffix: string }>;
export type Unit = keyof typeof UNITS;

export interface Target {
  /** `≤` at most, `<` under, `=` exactly. */
  readonly op: '≤' | '<' | '=';
  readonly limit: number;
  readonly unit: Unit;
}

export const atMost = (limit: number, unit: Unit): Target => ({ op: '≤', limit, unit });
export const under = (limit: number, unit: Unit): Target => ({ op: '<', limit, unit });
export const exactly = (limit: number, unit: Unit): Target => ({ op: '=', limit, unit });

/** One measured figure held to one target. */
export interface Check {
  /** What was measured, as the summary names it. */
  readonly measure: string;
  readonly target: Target;
  /** The figure, unrounded. */
  readonly measured: number;
}

/** `1.5`, `0.57`: a number at a unit's precision, without trailing zeros after the point. */
const number = (value: number, unit: Unit) => String(Number(value.toFixed(UNITS[unit].decimals)));
const prefix = (unit: Unit) => ('prefix' in UNITS[unit] ? UNITS[unit].prefix : '');

/** A figure as printed: `2.07x`, `670.4 KiB`, `0`, `$3.43`. */
export const formatted = (value: number, unit: Unit) =>
  `${prefix(unit)}${value.toFixed(UNITS[unit].decimals)}${UNITS[unit].suffix}`;

/** `≤ 1.5x`, `< 128 MiB`, `= 0`, `< $3`. */
export const targetText = ({ op, limit, unit }: Target) =>
  `${op} ${prefix(unit)}${number(limit, unit)}${UNITS[unit].suffix}`;

/** Whether the figure, rounded as printed, meets the target. */
export function met({ target, measured }: Check): boolean {
  const value = Number(measured.toFixed(UNITS[target.unit].decimals));
  switch (target.op) {
    case '≤':
      return value <= target.limit;
    case '<':
      return value < target.limit;
    case '=':
      return value === target.limit;
  }
}

/** `met`, or `missed by 0.57x` (the distance to the limit, as printed). */
export function verdict(check: Check): string {
  if (met(check)) return 'met';
  const { target } = check;
  const value = Number(check.measured.toFixed(UNITS[target.unit].decimals));
  if (!Number.isFinite(value)) return 'missed (no figure)';
  const by = Math.abs(value - target.limit);
  // `< 128` missed at exactly 128: no distance to print.
  if (by === 0) return 'missed (at the limit)';
  return `missed by ${formatted(by, target.unit)}`;
}

/** Every check of the run, one row each: what, the target, the figure, the verdict. */
/** Checks as a table: each measure, its target, the figure and the verdict. */
export function checksTable(checks: readonly Check[]): string {
  return table(
    ['measure', 'target', 'measured', 'met?'],
    checks.map((check) => [
      check.measure,
      targetText(check.target),
      formatted(check.measured, check.target.unit),
      verdict(check),
    ]),
  );
}

export function summary(checks: readonly Check[]): string {
  const missed = checks.filter((check) => !met(check)).length;
  return `## Targets

${checks.length - missed} of ${checks.length} met${missed ? `, ${missed} missed` : ''}. Each is measured below, beside its reference.

${checksTable(checks)}`;
}

/** A section of the report, and the checks it measured. */
export interface Section {
  readonly text: string;
  readonly checks: readonly Check[];
}

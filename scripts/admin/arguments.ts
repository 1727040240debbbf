import { siteTotalOfPage } from '../../service/src/domain/scope.js';
import { dayOf } from '../../service/src/domain/visitor.js';
import type { Values } from './commands/command.js';
import { isDay } from './counts.js';
import { UsageError } from './errors.js';
import { parsePageKey } from './page-key.js';

// The command line's values, checked: each either returns what the command needs or throws a
// UsageError saying what is wrong with the argument.

/** Text options must not swallow the next flag (`--note --yes`). */
export function text(values: Values, name: string, { required = false } = {}): string | undefined {
  const value = values[name];
  if (value === undefined) {
    if (required) throw new UsageError(`--${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '' || value.startsWith('--')) {
    throw new UsageError(`--${name} needs a value`);
  }
  return value;
}

export function whole(
  values: Values,
  name: string,
  { min = 0, max = Number.MAX_SAFE_INTEGER } = {},
) {
  const raw = text(values, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(
      `--${name} must be a whole number from ${min} to ${max.toLocaleString('en-US')}, not ${raw}`,
    );
  }
  return Number(raw);
}

/** A page key; with `siteTotals`, a site's totals key (`*`, `https://blog.example*`) too. */
export function pageArgument(
  raw: string | undefined,
  what = 'PAGE',
  { siteTotals = false } = {},
): string {
  if (raw === undefined) throw new UsageError(`${what} is required`);
  const parsed = parsePageKey(raw, { siteTotals });
  if (!parsed.ok) throw new UsageError(parsed.message);
  return parsed.page;
}

/** A site's totals key (`*`, `https://blog.example*`) rather than a page's. */
export const isSiteTotal = (key: string) => siteTotalOfPage(key) === undefined;

/** A UTC day, `YYYY-MM-DD`: a real date, and not after today's. */
export function date(values: Values, name: string, now: Date): string | undefined {
  const raw = text(values, name);
  if (raw === undefined) return undefined;
  if (!isDay(raw)) throw new UsageError(`--${name} must be a date, YYYY-MM-DD, not ${raw}`);
  const today = dayOf(now);
  if (raw > today) {
    throw new UsageError(`--${name} ${raw} is in the future: today is ${today} (UTC)`);
  }
  return raw;
}

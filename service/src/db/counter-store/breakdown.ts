import type { Breakdown } from '../../domain/store.js';
import type { Increments } from './coalesce.js';
import { DayMemory } from './day-memory.js';

/**
 * Where a site's visits came from and where they were, kept on the site's day item (ADR 14):
 * four maps, each keyed by a name. `sv`/`su`: views and visitors by source; `cv`/`cu`: by
 * country. They ride on the site's day `ADD` every visit already makes: no write of their own.
 */
export const BREAKDOWN_MAPS = ['sv', 'su', 'cv', 'cu'] as const;
export type BreakdownMap = (typeof BREAKDOWN_MAPS)[number];

/** Names a day keeps per dimension; later ones that day are summed under `other`. */
export const MAX_NAMES_PER_DAY = 20;
export const OTHER = 'other';

/** Separates a map from a name in an increment's key: names never hold it. */
const SEPARATOR = '/';

/** The increments a person's visit adds to its site's day for its source and country. */
export function breakdownOf(
  arrival:
    | { readonly source?: string | undefined; readonly country?: string | undefined }
    | undefined,
  visitor: boolean,
): Increments {
  const increments: Record<string, number> = {};
  if (arrival?.source) {
    increments[`sv${SEPARATOR}${arrival.source}`] = 1;
    if (visitor) increments[`su${SEPARATOR}${arrival.source}`] = 1;
  }
  if (arrival?.country) {
    increments[`cv${SEPARATOR}${arrival.country}`] = 1;
    if (visitor) increments[`cu${SEPARATOR}${arrival.country}`] = 1;
  }
  return increments;
}

/** Increments split into the item's own numbers and the maps' (`[map, name, n]`). */
export function splitIncrements(sums: Increments) {
  const flat: Record<string, number> = {};
  const nested: [BreakdownMap, string, number][] = [];
  for (const [key, value] of Object.entries(sums)) {
    const at = key.indexOf(SEPARATOR);
    if (at === -1) flat[key] = value;
    else nested.push([key.slice(0, at) as BreakdownMap, key.slice(at + 1), value]);
  }
  return { flat, nested };
}

/** The dimension a map counts: sources (`sv`, `su`) or countries (`cv`, `cu`). */
const dimensionOf = (map: BreakdownMap) => (map[0] === 's' ? 'sv' : 'cv');

type KnownNames = { readonly sv: ReadonlySet<string>; readonly cv: ReadonlySet<string> };

/**
 * What this instance knows of each site day's maps: the names the views maps hold (the visitors
 * maps hold no name the views maps do not). Forgotten each day.
 */
export class BreakdownMemory {
  readonly #days: DayMemory<KnownNames>;

  constructor(capacity = 1_000) {
    this.#days = new DayMemory<KnownNames>(capacity);
  }

  /** The names known for the day's item, or undefined when this instance does not know it. */
  get(day: string, key: string): KnownNames | undefined {
    return this.#days.get(day, key);
  }

  /** Remembers the maps an answer held. */
  learn(day: string, key: string, item: Record<string, unknown> | null | undefined): void {
    const namesOf = (map: unknown) => new Set(Object.keys((map as object | undefined) ?? {}));
    this.#days.add(day, key, { sv: namesOf(item?.sv), cv: namesOf(item?.cv) });
  }
}

/**
 * The nested increments, with the names the day has no room for summed under `other` (with
 * `squeeze`, every name not known to be there), and the names new to each dimension, for the
 * write's condition.
 */
export function fitNames(
  nested: readonly [BreakdownMap, string, number][],
  known: KnownNames,
  squeeze = false,
) {
  const fitted = new Map<string, [BreakdownMap, string, number]>();
  const fresh = { sv: new Set<string>(), cv: new Set<string>() };
  for (const [map, name, n] of nested) {
    const dimension = dimensionOf(map);
    const names = known[dimension];
    let kept = name;
    if (!names.has(name) && name !== OTHER) {
      const room = MAX_NAMES_PER_DAY - [...names].filter((x) => x !== OTHER).length;
      if (!squeeze && (fresh[dimension].has(name) || fresh[dimension].size < room)) {
        fresh[dimension].add(name);
      } else {
        kept = OTHER;
      }
    }
    if (kept === OTHER && !names.has(OTHER)) fresh[dimension].add(OTHER);
    const id = `${map} ${kept}`;
    fitted.set(id, [map, kept, (fitted.get(id)?.[2] ?? 0) + n]);
  }
  return { nested: [...fitted.values()], fresh };
}

/** The four maps a day's first write makes, holding that write's own names. */
export function mapsOf(nested: readonly [BreakdownMap, string, number][]) {
  const maps: Record<BreakdownMap, Record<string, number>> = { sv: {}, su: {}, cv: {}, cu: {} };
  for (const [map, name, n] of nested) maps[map][name] = (maps[map][name] ?? 0) + n;
  return maps;
}

/** A day's views and visitors maps of one dimension, as the domain names them. */
export function breakdownFrom(views: unknown, visitors: unknown): Breakdown {
  const counted = (map: unknown) => (map ?? {}) as Record<string, unknown>;
  const number = (value: unknown) => (typeof value === 'number' ? value : 0);
  const byName: Record<string, { views: number; visitors: number }> = {};
  for (const [name, n] of Object.entries(counted(views))) {
    byName[name] = { views: number(n), visitors: number(counted(visitors)[name]) };
  }
  return byName;
}

/**
 * What one function instance remembers about today, bounded: keys (keyed hashes, page keys)
 * added today, each with a value (a number unless said otherwise), at most `capacity` of them,
 * the oldest forgotten first. A new UTC day starts it empty. Losing an entry only costs a round trip later, never a wrong count: the store asks
 * DynamoDB whenever it does not remember.
 */
export class DayMemory<V = number> {
  #day = '';
  readonly #keys = new Map<string, V>();

  constructor(readonly capacity: number) {}

  has(day: string, key: string): boolean {
    return this.#day === day && this.#keys.has(key);
  }

  /** The value remembered with `key` today, if any. */
  get(day: string, key: string): V | undefined {
    return this.#day === day ? this.#keys.get(key) : undefined;
  }

  add(day: string, key: string, value: V = 1 as V): void {
    if (this.#day !== day) {
      this.#keys.clear();
      this.#day = day;
    }
    this.#keys.delete(key);
    this.#keys.set(key, value);
    if (this.#keys.size > this.capacity) {
      // A Map iterates in insertion order: the first is the longest unused.
      const oldest = this.#keys.keys().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#keys.delete(key);
  }

  get size(): number {
    return this.#keys.size;
  }
}

/** What one instance remembers about today: visitors on pages, pages that exist, limited keys. */
export const MEMORY = { visitors: 50_000, pages: 10_000, limited: 10_000 } as const;

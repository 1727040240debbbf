/**
 * What one function instance remembers about today, bounded: keys (keyed hashes, page keys)
 * added today, at most `capacity` of them, the oldest forgotten first. A new UTC day starts it
 * empty. Losing an entry only costs a round trip later, never a wrong count: the store asks
 * DynamoDB whenever it does not remember.
 */
export class DayMemory {
  #day = '';
  readonly #keys = new Set<string>();

  constructor(readonly capacity: number) {}

  has(day: string, key: string): boolean {
    return this.#day === day && this.#keys.has(key);
  }

  add(day: string, key: string): void {
    if (this.#day !== day) {
      this.#keys.clear();
      this.#day = day;
    }
    this.#keys.delete(key);
    this.#keys.add(key);
    if (this.#keys.size > this.capacity) {
      // A Set iterates in insertion order: the first is the longest unused.
      const oldest = this.#keys.values().next().value;
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

/** Numbers added to an item: `{ views: 1, visitors: 1 }`. */
export type Increments = Readonly<Record<string, number>>;

interface Waiting<T> {
  readonly increments: Increments;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * Atomic ADDs to one item, coalesced while one is on its way: the first caller's ADD is sent at
 * once; callers arriving while it is in flight wait and go together, as one ADD of their sums.
 * One request at a time (a Lambda instance) sends exactly what it asked for, with no delay; a
 * burst of N concurrent visits to one page in one process (the dev server) costs two or three
 * writes of that page instead of N queued behind each other (ADR 12).
 *
 * Each caller is answered as if the ADDs had been applied one by one in arrival order: from the
 * total after the whole batch, it gets that total less what the callers after it added. So N
 * concurrent visits still see N distinct view counts. A batch succeeds or fails as one write: a
 * failure is every member's, and (ADR 5) a write is retried only when it certainly never applied.
 */
export class Coalescer<T extends object | undefined> {
  readonly #queues = new Map<string, Waiting<T>[]>();

  /**
   * Adds `increments` to the item `key` through `send`, which makes one write of the given sums
   * and resolves to the item's numbers after it (or undefined when it returns none).
   */
  add(key: string, increments: Increments, send: (sums: Increments) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiting = { increments, resolve, reject };
      const queue = this.#queues.get(key);
      if (queue) {
        queue.push(waiting);
        return;
      }
      this.#queues.set(key, []);
      void this.#send(key, [waiting], send);
    });
  }

  /** Sends one batch, answers its members, then sends whoever arrived meanwhile. Never throws. */
  async #send(
    key: string,
    batch: readonly Waiting<T>[],
    send: (sums: Increments) => Promise<T>,
  ): Promise<void> {
    try {
      const result = await send(sum(batch.map((member) => member.increments)));
      // In arrival order, each as if applied alone up to its turn.
      let later: Increments = {};
      for (let i = batch.length - 1; i >= 0; i--) {
        const member = batch[i] as Waiting<T>;
        member.resolve((result === undefined ? result : less(result, later)) as T);
        later = sum([later, member.increments]);
      }
    } catch (error) {
      for (const member of batch) member.reject(error);
    }
    const next = this.#queues.get(key) ?? [];
    if (next.length === 0) {
      this.#queues.delete(key);
      return;
    }
    this.#queues.set(key, []);
    await this.#send(key, next, send);
  }
}

function sum(parts: readonly Increments[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const part of parts) {
    for (const [name, value] of Object.entries(part)) total[name] = (total[name] ?? 0) + value;
  }
  return total;
}

function less(total: object, later: Increments): object {
  const answer: Record<string, unknown> = { ...total };
  for (const [name, value] of Object.entries(later)) {
    const before = answer[name];
    if (typeof before === 'number') answer[name] = before - value;
  }
  return answer;
}

import { randomBytes } from 'node:crypto';
import { StorageUnavailableError } from '../../domain/store.js';
import { type Day, expiresAt } from '../../domain/visitor.js';
import type { VisitsDatabase } from '../index.js';
import type { Guard } from './guard.js';

/** Bytes of randomness in a day's salt. */
export const SALT_BYTES = 32;

const DAY_MS = 86_400_000;
const shift = (day: Day, days: number): Day =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * The days' salts, as one function instance keeps them. A day's salt is created race-free (the
 * first writer wins, every writer reads the winner back) and cached; tomorrow's is fetched with
 * today's, so midnight costs no visit a round trip; and the first instance to work on a day
 * erases the salt of the day before yesterday from its item, whatever DynamoDB's TTL (which may
 * take days) has done by then. Only yesterday's, today's and tomorrow's stay in memory.
 */
export class Salts {
  readonly #known = new Map<Day, Promise<Buffer>>();
  #latest: Day = '';

  constructor(
    private readonly database: VisitsDatabase,
    private readonly guard: Guard,
  ) {}

  /** The salt of `day`, fetched (or created) if this instance does not have it yet. */
  get(day: Day): Promise<Buffer> {
    if (day > this.#latest) this.#newDay(day).catch(() => {});
    return this.#fetch(day);
  }

  /**
   * Fetches today's and tomorrow's salts and erases the ones of two and three days ago;
   * resolves when all of it is done or has failed.
   */
  async prepare(day: Day): Promise<void> {
    await Promise.allSettled([this.get(day), this.#newDay(day)]);
  }

  /** The first request of a day: ahead of need, and out of the way of that request. */
  #day?: Promise<unknown>;
  #newDay(day: Day): Promise<unknown> {
    if (day === this.#latest && this.#day) return this.#day;
    this.#latest = day;
    for (const old of this.#known.keys()) if (old < shift(day, -1)) this.#known.delete(old);
    // The day before yesterday's, and the day before's in case that failed yesterday.
    this.#day = Promise.allSettled([
      this.#fetch(shift(day, 1)),
      this.#erase(shift(day, -2)),
      this.#erase(shift(day, -3)),
    ]);
    return this.#day;
  }

  #fetch(day: Day): Promise<Buffer> {
    let known = this.#known.get(day);
    if (!known) {
      known = this.guard(
        'salt',
        this.database.entities.salt
          .upsert({ day })
          .ifNotExists({
            value: randomBytes(SALT_BYTES).toString('base64'),
            expiresAt: expiresAt(day),
          })
          .go({ response: 'all_new', originalErr: true }),
      ).then(({ data }) => {
        if (!data.value) throw new StorageUnavailableError(`the salt of ${day} came back empty`);
        return Buffer.from(data.value, 'base64');
      });
      // A failed fetch is tried again by the next request that needs it.
      known.catch(() => this.#known.delete(day));
      this.#known.set(day, known);
    }
    return known;
  }

  /** Removes a past day's salt value from its item; failing is fine (the next day tries again). */
  #erase(day: Day): Promise<unknown> {
    return this.guard(
      'salt erasure',
      this.database.entities.salt
        .update({ day })
        .remove(['value'])
        .where(({ value }, { exists }) => exists(value))
        .go({ response: 'none', originalErr: true }),
    );
  }
}

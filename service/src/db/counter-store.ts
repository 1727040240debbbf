import { type CounterStore, StorageUnavailableError } from '../store.js';
import type { Database } from './index.js';
import { dynamodbLimits } from './limits.js';

export interface CounterStoreOptions {
  /** Hard limit for one operation, retries included. @default dynamodbLimits.operationDeadlineMs */
  readonly deadlineMs?: number;
}

/**
 * The CounterStore on the counter entity: one strongly consistent `GetItem` per read, one
 * `UpdateItem` with an atomic `ADD` per increment, each bounded by the operation deadline.
 */
export function createCounterStore(
  database: Database,
  options: CounterStoreOptions = {},
): CounterStore {
  const { counter } = database.entities;
  const deadlineMs = options.deadlineMs ?? dynamodbLimits.operationDeadlineMs;
  /**
   * Bounds one operation, retries included, with a plain timer: passing an abortSignal to the
   * SDK would switch off its middleware cache. A call that loses the race runs out on the SDK's
   * own limits in the background; for a write, that is the ambiguous case of ADR 5.
   */
  const guard = async <T>(operation: string, call: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
    });
    try {
      return await Promise.race([call, deadline]);
    } catch (error) {
      call.catch(() => {}); // the abandoned call may still fail later; nobody is waiting for it
      throw new StorageUnavailableError(`counter ${operation} failed`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  };
  // The AWS error as thrown, not wrapped in an ElectroError (which ElectroDB otherwise builds,
  // stack trace and all, on every call): it becomes our error's `cause`.
  const originalErr = true;

  return {
    views: async (page) => {
      const { data } = await guard(
        'read',
        // Strongly consistent, so a read after an increment sees it (one read unit, not half).
        counter.get({ page }).go({ consistent: true, originalErr }),
      );
      return data?.views ?? 0;
    },

    increment: async (page) => {
      const { data } = await guard(
        'increment',
        // One atomic ADD that creates the item on the first visit. Counted at most once per
        // request: the client retries an UpdateItem only after failures that prove it was not
        // applied (client.ts, ADR 5).
        counter.upsert({ page }).add({ views: 1 }).go({ response: 'updated_new', originalErr }),
      );
      if (data?.views === undefined) throw new Error(`increment of ${page} returned no count`);
      return data.views;
    },
  };
}

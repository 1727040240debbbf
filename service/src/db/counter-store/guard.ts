import { StorageUnavailableError } from '../../domain/store.js';

/** How the store runs a DynamoDB call: bounded in time, errors made `StorageUnavailableError`. */
export type Guard = <T>(operation: string, call: Promise<T>) => Promise<T>;

/**
 * Bounds one operation, retries included, with a plain timer: passing an abortSignal to the
 * SDK would switch off its middleware cache. A call that loses the race runs out on the SDK's
 * own limits in the background; for a write, that is the ambiguous case of ADR 5.
 */
export function deadlineGuard(deadlineMs: number): Guard {
  return async <T>(operation: string, call: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
    });
    try {
      return await Promise.race([call, deadline]);
    } catch (error) {
      call.catch(() => {}); // the abandoned call may still fail later; nobody is waiting for it
      if (error instanceof StorageUnavailableError) throw error;
      throw new StorageUnavailableError(`counter ${operation} failed`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  };
}

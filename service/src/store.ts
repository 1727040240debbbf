/** What the API needs from storage; the app depends on this, never on DynamoDB itself. */
export interface CounterStore {
  /** The page's views; 0 for a page never counted. Writes nothing. */
  views(page: string): Promise<number>;
  /** Adds one view atomically and returns the new total. */
  increment(page: string): Promise<number>;
}

/**
 * Storage could not answer (refused, timed out, throttled past retries, missing table).
 * The AWS error is kept as `cause` for the logs and never shown to a client.
 */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { testClient } from './dynalite.js';
import type { FaultProxy } from './fault-proxy.js';

/** A client of the proxy that knows how many of its requests are under way. */
export interface CountingClient {
  readonly client: DynamoDBClient;
  /** Requests sent (counted when `send` is called) and answered (or failed). */
  readonly calls: { sent: number; done: number };
}

/** A bounded client of `proxy`, counting its calls from the moment `send` is called. */
export function countingClient(proxy: FaultProxy): CountingClient {
  const client = testClient(proxy.endpoint);
  const calls = { sent: 0, done: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      calls.sent++;
      try {
        return await next(args);
      } finally {
        calls.done++;
      }
    },
    { step: 'initialize', priority: 'high', name: 'countCalls' },
  );
  return { client, calls };
}

export interface RoundTrips<T> {
  readonly value: T;
  /** How many times the client had to wait for DynamoDB's answers before it could go on. */
  readonly roundTrips: number;
  /** What crossed the wire meanwhile: each request's operation and body. */
  readonly requests: readonly { readonly operation: string; readonly body: string }[];
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `act` with every DynamoDB answer held at the proxy, and counts round trips on the wire,
 * without a clock: whenever every request under way has reached DynamoDB and its answer is held
 * (so the client can send nothing more until it hears back), the held answers are released
 * together, and that was one round trip. Requests sent in parallel fall in one; a request that
 * needed an earlier answer starts another.
 */
export async function countRoundTrips<T>(
  proxy: FaultProxy,
  { calls }: CountingClient,
  act: () => Promise<T>,
): Promise<RoundTrips<T>> {
  const firstSeen = proxy.seen.length;
  proxy.hold = true;
  let finished = false;
  const running = act().finally(() => {
    finished = true;
  });
  running.catch(() => {});
  let roundTrips = 0;
  try {
    for (;;) {
      await turn();
      if (finished) break;
      const underWay = calls.sent - calls.done;
      if (underWay === 0 || proxy.held !== underWay) continue;
      // Let the client react to everything it has had, then check it is still only waiting.
      await turn();
      await turn();
      if (!finished && calls.sent - calls.done === underWay && proxy.held === underWay) {
        proxy.release();
        roundTrips++;
      }
    }
  } finally {
    proxy.hold = false;
    proxy.release();
  }
  return { value: await running, roundTrips, requests: proxy.seen.slice(firstSeen) };
}

import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Time limits for one DynamoDB call. DynamoDB answers in single-digit milliseconds in-region,
 * so a request that takes a second is lost; failing fast turns a hung dependency into a 503
 * within seconds instead of a Lambda timeout.
 *
 * Worst case for a dependency that accepts connections and never answers:
 * MAX_ATTEMPTS x REQUEST_TIMEOUT_MS + backoff (standard retry mode: at most ~0.1 s then ~0.2 s
 * with jitter) ~= 3.3 s, capped at OPERATION_DEADLINE_MS by the store.
 */
export const dynamodbLimits = {
  /** TCP connect (plus TLS) to DynamoDB. */
  connectionTimeoutMs: 1_000,
  /** One HTTP request, from sending it to the response headers. */
  requestTimeoutMs: 1_000,
  /** Attempts per call, the first included; throttling and 5xx are retried with backoff. */
  maxAttempts: 3,
  /** Hard limit for one store operation, retries included. */
  operationDeadlineMs: 3_500,
  /** Sockets per agent: enough for bursts of hundreds of concurrent requests in one process. */
  maxSockets: 512,
} as const;

export type DynamoDBLimits = { -readonly [K in keyof typeof dynamodbLimits]: number };

export interface DynamoDBClientOptions {
  /** Endpoint override (dynalite, DynamoDB Local). */
  readonly endpoint?: string | undefined;
  /** Region; defaults to the SDK's own resolution (AWS_REGION in Lambda). */
  readonly region?: string;
  /** Credentials; defaults to the SDK's provider chain (the Lambda role in AWS). */
  readonly credentials?: DynamoDBClientConfig['credentials'];
  /** Overrides of `dynamodbLimits` (tests of sheer volume on a loaded machine). */
  readonly limits?: Partial<DynamoDBLimits>;
}

/** A DynamoDB client whose every call is bounded in time. */
export function createDynamoDBClient(options: DynamoDBClientOptions = {}): DynamoDBClient {
  const limits = { ...dynamodbLimits, ...options.limits };
  const agentOptions = { keepAlive: true, maxSockets: limits.maxSockets };
  const client = new DynamoDBClient({
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    maxAttempts: limits.maxAttempts,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: limits.connectionTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Without this, requestTimeout only logs a warning and the request waits forever.
      throwOnRequestTimeout: true,
      // A response that stalls after its headers (the SDK's default allows 5 minutes).
      socketTimeout: limits.requestTimeoutMs,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
    // Resolve each command's middleware once, not per call. Calls must then pass no per-call
    // options (an abortSignal would switch the cache off): the store's deadline is a timer.
    cacheMiddleware: true,
  });
  addWriteRetryRule(client);
  return client;
}

/**
 * A write failed in a way that leaves it unknown whether DynamoDB applied it (the request was
 * sent, then timed out, lost its connection or met a 5xx). Retrying could count a visit twice,
 * so it is not retried. The original error is kept as `original`, not `cause`: the SDK's retry
 * classification follows `cause` and would retry it after all.
 */
export class AmbiguousWriteError extends Error {
  override readonly name = 'AmbiguousWriteError';
  constructor(readonly original: unknown) {
    super(
      `write outcome unknown, not retried: ${(original as Error)?.message ?? String(original)}`,
    );
  }
}

// Rejected before DynamoDB did anything: throttled, or never connected. Safe to send again.
const REJECTED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'TooManyRequestsException',
  'InvalidSignatureException',
  'RequestExpired',
  'SignatureDoesNotMatch',
]);
const NEVER_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** True when the failed write certainly did not reach DynamoDB's storage. */
export function writeNeverApplied(error: unknown): boolean {
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  return (
    REJECTED.has(e?.name ?? '') ||
    e?.$metadata?.httpStatusCode === 429 ||
    NEVER_CONNECTED.has(e?.code ?? '') ||
    (e?.name === 'TimeoutError' && /did not establish a connection/.test(e.message ?? ''))
  );
}

/**
 * The write-retry rule as client middleware: an `UpdateItem` (our ADD) is retried only after
 * failures that certainly changed nothing. It runs inside the SDK's retry loop (finalizeRequest,
 * after the retry middleware) and outside the deserializer, so it sees both network errors and
 * DynamoDB's own exceptions. On the client, not the command, so the client can cache its
 * resolved middleware (`cacheMiddleware`), which saves ~0.3 ms a call.
 */
function addWriteRetryRule(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (context.commandName !== 'UpdateItemCommand' || writeNeverApplied(error)) throw error;
        throw new AmbiguousWriteError(error);
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'footfallRetryOnlyUnappliedWrites' },
  );
}

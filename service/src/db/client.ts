import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type DynamoDBLimits, dynamodbLimits } from './limits.js';

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
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return (
    REJECTED.has(e?.name ?? '') ||
    // DynamoDB answered and refused it (a failed condition, a bad request): nothing applied.
    (status >= 400 && status < 500) ||
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

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

export interface DynamoDBClientOptions {
  /** Endpoint override (dynalite, DynamoDB Local). */
  readonly endpoint?: string | undefined;
  /** Region; defaults to the SDK's own resolution (AWS_REGION in Lambda). */
  readonly region?: string;
  /** Credentials; defaults to the SDK's provider chain (the Lambda role in AWS). */
  readonly credentials?: DynamoDBClientConfig['credentials'];
}

/** A DynamoDB client whose every call is bounded in time. */
export function createDynamoDBClient(options: DynamoDBClientOptions = {}): DynamoDBClient {
  const agentOptions = { keepAlive: true, maxSockets: dynamodbLimits.maxSockets };
  return new DynamoDBClient({
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    maxAttempts: dynamodbLimits.maxAttempts,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: dynamodbLimits.connectionTimeoutMs,
      requestTimeout: dynamodbLimits.requestTimeoutMs,
      // Without this, requestTimeout only logs a warning and the request waits forever.
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  });
}

/**
 * Time limits for one DynamoDB call. DynamoDB answers in single-digit milliseconds in-region,
 * so a request that takes a second is lost; failing fast turns a hung dependency into a 503
 * within seconds instead of a Lambda timeout. Plain data: the client and the CDK stack (which
 * derives the function's timeout from the operation deadline) both import it.
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

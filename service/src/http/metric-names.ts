/**
 * The names of the metrics the function publishes (CloudWatch embedded metric format). Plain
 * data: the CDK stack's alarms read the same names.
 */
export const METRICS_NAMESPACE = 'footfall';

/**
 * The answers a deployment's canary judges a version by (ADR 16): counted by the function
 * itself, because neither Lambda nor API Gateway can say which version answered 5xx or 403. A
 * CloudWatch metric each, in the embedded metric format, by function and by version.
 */
export const answerMetrics = {
  namespace: METRICS_NAMESPACE,
  /** Requests the origin check refused (`403 forbidden`): CloudFront's secret missing or wrong. */
  originRefused: 'OriginRefused',
  /** Answers with a 5xx status (a 503 when storage is unavailable, a 500 on a bug). */
  serverErrors: 'ServerErrors',
  /**
   * Named as Lambda names its own: the function, and the version that ran (what
   * `AWS_LAMBDA_FUNCTION_VERSION` says, a number, also when invoked through an alias).
   */
  dimensions: { function: 'FunctionName', version: 'ExecutedVersion' },
  /** At most one log line a second per function instance, however many answers it counts. */
  flushIntervalMs: 1_000,
} as const;

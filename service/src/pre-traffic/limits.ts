/**
 * Time limits of the pre-traffic hook. Plain data: the hook's clients use it, and the CDK stack
 * can derive the hook function's timeout from it (`preTrafficHookWorstCaseMs`), the way the API
 * function's timeout follows the DynamoDB limits.
 */
/** The hook's checks, in the order they run; each one's name appears in its log line. */
export const CHECKS = ['health', 'read', 'increment', 'bad-request'] as const;

export const preTrafficLimits = {
  /** `CHECK_TIMEOUT_MS` when unset: one invocation, the new version's cold start included. */
  defaultCheckTimeoutMs: 5_000,
  /** The largest `CHECK_TIMEOUT_MS` accepted. */
  maxCheckTimeoutMs: 60_000,
  /** Invocations per run, one per check. */
  checks: CHECKS.length,
  /** TCP connect (plus TLS) to Lambda or CodeDeploy, in region. */
  connectionTimeoutMs: 2_000,
  /** One CodeDeploy request. */
  reportTimeoutMs: 5_000,
  /** Attempts to report: the report is idempotent, and without it the deployment hangs. */
  reportAttempts: 3,
} as const;

/**
 * The longest one run of the hook can take with checks that each take `checkTimeoutMs`: every
 * check just in time, then every report attempt connecting and timing out (plus ~1 s of retry
 * backoff). The hook function's timeout must be longer, or it can be stopped before it reports.
 */
export function preTrafficHookWorstCaseMs(
  checkTimeoutMs: number = preTrafficLimits.defaultCheckTimeoutMs,
): number {
  const { checks, reportAttempts, connectionTimeoutMs, reportTimeoutMs } = preTrafficLimits;
  return checks * checkTimeoutMs + reportAttempts * (connectionTimeoutMs + reportTimeoutMs) + 1_000;
}

/**
 * Every deploy default and naming rule, written once. `config.ts` falls back to these, the
 * constructs default their props to them, and `cdk.json` holds only what differs from them.
 */
export const deployDefaults = {
  /** The GitHub environment the deploy job runs in; the deploy role trusts only this one. */
  environmentName: 'production',
  /** The GitHub environment the staging deploy job runs in; the staging role trusts only this one. */
  stagingEnvironmentName: 'staging',
  /** Deploy a staging copy (`FootfallStaging`) and smoke-test it before production. */
  staging: true,
  /** Steady-state requests per second the HTTP API accepts. */
  throttleRateLimit: 50,
  /** Burst the HTTP API accepts above the rate. */
  throttleBurstLimit: 100,
  /** CDK's default bootstrap qualifier, whose roles the deploy role may assume. */
  bootstrapQualifier: 'hnb659fds',
  /** Accept the origin secret's previous value too (only while rotating it, ADR 9). */
  acceptPreviousOriginSecret: false,
  /**
   * The table's on-demand ceiling, per second, as a multiple of the API's burst: a visit is at
   * most four one-unit writes (ADR 8), a read one unit; past it DynamoDB throttles (503s), so a
   * flood costs at most this much.
   */
  tableUnitsPerBurstRequest: 4,
  /**
   * Concurrent executions reserved for the API function; 0 reserves none. Off by default: a new
   * account's concurrency quota is 10, all of which Lambda keeps unreserved, so any reservation
   * fails the deploy there.
   */
  reservedConcurrency: 0,
  /** A monthly AWS Budgets cost alarm, in US dollars, emailed to alarmEmail; 0: none. */
  monthlyBudgetUsd: 10,
  /** Requests per 5 minutes one address may send to /api/* before WAF blocks it; 0: no WAF. */
  wafRateLimit: 0,
} as const;

/** `OWNER/REPO` as GitHub allows them (an owner is 1-39 characters). */
export const REPOSITORY_PATTERN = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;

/** A GitHub repository's or account's numeric id (immutable: never reused, kept across renames). */
export const GITHUB_ID_PATTERN = /^[1-9][0-9]{0,19}$/;

/** A GitHub environment name. */
export const ENVIRONMENT_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,255}$/;

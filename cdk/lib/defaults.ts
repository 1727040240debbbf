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
  /**
   * The origin secret's version CloudFront sends: 0 is the value the stack generated, N the one
   * the rotation runbook labelled `footfall-origin-N` (ADR 18).
   */
  originSecretVersion: 0,
  /** Accept the version before `originSecretVersion` too (only while rotating, ADR 18). */
  acceptPreviousOriginSecret: false,
  /**
   * The counts table's on-demand ceilings (`tableMaxReadRequestUnits`, `tableMaxWriteRequestUnits`)
   * per second, as a multiple of the API's burst; past them DynamoDB throttles (the API answers
   * 503), so a flood costs at most this much. Every item is under 1 KB, so an item written is one
   * write unit (ADR 12): a person's visit writes at most four counts items (the page's counter,
   * the page's day, the site's day and, when it creates the page, the site's record; two visits
   * racing to create one page cost a couple more), a bot's at most three. A visit reads at most
   * one unit there; the multiple leaves room for GET requests, which read a page's counts (one
   * unit) or a range of its days (one unit per 4 KB: a month's a few, a year's about 13). The
   * by-site index's and the visits table's ceilings follow from these: `unitsPerBurstRequest`.
   */
  tableUnitsPerBurstRequest: 4,
  /**
   * Concurrent executions reserved for the API function; 0 reserves none. Off by default: a new
   * account's concurrency quota is 10, all of which Lambda keeps unreserved, so any reservation
   * fails the deploy there.
   */
  reservedConcurrency: 0,
  /** A monthly AWS Budgets cost alarm, in US dollars, e-mailed to alertEmail; 0: none. */
  monthlyBudgetUsd: 10,
  /** Requests per 5 minutes one address may send to /api/* before WAF blocks it; 0: no WAF. */
  wafRateLimit: 0,
  /**
   * With WAF on: requests per 5 minutes one address may send to any path of the site (its pages,
   * assets and the API alike) before WAF blocks it. About 7 a second, sustained: a person reading
   * the site makes a few dozen requests a page, and the cost of an address held at the limit is in
   * docs/costs.md.
   */
  wafSiteRateLimit: 2000,
} as const;

/**
 * The units one request of the API's burst may use in the counts table's by-site index and in the
 * visits table, beside the counts table's `tableUnitsPerBurstRequest` (ADR 12; every item under
 * 1 KB: one unit an item written or strongly read).
 *
 * - The index: the page's counter is copied into it, so one write a visit (a bot's too); it
 *   answers GET /api/pages, a query like the table's reads.
 * - The visits table: at most three writes a visit (the visitor's record, the view quota and,
 *   when the visit creates a page, the address's page quota, given back in one more if the site
 *   is full) and at most one read (a refused view's quota); the day's salts add a few writes an
 *   instance a day.
 */
export const unitsPerBurstRequest = {
  bySiteIndex: { read: deployDefaults.tableUnitsPerBurstRequest, write: 1 },
  visits: { read: 1, write: 3 },
} as const;

/** On-demand ceilings, in request units per second. */
export interface RequestUnitCeilings {
  readonly read: number;
  readonly write: number;
}

/**
 * The by-site index's and the visits table's ceilings, in proportion to the counts table's, so
 * the two settings `tableMaxReadRequestUnits` and `tableMaxWriteRequestUnits` size all three: a
 * rate of visits the counts table can take, the other two can take as well.
 */
export function requestUnitCeilings(counts: RequestUnitCeilings): {
  readonly counts: RequestUnitCeilings;
  readonly bySiteIndex: RequestUnitCeilings;
  readonly visits: RequestUnitCeilings;
} {
  const share = (units: number, perRequest: number) =>
    Math.max(1, Math.ceil((units * perRequest) / deployDefaults.tableUnitsPerBurstRequest));
  const like = ({ read, write }: RequestUnitCeilings) => ({
    read: share(counts.read, read),
    write: share(counts.write, write),
  });
  return {
    counts,
    bySiteIndex: like(unitsPerBurstRequest.bySiteIndex),
    visits: like(unitsPerBurstRequest.visits),
  };
}

/** `OWNER/REPO` as GitHub allows them (an owner is 1-39 characters). */
export const REPOSITORY_PATTERN = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;

/** A GitHub repository's or account's numeric id (immutable: never reused, kept across renames). */
export const GITHUB_ID_PATTERN = /^[1-9][0-9]{0,19}$/;

/** A GitHub environment name. */
export const ENVIRONMENT_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,255}$/;

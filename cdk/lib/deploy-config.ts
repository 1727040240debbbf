import { parseAddressList, parseLimit, parseOrigin } from '../../service/src/config.js';
import {
  countingLimits,
  defaultViewsPerNetwork,
} from '../../service/src/domain/counting-limits.js';
import {
  deployDefaults,
  ENVIRONMENT_NAME_PATTERN,
  GITHUB_ID_PATTERN,
  REPOSITORY_PATTERN,
} from './defaults.js';
import { maxOriginSecretVersion, rotationProblem } from './origin-secret-versions.js';

/** Everything a deployment of footfall can be told, in one place. */
export interface DeployConfig {
  /** `OWNER/REPO` whose GitHub Actions may deploy; undefined skips the deploy-access stack. */
  readonly repository: string | undefined;
  /**
   * The repository's numeric id (`GET /repos/OWNER/REPO` → `id`): the deploy roles trust only
   * this repository, so a renamed or re-created one cannot inherit them. Required with
   * `repository`; `npm run bootstrap` supplies it.
   */
  readonly repositoryId: string | undefined;
  /**
   * The owner's numeric id, set when the repository uses GitHub's immutable OIDC subjects
   * (`repo:OWNER@OWNER_ID/REPO@REPO_ID:…`); undefined: the name-only form.
   */
  readonly repositoryOwnerId: string | undefined;
  /** The GitHub environment the production deploy job runs in; its role trusts only this one. */
  readonly environmentName: string;
  /** Whether a staging copy (`FootfallStaging`) is deployed and smoke-tested before production. */
  readonly staging: boolean;
  /** Origins granted CORS for embedding the counter elsewhere. */
  readonly allowedOrigins: readonly string[];
  /** Custom domain for the site, with the Route 53 zone it lives in. */
  readonly domain:
    | { readonly name: string; readonly hostedZoneId: string; readonly zoneName: string }
    | undefined;
  /** Steady-state requests per second the HTTP API accepts. */
  readonly throttleRateLimit: number;
  /** Burst the HTTP API accepts above the rate. */
  readonly throttleBurstLimit: number;
  /**
   * Where alarms, the budget and application-link alerts are e-mailed; undefined: alarms and
   * alerts only show in AWS. Read from `alarmEmail` too, its old name.
   */
  readonly alertEmail: string | undefined;
  /** ARN of an existing GitHub OIDC provider in the account (there can be only one). */
  readonly githubOidcProviderArn: string | undefined;
  /** The CDK bootstrap qualifier whose roles the deploy role may assume. */
  readonly bootstrapQualifier: string;
  /**
   * The origin secret's version CloudFront sends and the function accepts: 0, the value the stack
   * generated; N, the value the rotation runbook labelled `footfall-origin-N` (ADR 18).
   */
  readonly originSecretVersion: number;
  /** The middle step of a rotation: the function accepts version N-1 too (ADR 18). */
  readonly acceptPreviousOriginSecret: boolean;
  /**
   * The counts table's on-demand maximum read and write request units per second; its index's and
   * the visits table's follow from them (`requestUnitCeilings`).
   */
  readonly tableMaxReadRequestUnits: number;
  readonly tableMaxWriteRequestUnits: number;
  /** Concurrent executions reserved for (and capping) the API function; 0: none. */
  readonly reservedConcurrency: number;
  /** The monthly cost budget in US dollars; 0: no budget. */
  readonly monthlyBudgetUsd: number;
  /** WAF's per-address limit on /api/* and /r/* per 5 minutes; 0: no WAF. */
  readonly wafRateLimit: number;
  /** With WAF: its per-address limit on every path of the distribution, per 5 minutes. */
  readonly wafSiteRateLimit: number;
  /** Views one address may add to one page a UTC day (`VIEWS_PER_ADDRESS_PER_DAY`); 0: no limit. */
  readonly viewsPerAddressPerDay: number;
  /** Views one IPv6 /48 may add to one page a UTC day (`VIEWS_PER_NETWORK_PER_DAY`); 0: no limit. */
  readonly viewsPerNetworkPerDay: number;
  /** Page counters one address may create a UTC day (`NEW_PAGES_PER_ADDRESS_PER_DAY`); 0: no limit. */
  readonly newPagesPerAddressPerDay: number;
  /** Page counters one site may hold (`MAX_PAGES_PER_SITE`). */
  readonly maxPagesPerSite: number;
  /** Addresses and CIDR ranges whose POSTs are never counted (`EXCLUDED_ADDRESSES`). */
  readonly excludedAddresses: readonly string[];
}

/** One bad value fails synth with every problem named. */
export class DeployConfigError extends Error {
  override readonly name = 'DeployConfigError';
}

export interface ConfigSources {
  /** CDK context (`cdk.json`, `-c key=value`). */
  readonly context: (key: string) => unknown;
  /**
   * The environment; only `GITHUB_REPOSITORY` (a fallback for `repository`) and, with it,
   * `GITHUB_REPOSITORY_ID` (for `repositoryId`) are read: GitHub Actions sets both.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Told, one line each, about a setting that still works but should change (an old name).
   * @default - not told
   */
  readonly warn?: (line: string) => void;
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Reads and validates the deploy configuration: CDK context first, the environment second. */
export function parseDeployConfig({ context, env, warn }: ConfigSources): DeployConfig {
  const problems: string[] = [];
  // Said only when the configuration is accepted: a refused one says what to fix instead.
  const notices: string[] = [];
  const text = (key: string, value: unknown = context(key)): string | undefined => {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') {
      problems.push(`${key}: must be a string, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value.trim();
  };
  const check = <T>(
    key: string,
    value: T | undefined,
    valid: (value: T) => boolean,
    rule: string,
  ) => {
    if (value !== undefined && !valid(value))
      problems.push(`${key}: ${JSON.stringify(value)} ${rule}`);
    return value;
  };
  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const value = context(key);
    if (value === undefined || value === null || value === '') return fallback;
    const number = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      problems.push(
        `${key}: ${JSON.stringify(value)} must be a whole number from ${min} to ${max}`,
      );
      return fallback;
    }
    return number;
  };

  const repositoryFromContext = text('repository');
  const repository = check(
    'repository',
    repositoryFromContext ?? (env.GITHUB_REPOSITORY?.trim() || undefined),
    (value) => REPOSITORY_PATTERN.test(value),
    'must be OWNER/REPO (set context "repository" or GITHUB_REPOSITORY)',
  );
  // The id goes with the name it came with: GITHUB_REPOSITORY_ID only with GITHUB_REPOSITORY.
  const digits = (key: string): string | undefined => {
    const value = context(key);
    return text(key, typeof value === 'number' ? String(value) : value);
  };
  const repositoryId = check(
    'repositoryId',
    digits('repositoryId') ??
      (repositoryFromContext ? undefined : env.GITHUB_REPOSITORY_ID?.trim() || undefined),
    (value) => GITHUB_ID_PATTERN.test(value),
    "is not a GitHub repository id (digits: GET /repos/OWNER/REPO's id)",
  );
  if (repository && !repositoryId) {
    problems.push(
      'repositoryId: required with repository (the deploy roles trust the repository by its id ' +
        'as well as its name; npm run bootstrap sets it)',
    );
  }
  const repositoryOwnerId = check(
    'repositoryOwnerId',
    digits('repositoryOwnerId'),
    (value) => GITHUB_ID_PATTERN.test(value),
    'is not a GitHub account id (digits)',
  );
  const environmentName =
    check(
      'environmentName',
      text('environmentName'),
      (v) => ENVIRONMENT_NAME_PATTERN.test(v),
      'is not a GitHub environment name',
    ) ?? deployDefaults.environmentName;

  /**
   * A list in cdk.json, or a comma-separated string (`-c`), each entry checked by `parse`. Commas
   * separate entries inside a list's strings too, so "use commas" is right advice either way.
   */
  const list = <T>(key: string, parse: (entry: string) => T): T[] => {
    const value = context(key);
    if (value === undefined || value === null || value === '') return [];
    const entries = (Array.isArray(value) ? value : [value]).flatMap((entry) =>
      String(entry).split(','),
    );
    return entries.flatMap((entry) => {
      const trimmed = String(entry).trim();
      if (trimmed === '') return [];
      try {
        return [parse(trimmed)];
      } catch (error) {
        problems.push(`${key}: ${(error as Error).message}`);
        return [];
      }
    });
  };
  /** A counting limit, checked by the service's own parser against its own bounds. */
  const limit = (key: string, fallback: number, bounds: Parameters<typeof parseLimit>[1]) => {
    const value = context(key);
    if (value === undefined || value === null || value === '') return fallback;
    const raw = typeof value === 'string' ? value.trim() : JSON.stringify(value);
    try {
      return parseLimit(raw, bounds);
    } catch (error) {
      problems.push(`${key}: ${(error as Error).message}`);
      return fallback;
    }
  };

  const allowedOrigins = list('allowedOrigins', parseOrigin);

  const domainName = check(
    'domainName',
    text('domainName')?.toLowerCase(),
    (v) => HOSTNAME.test(v),
    'is not a domain name',
  );
  const hostedZoneId = check(
    'hostedZoneId',
    text('hostedZoneId'),
    (v) => /^Z[A-Z0-9]{1,32}$/.test(v),
    'is not a Route 53 hosted zone id',
  );
  const zoneName = check(
    'hostedZoneName',
    text('hostedZoneName')?.toLowerCase(),
    (v) => HOSTNAME.test(v),
    'is not a domain name',
  );
  const domainParts = [domainName, hostedZoneId, zoneName].filter(
    (part) => part !== undefined,
  ).length;
  if (domainParts !== 0 && domainParts !== 3) {
    problems.push('domainName, hostedZoneId and hostedZoneName go together: set all three or none');
  } else if (
    domainName &&
    zoneName &&
    domainName !== zoneName &&
    !domainName.endsWith(`.${zoneName}`)
  ) {
    problems.push(`domainName: "${domainName}" is not inside hostedZoneName "${zoneName}"`);
  }

  const throttleRateLimit = integer(
    'throttleRateLimit',
    deployDefaults.throttleRateLimit,
    1,
    10_000,
  );
  const throttleBurstLimit = integer(
    'throttleBurstLimit',
    deployDefaults.throttleBurstLimit,
    1,
    5_000,
  );
  const email = (key: string) =>
    check(key, text(key), (v) => EMAIL.test(v), 'is not an email address');
  // `alarmEmail` was this setting's name before it carried link alerts too: it still works.
  const alertEmail = email('alertEmail');
  const alarmEmail = email('alarmEmail');
  if (alarmEmail !== undefined && alertEmail !== undefined && alertEmail !== alarmEmail) {
    problems.push(
      'alarmEmail: the old name of alertEmail, and both are set to different addresses: keep alertEmail only',
    );
  } else if (alarmEmail !== undefined) {
    notices.push(
      "deploy setting alarmEmail is now alertEmail (it carries link alerts too): rename it in cdk.json's context; the old name still works",
    );
  }
  const githubOidcProviderArn = check(
    'githubOidcProviderArn',
    text('githubOidcProviderArn'),
    (v) =>
      /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(v),
    "is not the ARN of GitHub's OIDC provider",
  );
  const bootstrapQualifier =
    check(
      'bootstrapQualifier',
      text('bootstrapQualifier'),
      (v) => /^[a-z0-9]{1,10}$/.test(v),
      'is not a CDK bootstrap qualifier',
    ) ?? deployDefaults.bootstrapQualifier;

  const flag = (key: string, fallback: boolean): boolean => {
    const value = context(key);
    if (value === undefined || value === null || value === '') return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    problems.push(`${key}: ${JSON.stringify(value)} must be true or false`);
    return fallback;
  };
  const originSecretVersion = integer(
    'originSecretVersion',
    deployDefaults.originSecretVersion,
    0,
    maxOriginSecretVersion,
  );
  const acceptPreviousOriginSecret = flag(
    'acceptPreviousOriginSecret',
    deployDefaults.acceptPreviousOriginSecret,
  );
  const rotation = rotationProblem(originSecretVersion, acceptPreviousOriginSecret);
  if (rotation) problems.push(rotation);
  const staging = flag('staging', deployDefaults.staging);
  const derivedUnits = deployDefaults.tableUnitsPerBurstRequest * throttleBurstLimit;
  const tableMaxReadRequestUnits = integer('tableMaxReadRequestUnits', derivedUnits, 1, 40_000);
  const tableMaxWriteRequestUnits = integer('tableMaxWriteRequestUnits', derivedUnits, 4, 40_000);
  const reservedConcurrency = integer(
    'reservedConcurrency',
    deployDefaults.reservedConcurrency,
    0,
    10_000,
  );
  const monthlyBudgetUsd = integer(
    'monthlyBudgetUsd',
    deployDefaults.monthlyBudgetUsd,
    0,
    1_000_000,
  );
  const wafRateLimit = integer('wafRateLimit', deployDefaults.wafRateLimit, 0, 2_000_000_000);
  if (wafRateLimit !== 0 && wafRateLimit < 10) {
    problems.push(`wafRateLimit: ${wafRateLimit} is below WAF's minimum of 10 (0 turns WAF off)`);
  }
  const wafSiteRateLimit = integer(
    'wafSiteRateLimit',
    deployDefaults.wafSiteRateLimit,
    10,
    2_000_000_000,
  );

  // The same settings, defaults and bounds as the function's environment (service/src/config.ts).
  const viewsPerAddressPerDay = limit(
    'viewsPerAddressPerDay',
    countingLimits.viewsPerAddressPerDay.default,
    countingLimits.viewsPerAddressPerDay,
  );
  const viewsPerNetworkPerDay = limit(
    'viewsPerNetworkPerDay',
    defaultViewsPerNetwork(viewsPerAddressPerDay),
    countingLimits.viewsPerNetworkPerDay,
  );
  const newPagesPerAddressPerDay = limit(
    'newPagesPerAddressPerDay',
    countingLimits.newPagesPerAddressPerDay.default,
    countingLimits.newPagesPerAddressPerDay,
  );
  const maxPagesPerSite = limit(
    'maxPagesPerSite',
    countingLimits.maxPagesPerSite.default,
    countingLimits.maxPagesPerSite,
  );
  // Each entry on its own, so that every bad one is named; kept as written.
  const excludedAddresses = list('excludedAddresses', (entry) => {
    parseAddressList(entry);
    return entry;
  });

  if (problems.length > 0) {
    throw new DeployConfigError(`invalid deploy configuration:\n  ${problems.join('\n  ')}`);
  }
  for (const notice of notices) warn?.(notice);
  return {
    repository,
    repositoryId,
    repositoryOwnerId,
    environmentName,
    staging,
    allowedOrigins,
    domain:
      domainName && hostedZoneId && zoneName
        ? { name: domainName, hostedZoneId, zoneName }
        : undefined,
    throttleRateLimit,
    throttleBurstLimit,
    alertEmail: alertEmail ?? alarmEmail,
    githubOidcProviderArn,
    bootstrapQualifier,
    originSecretVersion,
    acceptPreviousOriginSecret,
    tableMaxReadRequestUnits,
    tableMaxWriteRequestUnits,
    reservedConcurrency,
    monthlyBudgetUsd,
    wafRateLimit,
    wafSiteRateLimit,
    viewsPerAddressPerDay,
    viewsPerNetworkPerDay,
    newPagesPerAddressPerDay,
    maxPagesPerSite,
    excludedAddresses,
  };
}

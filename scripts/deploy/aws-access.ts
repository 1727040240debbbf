/**
 * Where and as whom AWS would be used, checked before anything runs: the region, the profile
 * `AWS_PROFILE` names, and the credentials (one STS GetCallerIdentity). Shared by `npm run
 * bootstrap` and the deploy pre-flight (`scripts/deploy/preflight/main.ts`), so both say the same thing about
 * the same problem. Everything but `checkAwsAccess` is pure.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Problem } from './problems.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The variables the CDK CLI reads a region from, in its order, before the profile's `region`
 * (`aws-cdk`'s `region()`): the pre-flight checks the region `cdk deploy` would use.
 */
export const REGION_VARIABLES = [
  'AWS_REGION',
  'AMAZON_REGION',
  'AWS_DEFAULT_REGION',
  'AMAZON_DEFAULT_REGION',
] as const;

/** The first region variable set, and its name. */
export function regionFromEnvironment(env: Env): { region: string; source: string } | undefined {
  for (const name of REGION_VARIABLES) {
    const region = env[name]?.trim();
    if (region) return { region, source: name };
  }
  return undefined;
}

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export function regionProblem(
  found: { region: string; source: string } | undefined,
  profile: string | undefined,
): Problem | undefined {
  const example = 'export AWS_REGION=eu-west-1 (the region to deploy to)';
  if (!found) {
    return {
      what: 'no AWS region is set',
      fix: profile
        ? `${example}, or add region = … under [profile ${profile}] in your AWS config`
        : `${example}, or add region = … to your AWS profile`,
    };
  }
  if (!REGION_NAME.test(found.region)) {
    return {
      what: `${found.source} "${found.region}" is not an AWS region`,
      fix: 'set it to a region code such as eu-west-1 or us-east-1',
    };
  }
  return undefined;
}

/** Where the SDK (and the AWS CLI) look for profiles. */
export function profileFiles(env: Env): { config: string; credentials: string } {
  const home = (path: string) => (path.startsWith('~/') ? join(homedir(), path.slice(2)) : path);
  return {
    config: home(env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config')),
    credentials: home(env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials')),
  };
}

/**
 * The profiles two INI files define: `[default]` and `[profile NAME]` in the config file,
 * `[NAME]` in the credentials file (`[sso-session …]` and `[services …]` are not profiles).
 */
export function profileNames(configText: string, credentialsText: string): string[] {
  const sections = (text: string) =>
    [...text.matchAll(/^\s*\[\s*([^\]]+?)\s*\]/gm)].map((match) => match[1] ?? '');
  const names = new Set<string>();
  for (const section of sections(configText)) {
    if (section === 'default') names.add('default');
    const profile = section.match(/^profile\s+(.+)$/)?.[1];
    if (profile) names.add(profile.trim());
  }
  for (const section of sections(credentialsText)) names.add(section);
  return [...names].sort();
}

export function missingProfileProblem(
  profile: string,
  known: readonly string[],
  files: { config: string; credentials: string },
): Problem {
  const create = `create it (aws configure sso --profile ${profile}, or aws configure --profile ${profile})`;
  return {
    what: `AWS_PROFILE names the profile "${profile}", which is in neither ${files.config} nor ${files.credentials}`,
    fix:
      known.length > 0
        ? `set AWS_PROFILE to one you have (${known.join(', ')}), or ${create}`
        : `${create}, or unset AWS_PROFILE`,
  };
}

/** Error codes of a request that never got an answer from AWS. */
export const NETWORK_ERROR_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

/** AWS's ways of saying "these credentials are not good". */
export const REFUSED_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'InvalidSignatureException',
  'IncompleteSignature',
  'RequestExpired',
  'AccessDenied',
  'AccessDeniedException',
]);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** True when the request did not reach AWS or got no answer: DNS, refused, reset, timed out. */
export function isNetworkError(error: unknown): boolean {
  const e = (error ?? {}) as ErrorLike;
  if (e.$metadata?.httpStatusCode) return false;
  return (
    NETWORK_ERROR_CODES.has(e.code ?? '') ||
    e.name === 'TimeoutError' ||
    (e.cause !== undefined && e.cause !== error && isNetworkError(e.cause))
  );
}

const summary = (error: unknown) => {
  const e = (error ?? {}) as ErrorLike;
  // The SDK's HTTP handler prefixes its own timeouts with its name.
  const message = (e.message ?? String(error)).replace(/^@smithy\/[\w-]+ - \[\w+\] /, '').trim();
  return e.name && e.name !== 'Error' ? `${e.name}: ${message}` : message;
};

/** A network failure: not the credentials' fault, and said so. */
export function unreachableProblem(service: string, error: unknown): Problem {
  return {
    what: `could not reach AWS ${service} (${summary(error)})`,
    fix: 'check your internet connection, proxy or VPN (and any AWS_ENDPOINT_URL… setting), then run this again',
  };
}

/** Why GetCallerIdentity (or the credential chain before it) failed, and what to do. */
export function credentialsProblem(error: unknown, profile: string | undefined): Problem {
  const e = (error ?? {}) as ErrorLike;
  if (isNetworkError(error)) return unreachableProblem('STS', error);
  if (e.name === 'CredentialsProviderError' || e.name === 'ProviderError') {
    if (profile && /\bSSO\b/i.test(e.message ?? '')) {
      return {
        what: `the SSO session of AWS_PROFILE=${profile} has expired or was never started`,
        fix: `aws sso login --profile ${profile}, then run this again`,
      };
    }
    if (profile) {
      return {
        what: `AWS_PROFILE=${profile} gives no credentials (${summary(error)})`,
        fix: `check the profile (aws configure list --profile ${profile}) and sign in again`,
      };
    }
    return {
      what: 'no AWS credentials were found',
      fix:
        'sign in first: aws sso login --profile NAME, then export AWS_PROFILE=NAME ' +
        '(or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
    };
  }
  if (REFUSED_CREDENTIALS.has(e.name ?? '') || e.$metadata?.httpStatusCode === 403) {
    return {
      what: `AWS refused these credentials (${summary(error)})`,
      fix: profile
        ? `they are expired, revoked or mistyped: sign in again (aws sso login --profile ${profile}, or new access keys)`
        : 'they are expired, revoked or mistyped: sign in again (aws sso login, or new access keys)',
    };
  }
  return {
    what: `AWS could not say who you are (${summary(error)})`,
    fix: 'run this again in a minute; if it goes on, see https://health.aws.amazon.com',
  };
}

/** Bounded: a dead network fails in seconds, not after the SDK's default minutes. */
export const awsCheckClientOptions = () => ({
  maxAttempts: 2,
  requestHandler: new NodeHttpHandler({
    connectionTimeout: 3_000,
    requestTimeout: 5_000,
    throwOnRequestTimeout: true,
  }),
});

export interface AwsAccess {
  /** The region the CDK CLI would use; undefined when none is set (or it is not a region). */
  readonly region: string | undefined;
  /** Who the credentials are; undefined when they do not work. */
  readonly identity:
    | { readonly account: string; readonly arn: string; readonly partition: string }
    | undefined;
  /** Everything missing, each with its fix; empty when the region and the credentials work. */
  readonly problems: readonly Problem[];
}

/**
 * The region (as the CDK CLI finds it), the profile, and the credentials, all checked in one
 * go so that every problem is reported at once. `env` is the process's environment (the entry
 * point passes it), which the SDK reads too.
 */
export async function checkAwsAccess(env: Env): Promise<AwsAccess> {
  const problems: Problem[] = [];
  const profile = env.AWS_PROFILE?.trim() || undefined;
  let profileExists = true;
  if (profile) {
    const files = profileFiles(env);
    const read = (path: string) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return '';
      }
    };
    const known = profileNames(read(files.config), read(files.credentials));
    if (!known.includes(profile)) {
      profileExists = false;
      problems.push(missingProfileProblem(profile, known, files));
    }
  }

  let found = regionFromEnvironment(env);
  if (!found && profileExists) {
    const probe = new STSClient({});
    try {
      found = { region: await probe.config.region(), source: 'your AWS profile' };
    } catch {
      // No region in the profile either.
    } finally {
      probe.destroy();
    }
  }
  const badRegion = regionProblem(found, profile);
  if (badRegion) problems.push(badRegion);
  const region = badRegion ? undefined : found?.region;
  // Without a profile there are no credentials to ask about: its problem says what to do.
  if (!profileExists) return { region, identity: undefined, problems };

  // STS answers in any region: without one, the credentials are still checked.
  const sts = new STSClient({ region: region ?? 'us-east-1', ...awsCheckClientOptions() });
  try {
    const { Account, Arn } = await sts.send(new GetCallerIdentityCommand({}));
    if (!Account || !Arn) throw new Error('GetCallerIdentity named no account');
    const identity = { account: Account, arn: Arn, partition: Arn.split(':')[1] ?? 'aws' };
    return { region, identity, problems };
  } catch (error) {
    problems.push(credentialsProblem(error, profile));
    return { region, identity: undefined, problems };
  } finally {
    sts.destroy();
  }
}

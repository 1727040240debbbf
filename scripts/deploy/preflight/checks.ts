/**
 * What `npm run deploy` and `npm run diff` check before building or starting `cdk`: a region,
 * working credentials (both from `aws-access.ts`, shared with `npm run bootstrap`), CDK's
 * bootstrap in every region `cdk deploy Footfall` deploys to, an address for the alerts, and
 * everything else the templates need that the deploy does not create (footfall's execution policy
 * and boundary on CDK's execution role, the boundary policy, the custom domain's hosted zone), so
 * that a first deploy cannot fail half-way. Pure functions; the runner is
 * `scripts/deploy/preflight/main.ts`, the reads are in `prerequisites.ts`.
 */
import type { DeployConfig } from '../../../cdk/lib/deploy-config.js';
import { bootstrapPolicyNames, stackNames } from '../../../cdk/lib/deploy-names.js';
import { isNetworkError, unreachableProblem } from '../aws-access.js';
import { bootstrapCommand, describeCommand } from '../bootstrap/plan.js';
import type { Problem } from '../problems.js';

/** The stack `npm run deploy` and `npm run diff` name: production. */
export const PREFLIGHT_STACK = stackNames.app;

/** Where CloudFront's certificate and web ACL must live. */
export const CLOUDFRONT_REGION = 'us-east-1';

export interface DeployRegion {
  readonly region: string;
  /** The stacks deployed there, for messages. */
  readonly stacks: readonly string[];
}

/**
 * The regions `cdk deploy Footfall` deploys to: the app's, and us-east-1 for the stacks it
 * depends on there (the certificate with a custom domain, the web ACL with `wafRateLimit`).
 * Each must be bootstrapped.
 */
export function deployRegions(
  config: Pick<DeployConfig, 'domain' | 'wafRateLimit'>,
  appRegion: string,
): DeployRegion[] {
  const edge = [
    ...(config.domain ? [stackNames.certificate] : []),
    ...(config.wafRateLimit > 0 ? [`${stackNames.app}Waf`] : []),
  ];
  if (edge.length === 0) return [{ region: appRegion, stacks: [stackNames.app] }];
  if (appRegion === CLOUDFRONT_REGION) {
    return [{ region: appRegion, stacks: [...edge, stackNames.app] }];
  }
  return [
    { region: appRegion, stacks: [stackNames.app] },
    { region: CLOUDFRONT_REGION, stacks: edge },
  ];
}

/** The SSM parameter `cdk bootstrap` writes and every footfall template checks. */
export const bootstrapVersionParameter = (qualifier: string) =>
  `/cdk-bootstrap/${qualifier}/version`;

/** What SSM said about the bootstrap version parameter. */
export type BootstrapState =
  | { readonly state: 'bootstrapped'; readonly version: string }
  | { readonly state: 'missing' }
  | { readonly state: 'denied'; readonly message: string }
  | { readonly state: 'unreachable'; readonly error: unknown }
  | { readonly state: 'failed'; readonly error: unknown };

export interface BootstrapContext {
  readonly account: string;
  readonly partition: string;
  readonly qualifier: string;
  /** The app's region: `npm run bootstrap` bootstraps that one. */
  readonly appRegion: string;
}

/**
 * A region that is not bootstrapped, or could not be asked, is a problem: `cdk deploy` would fail there. The app's
 * region is bootstrapped by `npm run bootstrap`; another (us-east-1) by the same `cdk bootstrap`
 * command with footfall's policies, which `npm run bootstrap` creates first.
 */
export function bootstrapProblem(
  target: DeployRegion,
  found: BootstrapState,
  context: BootstrapContext,
): Problem | undefined {
  if (found.state === 'unreachable') return unreachableProblem('SSM', found.error);
  if (found.state === 'failed') {
    const e = found.error as { name?: string; message?: string };
    return {
      what: `could not check CDK's bootstrap in ${target.region} (${e.name ?? 'Error'}: ${e.message ?? String(found.error)})`,
      fix: 'run this again in a minute; if it goes on, see https://health.aws.amazon.com',
    };
  }
  if (found.state !== 'missing') return undefined;
  const where = `account ${context.account}, ${target.region}`;
  if (target.region === context.appRegion) {
    return {
      what: `CDK is not bootstrapped in ${where} (no ${bootstrapVersionParameter(context.qualifier)})`,
      fix: 'npm run bootstrap (once per account and region; docs/deploy.md)',
    };
  }
  const command = bootstrapCommand({ ...context, region: target.region });
  return {
    what: `CDK is not bootstrapped in ${where}, where ${target.stacks.join(' and ')} ${target.stacks.length === 1 ? 'goes' : 'go'} (CloudFront takes certificates and web ACLs from us-east-1 only)`,
    fix: `npm run bootstrap if you have not, then ${describeCommand(command)}`,
  };
}

/** Read but not decisive: a line to print, the deploy goes on (CDK reads it through its own role). */
export function bootstrapWarning(
  target: DeployRegion,
  found: BootstrapState,
  qualifier: string,
): string | undefined {
  if (found.state === 'denied') {
    return (
      `! could not check CDK's bootstrap in ${target.region}: these credentials may not read ` +
      `${bootstrapVersionParameter(qualifier)} (ssm:GetParameter denied); going on, and cdk will ` +
      'say if it is missing'
    );
  }
  return undefined;
}

/** What one read of AWS found: the thing, its absence, or why it could not tell. */
export type Found<T> =
  | { readonly state: 'found'; readonly value: T }
  | { readonly state: 'missing' }
  | { readonly state: 'denied'; readonly message: string }
  | { readonly state: 'unreachable'; readonly error: unknown }
  | { readonly state: 'failed'; readonly error: unknown };

/** A failed read, by the error the SDK threw; `missingCodes` are the service's "no such thing". */
export function notFound(error: unknown, missingCodes: readonly string[]): Found<never> {
  const name = (error as { name?: string } | undefined)?.name ?? '';
  if (missingCodes.includes(name)) return { state: 'missing' };
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return { state: 'denied', message: (error as Error).message };
  }
  return isNetworkError(error) ? { state: 'unreachable', error } : { state: 'failed', error };
}

/** A read AWS did not answer: the same words for every service. */
export function unansweredProblem(
  found: Found<unknown>,
  service: string,
  what: string,
): Problem | undefined {
  if (found.state === 'unreachable') return unreachableProblem(service, found.error);
  if (found.state !== 'failed') return undefined;
  const e = found.error as { name?: string; message?: string };
  return {
    what: `could not check ${what} (${e.name ?? 'Error'}: ${e.message ?? String(found.error)})`,
    fix: 'run this again in a minute; if it goes on, see https://health.aws.amazon.com',
  };
}

/** A read these credentials may not make: a line to print, and the deploy goes on. */
export function deniedWarning(found: Found<unknown>, what: string, action: string) {
  if (found.state !== 'denied') return undefined;
  return `! could not check ${what}: these credentials may not ${action} (denied); going on, and CloudFormation will say if it is missing`;
}

export interface SetupContext extends BootstrapContext {
  /** Whether a GitHub repository is configured (cdk.json's "repository" or GITHUB_REPOSITORY). */
  readonly repositoryConfigured: boolean;
}

/** footfall's two IAM policies, by ARN: the names the templates reference (`deploy-names.ts`). */
export function footfallPolicyArns(
  context: Pick<SetupContext, 'partition' | 'account' | 'qualifier'>,
) {
  const names = bootstrapPolicyNames(context.qualifier);
  const arn = (name: string) => `arn:${context.partition}:iam::${context.account}:policy/${name}`;
  return { execution: arn(names.execution), boundary: arn(names.boundary) };
}

/** The role `cdk bootstrap` makes for CloudFormation to deploy as (CDK's default name). */
export const executionRoleName = (qualifier: string, account: string, region: string) =>
  `cdk-${qualifier}-cfn-exec-role-${account}-${region}`;

/**
 * The command that creates footfall's execution policy and boundary and bootstraps the app's
 * region with them: with GitHub when a repository is configured, else for deploys from this
 * machine (the same stack; `npm run bootstrap` later adds the GitHub roles to it).
 */
export const setupCommand = (context: Pick<SetupContext, 'repositoryConfigured'>) =>
  context.repositoryConfigured ? 'npm run bootstrap' : 'npm run bootstrap -- --no-github';

/** CDK's execution role as IAM shows it. */
export interface ExecutionRole {
  /** Its permissions boundary's ARN; none after a plain `cdk bootstrap`. */
  readonly boundary: string | undefined;
  /** Its managed policies' ARNs; AdministratorAccess after a plain `cdk bootstrap`. */
  readonly policies: readonly string[];
}

/**
 * A region bootstrapped, but not with footfall's execution policy and boundary (a plain
 * `cdk bootstrap`, common in an account used before): CloudFormation would deploy as an
 * administrator, or fail at the first role for want of the boundary. When footfall's policies
 * exist, `cdk bootstrap` with them fixes it; when not, footfall's bootstrap creates them first.
 */
export function executionRoleProblem(
  target: DeployRegion,
  found: Found<ExecutionRole>,
  context: SetupContext,
  policiesExist: boolean,
): Problem | undefined {
  if (found.state !== 'found' && found.state !== 'missing') return undefined;
  const role = executionRoleName(context.qualifier, context.account, target.region);
  const arns = footfallPolicyArns(context);
  const names = bootstrapPolicyNames(context.qualifier);
  const lacks: string[] = [];
  if (found.state === 'missing') {
    lacks.push(`has no execution role ${role}`);
  } else {
    if (found.value.boundary !== arns.boundary) {
      lacks.push(
        found.value.boundary
          ? `its execution role ${role} carries the boundary ${found.value.boundary}, not ${names.boundary}`
          : `its execution role ${role} carries no permissions boundary, not ${names.boundary}`,
      );
    }
    if (!found.value.policies.includes(arns.execution)) {
      const has = found.value.policies.map((arn) => arn.split('/').pop()).join(', ') || 'none';
      lacks.push(`its execution role lacks the policy ${names.execution} (it has ${has})`);
    }
  }
  if (lacks.length === 0) return undefined;
  const command = describeCommand(bootstrapCommand({ ...context, region: target.region }));
  return {
    what: `CDK's bootstrap in account ${context.account}, ${target.region} is not footfall's (a plain cdk bootstrap?): ${lacks.join('; ')}`,
    fix: policiesExist
      ? command
      : target.region === context.appRegion
        ? setupCommand(context)
        : `${setupCommand(context)}, then ${command}`,
  };
}

/**
 * The boundary every role in the app stacks carries, by the name the templates reference: without
 * it CloudFormation fails at the first role, half-way through the first deploy. The deploy-access
 * stack creates it, and footfall's bootstrap deploys that stack.
 */
export function boundaryPolicyProblem(
  found: Found<unknown>,
  context: SetupContext,
): Problem | undefined {
  if (found.state !== 'missing') return undefined;
  return {
    what: `the permissions boundary ${bootstrapPolicyNames(context.qualifier).boundary} is not in account ${context.account}: every role the stacks create carries it, so CloudFormation would fail half-way`,
    fix: setupCommand(context),
  };
}

/** A Route 53 hosted zone as GetHostedZone shows it. */
export interface HostedZone {
  /** As Route 53 spells it: `example.com.`. */
  readonly name: string;
  readonly privateZone: boolean;
}

/**
 * The custom domain's zone, which the deploy writes the certificate's validation records and the
 * site's address into and never creates: it must exist, be the zone hostedZoneName names, and be
 * public.
 */
export function hostedZoneProblem(
  domain: NonNullable<DeployConfig['domain']>,
  found: Found<HostedZone>,
  account: string,
): Problem | undefined {
  const fix = `find ${domain.zoneName}'s public zone with aws route53 list-hosted-zones-by-name --dns-name ${domain.zoneName} --max-items 1, and set its id as "hostedZoneId" in cdk.json's context`;
  if (found.state === 'missing') {
    return {
      what: `hostedZoneId ${domain.hostedZoneId} is no hosted zone in account ${account} (hostedZoneName ${domain.zoneName})`,
      fix,
    };
  }
  if (found.state !== 'found') return undefined;
  const name = found.value.name.replace(/\.$/, '').toLowerCase();
  if (name !== domain.zoneName) {
    return {
      what: `hosted zone ${domain.hostedZoneId} is ${name}, not hostedZoneName ${domain.zoneName}`,
      fix,
    };
  }
  if (found.value.privateZone) {
    return {
      what: `hosted zone ${domain.hostedZoneId} (${name}) is private: the certificate's validation and the site's address need the public zone`,
      fix,
    };
  }
  return undefined;
}

/**
 * No `alertEmail` (nor its old name `alarmEmail`) in cdk.json's context, or an empty one: the
 * stack would deploy alarms, a budget and link alerts that tell no one (issue 23). Refused here
 * rather than in synth, so tests and `cdk synth` need no address. Read from the context as it is,
 * so a missing address is named alongside any other bad setting; whether a given one is an
 * address is `parseDeployConfig`'s to say.
 */
export function alertEmailProblem(
  context: Readonly<Record<string, unknown>>,
  setup: Pick<SetupContext, 'repositoryConfigured'>,
): Problem | undefined {
  const address = context.alertEmail ?? context.alarmEmail;
  const empty =
    address === undefined || address === null || (typeof address === 'string' && !address.trim());
  if (!empty) return undefined;
  // The bootstrap that fits this checkout: with GitHub, the pipeline reads the committed cdk.json.
  const command = setup.repositoryConfigured
    ? 'npm run bootstrap -- --alert-email you@example.com'
    : 'npm run bootstrap -- --no-github --alert-email you@example.com';
  return {
    what: 'no alertEmail: the alarms, the budget and link alerts would e-mail no one',
    fix: `${command} (or set "alertEmail": "you@example.com" in cdk.json's context)${setup.repositoryConfigured ? ', then commit cdk.json' : ''}`,
  };
}

/** The block's heading and closing line. */
export function preflightMessages(command: string, count: number) {
  return {
    heading: `npm run ${command} stopped before building: ${count === 1 ? 'one thing needs' : `${count} things need`} fixing.`,
    closing: `Nothing was built or deployed. Fix ${count === 1 ? 'it' : 'them'} and run npm run ${command} again.`,
  };
}

/**
 * What `npm run deploy` and `npm run diff` check before building or starting `cdk`: a region,
 * working credentials (both from `aws-access.ts`, shared with `npm run bootstrap`), CDK's
 * bootstrap in every region `cdk deploy Footfall` deploys to, and an address for the alerts.
 * Pure functions; the runner is `scripts/deploy/preflight/main.ts`.
 */
import type { DeployConfig } from '../../../cdk/lib/deploy-config.js';
import { stackNames } from '../../../cdk/lib/deploy-names.js';
import { unreachableProblem } from '../aws-access.js';
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

/**
 * No `alertEmail` (nor its old name `alarmEmail`) in cdk.json's context, or an empty one: the
 * stack would deploy alarms, a budget and link alerts that tell no one (issue 23). Refused here
 * rather than in synth, so tests and `cdk synth` need no address. Read from the context as it is,
 * so a missing address is named alongside any other bad setting; whether a given one is an
 * address is `parseDeployConfig`'s to say.
 */
export function alertEmailProblem(context: Readonly<Record<string, unknown>>): Problem | undefined {
  const address = context.alertEmail ?? context.alarmEmail;
  const empty =
    address === undefined || address === null || (typeof address === 'string' && !address.trim());
  if (!empty) return undefined;
  return {
    what: 'no alertEmail: the alarms, the budget and link alerts would e-mail no one',
    fix:
      'npm run bootstrap -- --alert-email you@example.com (or set "alertEmail": "you@example.com" ' +
      "in cdk.json's context), then commit cdk.json",
  };
}

/** The block's heading and closing line. */
export function preflightMessages(command: string, count: number) {
  return {
    heading: `npm run ${command} stopped before building: ${count === 1 ? 'one thing needs' : `${count} things need`} fixing.`,
    closing: `Nothing was built or deployed. Fix ${count === 1 ? 'it' : 'them'} and run npm run ${command} again.`,
  };
}

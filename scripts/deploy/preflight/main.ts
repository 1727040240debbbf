/**
 * The pre-flight of `npm run deploy` and `npm run diff`: run before the build and `cdk`, it
 * checks the deploy settings (an alert address among them), the region, the credentials, CDK's
 * bootstrap, and what the templates need that the deploy does not create (footfall's policies on
 * CDK's execution role, the boundary policy, the hosted zone), and reports everything missing in
 * one block, each with the command that fixes it. Exit 1 then, so `&&` never starts the build or
 * cdk. What it decides is in `checks.ts` and `../aws-access.ts`; IAM and Route 53 are read in
 * `prerequisites.ts`.
 *
 *   tsx scripts/deploy/preflight/main.ts deploy|diff
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { deployDefaults } from '../../../cdk/lib/defaults.js';
import { DeployConfigError, parseDeployConfig } from '../../../cdk/lib/deploy-config.js';
import { awsCheckClientOptions, checkAwsAccess, isNetworkError } from '../aws-access.js';
import { formatProblems, type Problem, settingProblems } from '../problems.js';
import {
  alertEmailProblem,
  type BootstrapState,
  bootstrapProblem,
  bootstrapVersionParameter,
  bootstrapWarning,
  type DeployRegion,
  deployRegions,
  PREFLIGHT_STACK,
  preflightMessages,
} from './checks.js';
import { checkFootfallSetup } from './prerequisites.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const command = process.argv[2] ?? 'deploy';
const problems: Problem[] = [];

// cdk.json's settings, as synth will read them (the CDK CLI reads the working directory's, where
// npm runs scripts): the qualifier, whether us-east-1 is needed, the domain, the repository, the
// alert address.
const cdkJson = join(process.cwd(), 'cdk.json');
const context =
  (JSON.parse(readFileSync(cdkJson, 'utf8')) as { context?: Record<string, unknown> }).context ??
  {};
let config: Pick<
  ReturnType<typeof parseDeployConfig>,
  'bootstrapQualifier' | 'domain' | 'wafRateLimit' | 'repository'
>;
// Read as parseDeployConfig reads it (cdk.json's "repository", else GITHUB_REPOSITORY), before
// parsing, so a missing address is named even when another setting is bad.
const repositoryConfigured = Boolean(
  (typeof context.repository === 'string' && context.repository.trim()) ||
    process.env.GITHUB_REPOSITORY?.trim(),
);
const noAlertEmail = alertEmailProblem(context, { repositoryConfigured });
if (noAlertEmail) problems.push(noAlertEmail);
try {
  config = parseDeployConfig({ context: (key) => context[key], env: process.env });
} catch (error) {
  if (!(error instanceof DeployConfigError)) throw error;
  problems.push(
    ...settingProblems(
      error,
      () => "correct it in cdk.json's context (or the environment variable it names)",
    ),
  );
  config = {
    bootstrapQualifier: deployDefaults.bootstrapQualifier,
    domain: undefined,
    wafRateLimit: 0,
    repository: undefined,
  };
}

const access = await checkAwsAccess(process.env);
problems.push(...access.problems);
const warnings: string[] = [];
const bootstrapped: string[] = [];
// The regions SSM did not show unbootstrapped: their execution roles are read next.
const toInspect: DeployRegion[] = [];
if (access.region && access.identity) {
  const qualifier = config.bootstrapQualifier;
  for (const target of deployRegions(config, access.region)) {
    const ssm = new SSMClient({ region: target.region, ...awsCheckClientOptions() });
    let found: BootstrapState;
    try {
      const { Parameter } = await ssm.send(
        new GetParameterCommand({ Name: bootstrapVersionParameter(qualifier) }),
      );
      found = { state: 'bootstrapped', version: Parameter?.Value ?? '?' };
    } catch (error) {
      const name = (error as Error).name;
      found =
        name === 'ParameterNotFound'
          ? { state: 'missing' }
          : name === 'AccessDeniedException' || name === 'AccessDenied'
            ? { state: 'denied', message: (error as Error).message }
            : isNetworkError(error)
              ? { state: 'unreachable', error }
              : { state: 'failed', error };
    } finally {
      ssm.destroy();
    }
    const problem = bootstrapProblem(target, found, {
      ...access.identity,
      qualifier,
      appRegion: access.region,
    });
    if (problem) problems.push(problem);
    const warning = bootstrapWarning(target, found, qualifier);
    if (warning) warnings.push(warning);
    if (found.state === 'bootstrapped')
      bootstrapped.push(`${target.region} (version ${found.version})`);
    if (found.state === 'bootstrapped' || found.state === 'denied') toInspect.push(target);
  }
}

// What the templates need that the deploy does not create: footfall's bootstrap, its boundary,
// the hosted zone.
if (access.region && access.identity) {
  const setup = await checkFootfallSetup(
    {
      ...access.identity,
      qualifier: config.bootstrapQualifier,
      appRegion: access.region,
      repositoryConfigured: config.repository !== undefined,
    },
    toInspect,
    config.domain,
  );
  problems.push(...setup.problems);
  warnings.push(...setup.warnings);
}

for (const warning of warnings) console.error(warning);
if (problems.length > 0) {
  const { heading, closing } = preflightMessages(command, problems.length);
  console.error(formatProblems(heading, problems, closing));
  process.exit(1);
}
console.log(
  `✓ pre-flight: account ${access.identity?.account} as ${access.identity?.arn}; ` +
    `${bootstrapped.length > 0 ? `CDK bootstrapped in ${bootstrapped.join(' and ')}` : `region ${access.region}`}; ` +
    `${command === 'diff' ? 'comparing' : 'deploying'} ${PREFLIGHT_STACK}`,
);

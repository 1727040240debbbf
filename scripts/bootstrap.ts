/**
 * `npm run bootstrap`: the one-time setup, run by a person with admin credentials for the
 * account and the GitHub CLI signed in to the repository. Checks everything first and changes
 * nothing until the checks pass. What it does is computed in `lib/bootstrap-plan.ts`; this file
 * only reads, runs and prints.
 *
 *   npm run bootstrap -- [--repo OWNER/REPO] [--environment production] [--no-staging]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DeployConfigError, parseDeployConfig } from '../cdk/lib/config.js';
import { deployDefaults } from '../cdk/lib/defaults.js';
import { githubSubject } from '../cdk/lib/deploy-access-stack.js';
import { stackNames } from '../cdk/lib/footfall-app.js';
import {
  awsCommands,
  type Command,
  DEPLOY_BRANCH,
  type DeployAccessOutputs,
  describeCall,
  describeCommand,
  type Environments,
  type ExistingEnvironment,
  environmentCalls,
  type GitHubCall,
  type RepositoryInfo,
  readRepository,
  type SubjectSettings,
  subjectCalls,
  trustedIdentity,
  variableCommands,
} from './lib/bootstrap-plan.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = fileURLToPath(new URL('../', import.meta.url));

function stop(message: string, changed = false): never {
  console.error(
    `✗ ${message}\n\n${changed ? 'Fix it and run npm run bootstrap again.' : 'Nothing was changed.'}`,
  );
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    repo: { type: 'string' },
    environment: { type: 'string' },
    'no-staging': { type: 'boolean' },
  },
});

// 1. Which repository may deploy: --repo, GITHUB_REPOSITORY, cdk.json, or this clone's GitHub remote.
const cdkContext =
  (
    JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as {
      context?: Record<string, unknown>;
    }
  ).context ?? {};
const fromRemote = (() => {
  try {
    const url = execFileSync('git', ['remote', 'get-url', 'origin'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return url.trim().match(/github\.com[:/]([^/]+\/[^/]+?)(?:\.git)?$/)?.[1];
  } catch {
    return undefined;
  }
})();
const repository =
  values.repo ??
  process.env.GITHUB_REPOSITORY ??
  (cdkContext.repository as string | undefined) ??
  fromRemote;
if (!repository) {
  stop(
    'no repository configured: footfall needs to know which GitHub repository may deploy.\n' +
      '  Pass --repo OWNER/REPO (or set GITHUB_REPOSITORY, or "repository" in cdk.json).',
  );
}
let config: ReturnType<typeof parseDeployConfig>;
try {
  config = parseDeployConfig({
    context: (key) => {
      if (key === 'repository') return repository;
      // Read from GitHub below; a placeholder passes the check that it is there.
      if (key === 'repositoryId') return '1';
      if (key === 'environmentName') return values.environment ?? cdkContext[key];
      if (key === 'staging' && values['no-staging']) return false;
      return cdkContext[key];
    },
    env: {},
  });
} catch (error) {
  if (error instanceof DeployConfigError) stop(error.message);
  throw error;
}
const environments: Environments = {
  production: config.environmentName,
  staging: config.staging ? deployDefaults.stagingEnvironmentName : undefined,
};

// 2. Where, and as whom. Resolving credentials is local; only GetCallerIdentity reaches AWS.
const sts = new STSClient({});
let region: string;
try {
  region = await sts.config.region();
} catch {
  stop('no AWS region: set AWS_REGION (or a region in your AWS profile).');
}
try {
  await sts.config.credentials();
} catch {
  stop(
    'no AWS credentials: sign in with admin rights for the target account first\n' +
      '  (for example `aws sso login --profile NAME` and `export AWS_PROFILE=NAME`).',
  );
}
let account: string;
let partition: string;
try {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  account = identity.Account ?? stop('AWS did not say which account these credentials belong to.');
  partition = identity.Arn?.split(':')[1] ?? 'aws';
  console.log(`✓ signed in to account ${account} as ${identity.Arn}`);
} catch (error) {
  stop(`AWS refused these credentials: ${(error as Error).message}`);
}
console.log(`✓ region ${region}`);

// 3. GitHub, through the GitHub CLI: signed in, and the repository is there.
const gh = (call: GitHubCall): unknown => {
  const result = spawnSync(
    'gh',
    ['api', '--method', call.method, call.path, ...(call.body ? ['--input', '-'] : [])],
    { input: call.body ? JSON.stringify(call.body) : undefined, encoding: 'utf8' },
  );
  if (result.error || result.status !== 0) {
    throw new Error(
      `gh api --method ${call.method} ${call.path} failed: ${(result.stderr || String(result.error)).trim()}`,
    );
  }
  return result.stdout.trim() === '' ? undefined : JSON.parse(result.stdout);
};
const ghReady = spawnSync('gh', ['auth', 'status'], { encoding: 'utf8' });
if (ghReady.error || ghReady.status !== 0) {
  stop(
    'the GitHub CLI (gh) is not installed or not signed in: footfall reads the repository id from ' +
      'GitHub and sets the repository up through it.\n  Install it (https://cli.github.com), run ' +
      '`gh auth login`, and run npm run bootstrap again. It will then make these calls:\n\n' +
      [
        readRepository(repository),
        ...subjectCalls(repository),
        ...environmentCalls(repository, environments),
      ]
        .map((call) => `  # ${call.purpose}\n  ${describeCall(call).replaceAll('\n', '\n  ')}`)
        .join('\n'),
  );
}
let info: RepositoryInfo;
try {
  info = gh(readRepository(repository)) as RepositoryInfo;
} catch (error) {
  stop(`GitHub does not show ${repository} to you: ${(error as Error).message}`);
}
console.log(`✓ repository ${info.full_name} (id ${info.id})`);

// 4. Now change things: first the OIDC subject, read back, so the trust matches what GitHub issues.
const [putSubject, getSubject] = subjectCalls(info.full_name);
let trust: ReturnType<typeof trustedIdentity>;
try {
  gh(putSubject as GitHubCall);
  trust = trustedIdentity(info, gh(getSubject as GitHubCall) as SubjectSettings);
} catch (error) {
  stop((error as Error).message, true);
}
for (const environment of [environments.staging, environments.production]) {
  if (environment)
    console.log(`✓ ${environment} jobs get the subject ${githubSubject(trust, environment)}`);
}

const run = (command: Command) => {
  console.log(`\n▶ ${command.purpose}\n  ${describeCommand(command)}`);
  const result = spawnSync(command.command, command.args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, AWS_REGION: region },
  });
  if (result.status !== 0)
    stop(`${command.command} ${command.args[0]} … failed (exit ${result.status}).`, true);
};
const outputs = mkdtempSync(join(tmpdir(), 'footfall-bootstrap-'));
const outputsFile = join(outputs, 'outputs.json');
for (const command of awsCommands({
  account,
  region,
  partition,
  qualifier: config.bootstrapQualifier,
  identity: trust,
  environments,
  outputsFile,
})) {
  run(command);
}
const accessOutputs =
  (JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, DeployAccessOutputs>)[
    stackNames.deployAccess
  ] ?? {};
rmSync(outputs, { recursive: true, force: true });

// 5. The environments, deployable from main only (reviewers and wait timers already there are kept).
const existing: Record<string, ExistingEnvironment | undefined> = {};
const branchPolicies: Record<string, string[]> = {};
for (const name of [environments.staging, environments.production]) {
  if (!name) continue;
  try {
    existing[name] = gh({
      method: 'GET',
      path: `repos/${info.full_name}/environments/${name}`,
      purpose: '',
    }) as ExistingEnvironment;
    const policies = gh({
      method: 'GET',
      path: `repos/${info.full_name}/environments/${name}/deployment-branch-policies`,
      purpose: '',
    }) as { branch_policies?: { name: string; type?: string }[] };
    branchPolicies[name] = (policies.branch_policies ?? [])
      .filter((policy) => (policy.type ?? 'branch') === 'branch')
      .map((policy) => policy.name);
  } catch {
    // Not there yet: created below.
  }
}
for (const call of environmentCalls(info.full_name, environments, existing, branchPolicies)) {
  console.log(`\n▶ ${call.purpose}`);
  try {
    gh(call);
  } catch (error) {
    stop((error as Error).message, true);
  }
}

// 6. What the workflow reads.
let variables: Command[];
try {
  variables = variableCommands(info.full_name, region, accessOutputs, environments);
} catch (error) {
  stop((error as Error).message, true);
}
for (const command of variables) run(command);

console.log(`
✓ footfall can deploy from ${info.full_name}'s ${DEPLOY_BRANCH} branch.

Protect production: in GitHub, Settings → Environments → ${environments.production} → Required
reviewers (docs/deploy.md). Then push to main: the Deploy workflow tests, synthesizes,
${environments.staging ? 'deploys and smoke-tests staging, then ' : ''}deploys and smoke-tests production.`);

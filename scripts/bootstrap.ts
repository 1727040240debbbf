/**
 * `npm run bootstrap`: the one-time setup, run by a person with admin credentials for the
 * account. Checks everything first and changes nothing until the checks pass; then runs
 * `cdk bootstrap`, deploys the deploy-access stack, and prints what to set in GitHub.
 *
 *   npm run bootstrap -- [--repo OWNER/REPO] [--environment production]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DeployConfigError, parseDeployConfig } from '../cdk/lib/config.js';
import { stackNames } from '../cdk/lib/footfall-app.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = fileURLToPath(new URL('../', import.meta.url));

function stop(message: string): never {
  console.error(`✗ ${message}\n\nNothing was changed.`);
  process.exit(1);
}

const { values } = parseArgs({
  options: { repo: { type: 'string' }, environment: { type: 'string' } },
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
    context: (key) =>
      key === 'repository'
        ? repository
        : key === 'environmentName'
          ? values.environment
          : cdkContext[key],
    env: {},
  });
} catch (error) {
  if (error instanceof DeployConfigError) stop(error.message);
  throw error;
}

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
try {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  account = identity.Account ?? stop('AWS did not say which account these credentials belong to.');
  console.log(`✓ signed in to account ${account} as ${identity.Arn}`);
} catch (error) {
  stop(`AWS refused these credentials: ${(error as Error).message}`);
}
console.log(`✓ region ${region}`);
console.log(`✓ repository ${config.repository} (GitHub environment "${config.environmentName}")\n`);

// 3. Now change things.
const cdk = (args: string[]) => {
  const result = spawnSync('npx', ['cdk', ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, AWS_REGION: region },
  });
  if (result.status !== 0) {
    console.error(
      `\n✗ cdk ${args[0]} failed (exit ${result.status}). Fix the error above and run npm run bootstrap again.`,
    );
    process.exit(1);
  }
};
cdk(['bootstrap', `aws://${account}/${region}`]);
const outputs = mkdtempSync(join(tmpdir(), 'footfall-bootstrap-'));
const outputsFile = join(outputs, 'outputs.json');
cdk([
  'deploy',
  stackNames.deployAccess,
  '-c',
  `repository=${config.repository}`,
  '-c',
  `environmentName=${config.environmentName}`,
  '--outputs-file',
  outputsFile,
]);
const roleArn = (
  JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>
)[stackNames.deployAccess]?.DeployRoleArn;
rmSync(outputs, { recursive: true, force: true });

console.log(`
✓ deploy access ready. Role: ${roleArn}

Now tell GitHub (with the GitHub CLI, signed in to ${config.repository}):

  gh variable set AWS_DEPLOY_ROLE_ARN --repo ${config.repository} --body "${roleArn}"
  gh variable set AWS_REGION --repo ${config.repository} --body "${region}"
  gh api -X PUT repos/${config.repository}/environments/${config.environmentName}

Then push to main: the Deploy workflow tests, deploys and smoke-tests footfall.
See docs/deploy.md for what this set up and why it is safe.`);

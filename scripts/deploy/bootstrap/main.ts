/**
 * `npm run bootstrap`: the one-time setup, run by a person with admin credentials for the
 * account and the GitHub CLI signed in to the repository. Checks everything first and changes
 * nothing until the checks pass. What it checks is in `github.ts`, what it does is computed in
 * `plan.ts`; this file only reads, runs and prints.
 *
 *   npm run bootstrap -- [--repo OWNER/REPO] [--environment production] [--no-staging]
 *                        [--alert-email you@example.com] [--protect-main]
 *                        [--staging-reviewers WHO[,WHO]] [--production-reviewers WHO[,WHO]]
 *   npm run bootstrap -- --no-github [--alert-email you@example.com]
 *
 * `--no-github` is for deploying by hand (`npm run deploy`): the execution policy, the boundary
 * and `cdk bootstrap` with them, and nothing of GitHub (no gh, no repository, no deploy roles,
 * so none of the options that set GitHub up).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deployDefaults } from '../../../cdk/lib/defaults.js';
import { DeployConfigError, parseDeployConfig } from '../../../cdk/lib/deploy-config.js';
import { stackNames } from '../../../cdk/lib/deploy-names.js';
import { githubSubject } from '../../../cdk/lib/github-oidc.js';
import { checkAwsAccess } from '../aws-access.js';
import { deployRegions } from '../preflight/checks.js';
import { formatProblems, type Problem, settingProblems } from '../problems.js';
import { alertEmailNote, NO_ALERT_EMAIL_NOTE, recordAlertEmail } from './alert-email.js';
import { deployAccessRolesProblem } from './deploy-access.js';
import {
  callsToMake,
  gh,
  ghProblem,
  ghSaid,
  readActions,
  readEnvironments,
  readReviewers,
} from './gh.js';
import {
  branchProtectionRead,
  type GitHubCall,
  type RepositoryInfo,
  readRepository,
  repositoryProblem,
  reviewerOptions,
  type SubjectSettings,
  trustedIdentity,
} from './github.js';
import {
  awsCommands,
  awsCommandsWithoutGitHub,
  BOOTSTRAP_USAGE,
  branchProtectionCall,
  type Command,
  DEPLOY_BRANCH,
  type DeployAccessOutputs,
  describeCommand,
  type Environments,
  type ExistingBranchProtection,
  environmentCalls,
  type Reviewer,
  stillOpen,
  subjectCalls,
  variableCommands,
} from './plan.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** After the checks: a step failed part-way; what was already done stays done. */
function stop(message: string): never {
  console.error(`✗ ${message}\n\nFix it and run npm run bootstrap again.`);
  process.exit(1);
}

let values: {
  repo?: string;
  environment?: string;
  'no-staging'?: boolean;
  'alert-email'?: string;
  'no-github'?: boolean;
  'protect-main'?: boolean;
  'staging-reviewers'?: string;
  'production-reviewers'?: string;
};
try {
  ({ values } = parseArgs({
    options: {
      repo: { type: 'string' },
      environment: { type: 'string' },
      'no-staging': { type: 'boolean' },
      'alert-email': { type: 'string' },
      'no-github': { type: 'boolean' },
      'protect-main': { type: 'boolean' },
      'staging-reviewers': { type: 'string' },
      'production-reviewers': { type: 'string' },
    },
  }));
} catch (error) {
  // Node's own words name the option (`--repo <value>' argument missing`, an unknown `--rpo`).
  const hint = /positional/.test((error as Error).message)
    ? ' (the repository goes after --repo)'
    : '';
  console.error(`✗ ${(error as Error).message}${hint}\n  ${BOOTSTRAP_USAGE}`);
  process.exit(2);
}

// Everything is checked before anything changes, and every problem is reported in one go.
const problems: Problem[] = [];
const withGitHub = !values['no-github'];
const githubOnly = (
  [
    'repo',
    'environment',
    'no-staging',
    'protect-main',
    'staging-reviewers',
    'production-reviewers',
  ] as const
).filter((option) => values[option] !== undefined);
if (!withGitHub && githubOnly.length > 0) {
  console.error(
    `✗ --no-github sets up no GitHub repository: leave out ${githubOnly.map((o) => `--${o}`).join(' and ')}\n  ${BOOTSTRAP_USAGE}`,
  );
  process.exit(2);
}

// 1. Which repository may deploy: --repo, GITHUB_REPOSITORY, cdk.json, or this clone's GitHub remote.
const cdkJsonPath = join(root, 'cdk.json');
const cdkJson = readFileSync(cdkJsonPath, 'utf8');
const cdkContext = (JSON.parse(cdkJson) as { context?: Record<string, unknown> }).context ?? {};
// Where alarms, the budget and link alerts go: asked with --alert-email, kept in cdk.json (step 7).
const alertEmail = values['alert-email']?.trim();
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
const choice = (
  [
    ['--repo', values.repo],
    ['GITHUB_REPOSITORY', process.env.GITHUB_REPOSITORY],
    ['"repository" in cdk.json', cdkContext.repository],
    ['the git remote origin', fromRemote],
  ] as const
)
  .map(([source, value]) => ({ source, repository: typeof value === 'string' ? value.trim() : '' }))
  .find(({ repository }) => repository !== '');
const badRepository = withGitHub ? repositoryProblem(choice) : undefined;
if (badRepository) problems.push(badRepository);
const repository = badRepository || !withGitHub ? undefined : choice?.repository;
// Without GitHub, a repository in cdk.json would give the deploy-access stack its roles after all.
if (!withGitHub && typeof cdkContext.repository === 'string' && cdkContext.repository.trim()) {
  problems.push({
    what: `cdk.json names the repository ${cdkContext.repository.trim()}, whose deploy roles --no-github would not set up`,
    fix: 'npm run bootstrap (without --no-github), or remove "repository" from cdk.json',
  });
}

let config: ReturnType<typeof parseDeployConfig> | undefined;
try {
  config = parseDeployConfig({
    context: (key) => {
      if (key === 'repository') return repository;
      if (!withGitHub && (key === 'repositoryId' || key === 'repositoryOwnerId')) return undefined;
      // Read from GitHub below; a placeholder passes the check that it is there.
      if (key === 'repositoryId') return repository ? '1' : undefined;
      if (key === 'environmentName') return values.environment ?? cdkContext[key];
      if (key === 'staging' && values['no-staging']) return false;
      // --alert-email replaces cdk.json's address, under its old name too.
      if (alertEmail !== undefined && key === 'alertEmail') return alertEmail;
      if (alertEmail !== undefined && key === 'alarmEmail') return undefined;
      return cdkContext[key];
    },
    env: {},
  });
} catch (error) {
  if (!(error instanceof DeployConfigError)) throw error;
  problems.push(
    ...settingProblems(error, (line) =>
      line.startsWith('environmentName') && values.environment
        ? 'pass --environment with the name of your GitHub environment (letters, digits, _ . -)'
        : line.startsWith('alertEmail') && alertEmail !== undefined
          ? 'pass --alert-email with the address to e-mail (you@example.com), or leave it out'
          : "correct it in cdk.json's context",
    ),
  );
}
if (alertEmail === '') {
  problems.push({
    what: '--alert-email is empty',
    fix: 'pass --alert-email with the address to e-mail (you@example.com), or leave it out',
  });
}
const environments: Environments = {
  production: config?.environmentName ?? deployDefaults.environmentName,
  staging:
    (config?.staging ?? !values['no-staging']) ? deployDefaults.stagingEnvironmentName : undefined,
};

// Who must approve each environment's deployments (docs/deploy.md: what an approval prevents).
const asked = reviewerOptions(
  { staging: values['staging-reviewers'], production: values['production-reviewers'] },
  environments,
);
problems.push(...asked.problems);

// 2. Where, and as whom: the region, the profile, the credentials (as the deploy pre-flight does).
const access = await checkAwsAccess(process.env);
problems.push(...access.problems);

// 3. GitHub, through the GitHub CLI: installed, signed in, and the repository is there.
const ghCannot = withGitHub ? ghProblem() : undefined;
if (ghCannot) problems.push(ghCannot);
let info: RepositoryInfo | undefined;
if (repository && !ghCannot) {
  try {
    info = gh(readRepository(repository)) as RepositoryInfo;
  } catch (error) {
    problems.push({
      what: `GitHub does not show ${repository} (from ${choice?.source}) to you: ${ghSaid(error)}`,
      fix: 'check --repo OWNER/REPO (your fork, as GitHub spells it), and that gh is signed in as an admin of it (gh auth status)',
    });
  }
}
// GitHub Actions must run there; and each reviewer by id, before anything changes.
const warnings: string[] = [];
let reviewers: Record<string, Reviewer[]> = {};
if (info) {
  const actions = readActions(info.full_name);
  problems.push(...actions.problems);
  warnings.push(...actions.warnings);
  const read = readReviewers(asked.names);
  reviewers = read.reviewers;
  problems.push(...read.problems);
}
for (const warning of warnings) console.error(warning);

// Without GitHub: a deploy-access stack that has GitHub's roles keeps them (read, not changed).
if (!withGitHub && access.region && access.identity) {
  const problem = await deployAccessRolesProblem(access.region);
  if (problem) problems.push(problem);
}

if (
  problems.length > 0 ||
  !access.region ||
  !access.identity ||
  (withGitHub && (!info || !repository))
) {
  console.error(
    formatProblems(
      `npm run bootstrap stopped before changing anything: ${problems.length === 1 ? 'one thing needs' : `${problems.length} things need`} fixing.`,
      problems,
      'Nothing was changed. Fix the above and run npm run bootstrap again.',
    ),
  );
  if (repository && ghCannot) {
    console.error(`\n${callsToMake(repository, environments, values['protect-main'] === true)}`);
  }
  process.exit(1);
}
const { region } = access;
const { account, partition } = access.identity;
const qualifier = config?.bootstrapQualifier ?? deployDefaults.bootstrapQualifier;
console.log(`✓ signed in to account ${account} as ${access.identity.arn}`);
console.log(`✓ region ${region}`);

// Without GitHub, no repository reaches the CDK app, from cdk.json (refused above) or from here.
const { GITHUB_REPOSITORY: _name, GITHUB_REPOSITORY_ID: _id, ...withoutRepository } = process.env;
const environment = withGitHub ? process.env : withoutRepository;
const run = (command: Command) => {
  console.log(`\n▶ ${command.purpose}\n  ${describeCommand(command)}`);
  const result = spawnSync(command.command, command.args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...environment, AWS_REGION: region },
  });
  if (result.status !== 0)
    stop(`${command.command} ${command.args[0]} … failed (exit ${result.status}).`);
};

// us-east-1 too, with a custom domain or WAF: those stacks deploy there, by hand or not.
const otherRegions = config ? deployRegions(config, region).map((target) => target.region) : [];

if (!withGitHub) {
  // The policies, then `cdk bootstrap` with them; GitHub is never asked.
  const plan = awsCommandsWithoutGitHub({ account, region, partition, qualifier, otherRegions });
  for (const command of plan) {
    run(command);
  }
  recordAlertEmail(cdkJsonPath, cdkJson, cdkContext, alertEmail);
  console.log(`
✓ footfall can deploy from this machine: npm run deploy (its pre-flight checks this setup first).

No GitHub: nothing deploys on a push. To add the pipeline later, run npm run bootstrap -- --repo
OWNER/REPO: it adds GitHub's deploy roles to the same stack and keeps these policies.`);
  const production = { production: environments.production };
  console.log(
    `\n${config?.alertEmail ? alertEmailNote(config.alertEmail, production) : NO_ALERT_EMAIL_NOTE}`,
  );
  process.exit(0);
}
if (!info) throw new Error('unreachable: the checks above require the repository with GitHub');
console.log(`✓ repository ${info.full_name} (id ${info.id})`);

// 4. Now change things: first the OIDC subject, read back, so the trust matches what GitHub issues.
const [putSubject, getSubject] = subjectCalls(info.full_name);
let trust: ReturnType<typeof trustedIdentity>;
try {
  gh(putSubject as GitHubCall);
  trust = trustedIdentity(info, gh(getSubject as GitHubCall) as SubjectSettings);
} catch (error) {
  stop((error as Error).message);
}
for (const environment of [environments.staging, environments.production]) {
  if (environment)
    console.log(`✓ ${environment} jobs get the subject ${githubSubject(trust, environment)}`);
}

const outputs = mkdtempSync(join(tmpdir(), 'footfall-bootstrap-'));
const outputsFile = join(outputs, 'outputs.json');
for (const command of awsCommands({
  account,
  region,
  partition,
  qualifier,
  identity: trust,
  environments,
  outputsFile,
  otherRegions,
})) {
  run(command);
}
const accessOutputs =
  (JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, DeployAccessOutputs>)[
    stackNames.deployAccess
  ] ?? {};
rmSync(outputs, { recursive: true, force: true });

// 5. The environments, deployable from main only (reviewers and wait timers already there are kept).
const { existing, branchPolicies } = readEnvironments(info.full_name, [
  environments.staging,
  environments.production,
]);
const protection: GitHubCall[] = environmentCalls(
  info.full_name,
  environments,
  existing,
  branchPolicies,
  reviewers,
);
// --protect-main: main (which both environments deploy) only by an approved pull request.
if (values['protect-main']) {
  let current: ExistingBranchProtection | undefined;
  try {
    current = gh(branchProtectionRead(info.full_name, DEPLOY_BRANCH)) as ExistingBranchProtection;
  } catch {
    // Not protected yet (404).
  }
  protection.push(branchProtectionCall(info.full_name, current));
}
for (const call of protection) {
  console.log(`\n▶ ${call.purpose}`);
  try {
    gh(call);
  } catch (error) {
    stop((error as Error).message);
  }
}

// 6. What the workflow reads.
let variables: Command[];
try {
  variables = variableCommands(info.full_name, region, accessOutputs, environments);
} catch (error) {
  stop((error as Error).message);
}
for (const command of variables) run(command);

// 7. The alert e-mail, where the pipeline reads it: cdk.json, which the person commits.
const recordEmail = recordAlertEmail(cdkJsonPath, cdkJson, cdkContext, alertEmail);

const advice = stillOpen(environments, {
  protectMain: values['protect-main'] === true,
  reviewers,
  existing,
});
console.log(`
✓ footfall can deploy from ${info.full_name}'s ${DEPLOY_BRANCH} branch.
${advice.length > 0 ? `\nWhat an approval does and does not prevent is in docs/deploy.md. Still open: ${advice.join('; ')}.\n` : ''}
Then ${recordEmail ? 'commit cdk.json and ' : ''}push to main: the Deploy workflow tests, synthesizes,
${environments.staging ? 'deploys and smoke-tests staging, then ' : ''}deploys and smoke-tests production.`);
console.log(
  `\n${config?.alertEmail ? alertEmailNote(config.alertEmail, environments) : NO_ALERT_EMAIL_NOTE}`,
);

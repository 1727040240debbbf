/**
 * What `npm run bootstrap` does, computed without doing it: the GitHub API calls, the commands
 * and the variables, from what it has read. Pure functions, so the plan is tested offline;
 * `scripts/deploy/bootstrap/main.ts` only reads, runs and prints.
 */

import { REPOSITORY_PATTERN } from '../../../cdk/lib/defaults.js';
import {
  bootstrapPolicyNames,
  type GitHubRepositoryIdentity,
  OIDC_SUBJECT_CLAIM_KEYS,
} from '../../../cdk/lib/deploy-access-stack.js';
import { stackNames } from '../../../cdk/lib/footfall-app.js';
import type { Problem } from '../aws-access.js';

/** A GitHub REST call, made with `gh api --method M PATH --input -` (the body on stdin). */
export interface GitHubCall {
  readonly method: 'GET' | 'PUT' | 'POST';
  readonly path: string;
  readonly body?: Record<string, unknown>;
  /** Why, for the person running it. */
  readonly purpose: string;
}

/** A command run in the project root. */
export interface Command {
  readonly command: string;
  readonly args: readonly string[];
  readonly purpose: string;
}

/** `GET /repos/{owner}/{repo}`, the fields that matter. */
export interface RepositoryInfo {
  readonly full_name: string;
  readonly id: number;
  readonly owner: { readonly id: number; readonly login: string };
}

/** `GET /repos/{owner}/{repo}/actions/oidc/customization/sub`. */
export interface SubjectSettings {
  readonly use_default: boolean;
  readonly include_claim_keys?: readonly string[];
  /** GitHub's immutable subjects (owner and repository ids in the `repo` segment). */
  readonly use_immutable_subject?: boolean;
  /** The subject's `repo` segment, as GitHub reports it. */
  readonly sub_claim_prefix?: string;
}

/** `GET /repos/{owner}/{repo}/environments/{name}`, the protection worth keeping. */
export interface ExistingEnvironment {
  readonly protection_rules?: readonly {
    readonly type: string;
    readonly wait_timer?: number;
    readonly prevent_self_review?: boolean;
    readonly reviewers?: readonly {
      readonly type: string;
      readonly reviewer: { readonly id: number };
    }[];
  }[];
}

/** The environments footfall deploys to; staging is left out when it is switched off. */
export interface Environments {
  readonly production: string;
  readonly staging?: string | undefined;
}

/** The branch the deploy workflow deploys from; the environments admit no other. */
export const DEPLOY_BRANCH = 'main';

/** The repository variables the deploy workflow reads (`vars.…` in .github/workflows/deploy.yml). */
export const WORKFLOW_VARIABLES = {
  region: 'AWS_REGION',
  productionRole: 'AWS_DEPLOY_ROLE_ARN_PRODUCTION',
  stagingRole: 'AWS_DEPLOY_ROLE_ARN_STAGING',
} as const;

export const repositoryPath = (repository: string) => `repos/${repository}`;

/** Where the repository was found, first one wins: `--repo`, `GITHUB_REPOSITORY`, … */
export interface RepositoryChoice {
  readonly source: string;
  readonly repository: string;
}

/** The usage line every command-line mistake ends with. */
export const BOOTSTRAP_USAGE =
  'usage: npm run bootstrap -- --repo OWNER/REPO [--environment NAME] [--no-staging]';

/**
 * Why this repository cannot be used, if it cannot: there is none, it is the docs' `OWNER/REPO`
 * placeholder, or it is not `OWNER/REPO` at all. Each answer says how to give it with `--repo`.
 */
export function repositoryProblem(choice: RepositoryChoice | undefined): Problem | undefined {
  const yours =
    "your fork's owner and name, e.g. --repo maya-ol/footfall " +
    '(in your clone, gh repo view --json nameWithOwner --jq .nameWithOwner prints it)';
  if (!choice) {
    return {
      what: 'no repository configured: footfall needs to know which GitHub repository may deploy',
      fix: `pass --repo OWNER/REPO with ${yours}; or set GITHUB_REPOSITORY, or "repository" in cdk.json`,
    };
  }
  const given = `${choice.source} "${choice.repository}"`;
  const instead =
    choice.source === '--repo' ? '' : ` (--repo takes precedence over ${choice.source})`;
  if (/^owner\/repo$/i.test(choice.repository)) {
    return {
      what: `${given} is the placeholder from the docs, not a repository`,
      fix: `pass --repo with ${yours}${instead}`,
    };
  }
  if (!REPOSITORY_PATTERN.test(choice.repository)) {
    return {
      what: `${given} is not a GitHub repository (OWNER/REPO)`,
      fix: `pass --repo OWNER/REPO with ${yours}${instead}`,
    };
  }
  return undefined;
}

/** Step 1, read first: the repository's canonical name and its ids. */
export const readRepository = (repository: string): GitHubCall => ({
  method: 'GET',
  path: repositoryPath(repository),
  purpose: 'the repository as GitHub spells it, and its numeric id',
});

/** The deploy workflow's file in `.github/workflows/`, as the Actions API names it. */
export const DEPLOY_WORKFLOW = 'deploy.yml';

/** `GET /repos/{owner}/{repo}/actions/permissions`, the fields that matter. */
export interface ActionsPermissions {
  readonly enabled?: boolean;
  readonly allowed_actions?: 'all' | 'local_only' | 'selected';
}

/** `GET /repos/{owner}/{repo}/actions/workflows/{file}`, the field that matters. */
export interface WorkflowInfo {
  readonly state?:
    | 'active'
    | 'deleted'
    | 'disabled_fork'
    | 'disabled_inactivity'
    | 'disabled_manually';
}

/**
 * Checked before anything changes, and read only: whether GitHub Actions runs at all in the
 * repository, and whether the deploy workflow is on (a fork's workflows stay off until its owner
 * turns them on).
 */
export function actionsCalls(repository: string): {
  permissions: GitHubCall;
  workflow: GitHubCall;
} {
  return {
    permissions: {
      method: 'GET',
      path: `${repositoryPath(repository)}/actions/permissions`,
      purpose: 'whether GitHub Actions is enabled in the repository',
    },
    workflow: {
      method: 'GET',
      path: `${repositoryPath(repository)}/actions/workflows/${DEPLOY_WORKFLOW}`,
      purpose: 'whether the Deploy workflow is enabled',
    },
  };
}

/** What a read answered: its body, or what gh said when it failed. */
export type Answer<T> =
  | { readonly ok: true; readonly body: T }
  | { readonly ok: false; readonly said: string };

/**
 * Why the deploy workflow could not run, as problems with their fixes, and what could not be
 * told, as warnings. The workflow may not be on GitHub yet (pushed later): then its state is not
 * a problem, nor worth a word.
 */
export function actionsProblems(
  repository: string,
  permissions: Answer<ActionsPermissions>,
  workflow: Answer<WorkflowInfo>,
): { problems: Problem[]; warnings: string[] } {
  const web = `https://github.com/${repository}`;
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const settings = `open ${web}/settings/actions, choose "Allow all actions and reusable workflows" under "Actions permissions" and click Save`;
  if (!permissions.ok || typeof permissions.body.enabled !== 'boolean') {
    warnings.push(
      `! could not check whether GitHub Actions is enabled in ${repository}` +
        `${permissions.ok ? '' : ` (${permissions.said})`}; if it is off, nothing deploys: ` +
        `see ${web}/actions`,
    );
  } else if (!permissions.body.enabled) {
    problems.push({
      what: `GitHub Actions is disabled in ${repository}: the Deploy workflow would never run`,
      fix: settings,
    });
  } else if (permissions.body.allowed_actions === 'local_only') {
    problems.push({
      what: `${repository} allows only its own actions: the Deploy workflow uses actions/checkout and aws-actions/configure-aws-credentials`,
      fix: settings,
    });
  }
  if (workflow.ok && workflow.body.state === 'disabled_fork') {
    problems.push({
      what: `GitHub Actions is not enabled in ${repository} yet: GitHub keeps a fork's workflows off until its owner turns them on`,
      fix: `open ${web}/actions and click "I understand my workflows, go ahead and enable them"`,
    });
  } else if (
    workflow.ok &&
    (workflow.body.state === 'disabled_manually' || workflow.body.state === 'disabled_inactivity')
  ) {
    problems.push({
      what: `the Deploy workflow (${DEPLOY_WORKFLOW}) is disabled in ${repository}`,
      fix: `open ${web}/actions/workflows/${DEPLOY_WORKFLOW} and click "Enable workflow"`,
    });
  }
  return { problems, warnings };
}

/**
 * Step 2: the OIDC subject template the deploy roles trust (OIDC_SUBJECT_CLAIM_KEYS), then read
 * back, since the subject GitHub issues depends on the repository's settings too.
 */
export function subjectCalls(repository: string): GitHubCall[] {
  const path = `${repositoryPath(repository)}/actions/oidc/customization/sub`;
  return [
    {
      method: 'PUT',
      path,
      body: { use_default: false, include_claim_keys: [...OIDC_SUBJECT_CLAIM_KEYS] },
      purpose: "put the repository's id into every OIDC subject GitHub issues for this repository",
    },
    { method: 'GET', path, purpose: 'read the subject template back' },
  ];
}

/**
 * What the deploy roles will trust, from what GitHub says: the repository's canonical name, its
 * id, and (with immutable subjects) its owner's id. Throws when GitHub did not keep the template
 * or reports a subject prefix other than the one footfall would trust.
 */
export function trustedIdentity(
  repository: RepositoryInfo,
  settings: SubjectSettings,
): GitHubRepositoryIdentity {
  const keys = settings.include_claim_keys ?? [];
  if (
    settings.use_default !== false ||
    keys.length !== OIDC_SUBJECT_CLAIM_KEYS.length ||
    keys.some((key, i) => key !== OIDC_SUBJECT_CLAIM_KEYS[i])
  ) {
    throw new Error(
      `GitHub's OIDC subject template for ${repository.full_name} is ${JSON.stringify(settings)}, ` +
        `not {"use_default":false,"include_claim_keys":${JSON.stringify(OIDC_SUBJECT_CLAIM_KEYS)}}`,
    );
  }
  const [owner, name] = repository.full_name.split('/');
  const nameOnly: GitHubRepositoryIdentity = {
    repository: repository.full_name,
    repositoryId: String(repository.id),
  };
  const immutable: GitHubRepositoryIdentity = {
    ...nameOnly,
    repositoryOwnerId: String(repository.owner.id),
  };
  const prefixes = [
    [`repo:${repository.full_name}`, nameOnly],
    [`repo:${owner}@${repository.owner.id}/${name}@${repository.id}`, immutable],
  ] as const;
  // GitHub's own word on the prefix wins; without it, its immutable-subject setting decides.
  const identity =
    settings.sub_claim_prefix === undefined
      ? settings.use_immutable_subject
        ? immutable
        : nameOnly
      : prefixes.find(([prefix]) => prefix === settings.sub_claim_prefix)?.[1];
  if (!identity) {
    throw new Error(
      `GitHub says the subjects of ${repository.full_name} begin "${settings.sub_claim_prefix}", ` +
        `footfall expected "${prefixes[0][0]}" or "${prefixes[1][0]}": the deploy roles would ` +
        'trust a subject GitHub never issues',
    );
  }
  return identity;
}

/** The CDK context that makes `FootfallDeployAccess` trust exactly this identity. */
export function trustContext(
  identity: GitHubRepositoryIdentity,
  environments: Environments,
): string[] {
  const context: Record<string, string> = {
    repository: identity.repository,
    repositoryId: identity.repositoryId,
    ...(identity.repositoryOwnerId ? { repositoryOwnerId: identity.repositoryOwnerId } : {}),
    environmentName: environments.production,
    staging: String(environments.staging !== undefined),
  };
  return Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
}

export interface AwsPlanInputs {
  readonly account: string;
  readonly region: string;
  /** From the caller's ARN (`aws`, `aws-cn`, `aws-us-gov`). */
  readonly partition: string;
  readonly qualifier: string;
  readonly identity: GitHubRepositoryIdentity;
  readonly environments: Environments;
  readonly outputsFile: string;
}

/**
 * Steps 3-5: build (the app synthesizes the site), deploy the deploy-access stack with the
 * caller's own credentials (it creates the execution policy and the boundary), then
 * `cdk bootstrap` with that policy instead of AdministratorAccess and that boundary on the
 * execution role.
 */
export function awsCommands(inputs: AwsPlanInputs): Command[] {
  return [
    { command: 'npm', args: ['run', 'build'], purpose: 'build the site the app stacks carry' },
    {
      command: 'npx',
      args: [
        'cdk',
        'deploy',
        stackNames.deployAccess,
        '--exclusively',
        ...trustContext(inputs.identity, inputs.environments),
        '-c',
        `bootstrapQualifier=${inputs.qualifier}`,
        '--outputs-file',
        inputs.outputsFile,
      ],
      purpose:
        "GitHub's OIDC provider, a deploy role per environment, the execution policy and the boundary",
    },
    bootstrapCommand(inputs),
  ];
}

/**
 * `cdk bootstrap` of one account and region with footfall's execution policy instead of
 * AdministratorAccess, and its boundary on the execution role. The policies are IAM's (global):
 * once the deploy-access stack has created them, any region can be bootstrapped with them.
 */
export function bootstrapCommand(
  inputs: Pick<AwsPlanInputs, 'account' | 'region' | 'partition' | 'qualifier'>,
): Command {
  const names = bootstrapPolicyNames(inputs.qualifier);
  const executionPolicyArn = `arn:${inputs.partition}:iam::${inputs.account}:policy/${names.execution}`;
  return {
    command: 'npx',
    args: [
      'cdk',
      'bootstrap',
      `aws://${inputs.account}/${inputs.region}`,
      '--qualifier',
      inputs.qualifier,
      '--cloudformation-execution-policies',
      executionPolicyArn,
      '--custom-permissions-boundary',
      names.boundary,
    ],
    purpose: "CDK's roles and asset bucket, CloudFormation limited to footfall's services",
  };
}

/**
 * Step 6: each environment admits deployments from `main` only (a custom branch policy), keeping
 * whatever reviewers and wait timer it already has.
 */
export function environmentCalls(
  repository: string,
  environments: Environments,
  existing: Readonly<Record<string, ExistingEnvironment | undefined>> = {},
  existingBranchPolicies: Readonly<Record<string, readonly string[]>> = {},
): GitHubCall[] {
  const names = [environments.staging, environments.production].filter(
    (name): name is string => name !== undefined,
  );
  return names.flatMap((name) => {
    const path = `${repositoryPath(repository)}/environments/${name}`;
    const rules = existing[name]?.protection_rules ?? [];
    const reviewers = rules.find((rule) => rule.type === 'required_reviewers');
    const timer = rules.find((rule) => rule.type === 'wait_timer');
    const body: Record<string, unknown> = {
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
      ...(reviewers?.reviewers
        ? {
            reviewers: reviewers.reviewers.map((r) => ({ type: r.type, id: r.reviewer.id })),
            prevent_self_review: reviewers.prevent_self_review ?? false,
          }
        : {}),
      ...(timer?.wait_timer !== undefined ? { wait_timer: timer.wait_timer } : {}),
    };
    const calls: GitHubCall[] = [
      {
        method: 'PUT',
        path,
        body,
        purpose: `the ${name} environment, deployable from chosen branches only`,
      },
    ];
    if (!(existingBranchPolicies[name] ?? []).includes(DEPLOY_BRANCH)) {
      calls.push({
        method: 'POST',
        path: `${path}/deployment-branch-policies`,
        body: { name: DEPLOY_BRANCH, type: 'branch' },
        purpose: `${name}: the one branch it admits, ${DEPLOY_BRANCH}`,
      });
    }
    return calls;
  });
}

/** The deploy-access stack's outputs (`cdk deploy --outputs-file`). */
export interface DeployAccessOutputs {
  readonly ProductionDeployRoleArn?: string;
  readonly StagingDeployRoleArn?: string;
  readonly ExecutionPolicyArn?: string;
}

/** Step 7: the repository variables the deploy workflow reads. Not secrets: none is sensitive. */
export function variableCommands(
  repository: string,
  region: string,
  outputs: DeployAccessOutputs,
  environments: Environments,
): Command[] {
  const variable = (name: string, value: string | undefined, purpose: string): Command => {
    if (!value) throw new Error(`the deploy-access stack did not output ${purpose}`);
    return {
      command: 'gh',
      args: ['variable', 'set', name, '--repo', repository, '--body', value],
      purpose,
    };
  };
  return [
    variable(WORKFLOW_VARIABLES.region, region, 'the region'),
    variable(
      WORKFLOW_VARIABLES.productionRole,
      outputs.ProductionDeployRoleArn,
      "the production deploy role's ARN",
    ),
    ...(environments.staging
      ? [
          variable(
            WORKFLOW_VARIABLES.stagingRole,
            outputs.StagingDeployRoleArn,
            "the staging deploy role's ARN",
          ),
        ]
      : []),
  ];
}

/**
 * Said at the end when alarms are e-mailed (`alarmEmail`): each stage's alarm topic subscribes
 * the address, and AWS sends nothing to it until the subscription is confirmed from the e-mail
 * AWS sends after the first deploy.
 */
export function alarmEmailNote(email: string, environments: Environments): string {
  const title = '"AWS Notification - Subscription Confirmation"';
  const sent = environments.staging
    ? `two e-mails titled ${title}, one per stage (${environments.staging}, ${environments.production}): click "Confirm subscription" in each`
    : `an e-mail titled ${title}: click "Confirm subscription" in it`;
  return `Alarms are e-mailed to ${email}. After the first deploy, AWS sends that address ${sent}, or no alarm e-mail arrives.`;
}

/** A call as a person would type it: `gh api --method PUT PATH --input - <<'JSON' … JSON`. */
export function describeCall(call: GitHubCall): string {
  const head = `gh api --method ${call.method} ${call.path}`;
  return call.body ? `${head} --input - <<'JSON'\n${JSON.stringify(call.body)}\nJSON` : head;
}

/** A command as a person would type it, quoted for a POSIX shell. */
export function describeCommand(command: Command): string {
  const quote = (arg: string) =>
    /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
  return [command.command, ...command.args].map(quote).join(' ');
}

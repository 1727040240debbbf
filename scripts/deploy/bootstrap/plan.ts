/**
 * What `npm run bootstrap` does, computed without doing it: the GitHub API calls that change the
 * repository, the commands and the variables, from what it has read (`github.ts`). Pure
 * functions, so the plan is tested offline; `main.ts` only reads, runs and prints.
 */
import { bootstrapPolicyNames, stackNames } from '../../../cdk/lib/deploy-names.js';
import {
  type GitHubRepositoryIdentity,
  OIDC_SUBJECT_CLAIM_KEYS,
} from '../../../cdk/lib/github-oidc.js';
import type { Problem } from '../problems.js';
import { type GitHubCall, repositoryPath } from './github.js';

/** A command run in the project root. */
export interface Command {
  readonly command: string;
  readonly args: readonly string[];
  readonly purpose: string;
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

/** The usage line every command-line mistake ends with. */
export const BOOTSTRAP_USAGE =
  'usage: npm run bootstrap -- --repo OWNER/REPO [--environment NAME] [--no-staging] [--alert-email ADDRESS] [--protect-main] [--staging-reviewers WHO[,WHO]] [--production-reviewers WHO[,WHO]], or -- --no-github [--alert-email ADDRESS]';

/** Who may approve an environment's deployments: a user or a team, by GitHub's numeric id. */
export interface Reviewer {
  readonly type: 'User' | 'Team';
  readonly id: number;
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
  /**
   * Regions besides `region` that app stacks go to (us-east-1, for CloudFront's certificate and
   * web ACL): bootstrapped the same way, so the pipeline can deploy there.
   */
  readonly otherRegions?: readonly string[];
}

const BUILD: Command = {
  command: 'npm',
  args: ['run', 'build'],
  purpose: 'build the site the app stacks carry',
};

/**
 * Steps 3-5: build (the app synthesizes the site), deploy the deploy-access stack with the
 * caller's own credentials (it creates the execution policy and the boundary), then
 * `cdk bootstrap` with that policy instead of AdministratorAccess and that boundary on the
 * execution role, in the app's region and in every other region an app stack goes to.
 */
export function awsCommands(inputs: AwsPlanInputs): Command[] {
  return deployAccessAndBootstrap(inputs, {
    args: [
      ...trustContext(inputs.identity, inputs.environments),
      '-c',
      `bootstrapQualifier=${inputs.qualifier}`,
      '--outputs-file',
      inputs.outputsFile,
    ],
    purpose:
      "GitHub's OIDC provider, a deploy role per environment, the execution policy and the boundary",
  });
}

/**
 * `--no-github`, for deploys by hand (`npm run deploy`): the same steps without a repository,
 * so the deploy-access stack holds only the execution policy and the boundary, and no GitHub
 * API is called. `npm run bootstrap` with a repository later adds the GitHub part to that stack.
 * Every region an app stack goes to is bootstrapped as with GitHub: `npm run deploy` deploys
 * the us-east-1 stacks too.
 */
export function awsCommandsWithoutGitHub(
  inputs: Pick<AwsPlanInputs, 'account' | 'region' | 'partition' | 'qualifier' | 'otherRegions'>,
): Command[] {
  return deployAccessAndBootstrap(inputs, {
    args: ['-c', `bootstrapQualifier=${inputs.qualifier}`],
    purpose: 'the execution policy and the boundary (no GitHub roles)',
  });
}

/** Build, the deploy-access stack (deployed with `deploy`'s arguments), and every bootstrap. */
function deployAccessAndBootstrap(
  inputs: Pick<AwsPlanInputs, 'account' | 'region' | 'partition' | 'qualifier' | 'otherRegions'>,
  deploy: { readonly args: readonly string[]; readonly purpose: string },
): Command[] {
  return [
    BUILD,
    {
      command: 'npx',
      args: ['cdk', 'deploy', stackNames.deployAccess, '--exclusively', ...deploy.args],
      purpose: deploy.purpose,
    },
    bootstrapCommand(inputs),
    ...(inputs.otherRegions ?? [])
      .filter((region) => region !== inputs.region)
      .map((region) => bootstrapCommand({ ...inputs, region })),
  ];
}

/**
 * `--no-github` over a deploy-access stack that holds GitHub's deploy roles would delete them
 * (CloudFormation removes what the template no longer has): refused, and what to run instead.
 */
export function githubRolesProblem(outputs: DeployAccessOutputs | undefined): Problem | undefined {
  if (!outputs?.ProductionDeployRoleArn) return undefined;
  return {
    what: `${stackNames.deployAccess} holds GitHub's deploy roles (${outputs.ProductionDeployRoleArn}): --no-github would delete them, and the pipeline with them`,
    fix: 'npm run bootstrap (with GitHub, as before): its policies serve deploys by hand too',
  };
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
  /** Reviewers asked for (`--staging-reviewers`, …): they replace an environment's own. */
  reviewersFor: Readonly<Record<string, readonly Reviewer[] | undefined>> = {},
): GitHubCall[] {
  const names = [environments.staging, environments.production].filter(
    (name): name is string => name !== undefined,
  );
  return names.flatMap((name) => {
    const path = `${repositoryPath(repository)}/environments/${name}`;
    const rules = existing[name]?.protection_rules ?? [];
    const reviewers = rules.find((rule) => rule.type === 'required_reviewers');
    const timer = rules.find((rule) => rule.type === 'wait_timer');
    const asked = reviewersFor[name];
    const kept = reviewers?.reviewers?.map((r) => ({ type: r.type, id: r.reviewer.id }));
    const chosen = asked && asked.length > 0 ? asked.map((r) => ({ ...r })) : kept;
    const body: Record<string, unknown> = {
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
      ...(chosen
        ? { reviewers: chosen, prevent_self_review: reviewers?.prevent_self_review ?? false }
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

/** `GET /repos/{owner}/{repo}/branches/{branch}/protection`, what is worth keeping. */
export interface ExistingBranchProtection {
  readonly required_status_checks?: {
    readonly strict?: boolean;
    readonly checks?: readonly { readonly context: string; readonly app_id?: number | null }[];
  } | null;
  readonly required_pull_request_reviews?: {
    readonly required_approving_review_count?: number;
    readonly require_code_owner_reviews?: boolean;
  } | null;
}

/**
 * `--protect-main`: nothing reaches `main` (which both environments deploy) but a pull request
 * that someone other than its last pusher approved, administrators included; no force-push, no
 * deletion. Status checks the branch already requires, and a higher review count or code-owner
 * reviews, are kept (the call replaces the whole protection).
 */
export function branchProtectionCall(
  repository: string,
  existing: ExistingBranchProtection | undefined = undefined,
): GitHubCall {
  const checks = existing?.required_status_checks;
  const reviews = existing?.required_pull_request_reviews;
  return {
    method: 'PUT',
    path: `${repositoryPath(repository)}/branches/${DEPLOY_BRANCH}/protection`,
    body: {
      required_status_checks: checks
        ? {
            strict: checks.strict ?? false,
            checks: (checks.checks ?? []).map((check) => ({
              context: check.context,
              ...(check.app_id ? { app_id: check.app_id } : {}),
            })),
          }
        : null,
      enforce_admins: true,
      required_pull_request_reviews: {
        required_approving_review_count: Math.max(1, reviews?.required_approving_review_count ?? 1),
        dismiss_stale_reviews: true,
        require_code_owner_reviews: reviews?.require_code_owner_reviews ?? false,
        require_last_push_approval: true,
      },
      restrictions: null,
      allow_force_pushes: false,
      allow_deletions: false,
    },
    purpose: `${DEPLOY_BRANCH}: changed only by a pull request someone else approved`,
  };
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

/** What the owner can still do to make an approval mean something, for the closing message. */
export function stillOpen(
  environments: Environments,
  done: {
    readonly protectMain: boolean;
    readonly reviewers: Readonly<Record<string, readonly Reviewer[]>>;
    readonly existing: Readonly<Record<string, ExistingEnvironment | undefined>>;
  },
): string[] {
  const reviewed = (environment: string) =>
    done.reviewers[environment] !== undefined ||
    done.existing[environment]?.protection_rules?.some((r) => r.type === 'required_reviewers') ===
      true;
  return [
    ...(done.protectMain
      ? []
      : [
          `protect ${DEPLOY_BRANCH} (a reviewed pull request for every change): run again with --protect-main`,
        ]),
    ...(reviewed(environments.production)
      ? []
      : [`have production deploys approved: run again with --production-reviewers YOU[,OTHERS]`]),
    ...(environments.staging && !reviewed(environments.staging)
      ? [
          `have staging deploys approved too (staging reaches the same CDK roles as production): run again with --staging-reviewers YOU[,OTHERS]`,
        ]
      : []),
  ];
}

/** A command as a person would type it, quoted for a POSIX shell. */
export function describeCommand(command: Command): string {
  const quote = (arg: string) =>
    /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
  return [command.command, ...command.args].map(quote).join(' ');
}

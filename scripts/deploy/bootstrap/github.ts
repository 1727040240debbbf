/**
 * What `npm run bootstrap` reads from GitHub and checks there before it changes anything: the
 * repository (its canonical name and ids), whether GitHub Actions will run the deploy workflow,
 * and the OIDC subject GitHub issues. Pure functions over what `gh api` answered; the calls are
 * made by `main.ts`.
 */
import { REPOSITORY_PATTERN } from '../../../cdk/lib/defaults.js';
import {
  type GitHubRepositoryIdentity,
  OIDC_SUBJECT_CLAIM_KEYS,
} from '../../../cdk/lib/github-oidc.js';
import type { Problem } from '../problems.js';

/** A GitHub REST call, made with `gh api --method M PATH --input -` (the body on stdin). */
export interface GitHubCall {
  readonly method: 'GET' | 'PUT' | 'POST';
  readonly path: string;
  readonly body?: Record<string, unknown>;
  /** Why, for the person running it. */
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

export const repositoryPath = (repository: string) => `repos/${repository}`;

/** Where the repository was found, first one wins: `--repo`, `GITHUB_REPOSITORY`, … */
export interface RepositoryChoice {
  readonly source: string;
  readonly repository: string;
}

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

/** A call as a person would type it: `gh api --method PUT PATH --input - <<'JSON' … JSON`. */
export function describeCall(call: GitHubCall): string {
  const head = `gh api --method ${call.method} ${call.path}`;
  return call.body ? `${head} --input - <<'JSON'\n${JSON.stringify(call.body)}\nJSON` : head;
}

/** GitHub's own limit on an environment's required reviewers. */
export const MAX_ENVIRONMENT_REVIEWERS = 6;

/** A user (`LOGIN`) or a team (`ORG/TEAM-SLUG`), as `--staging-reviewers` takes them. */
export type ReviewerName =
  | { readonly type: 'User'; readonly login: string }
  | { readonly type: 'Team'; readonly org: string; readonly slug: string };

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const TEAM_SLUG = /^[a-z0-9][a-z0-9_-]*$/i;

/**
 * `--staging-reviewers alice,maya-ol/deployers`: the names, or what is wrong with them (`option`
 * names the option in the problem).
 */
export function parseReviewers(
  option: string,
  value: string,
): { reviewers: ReviewerName[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const reviewers: ReviewerName[] = [];
  const fix = `pass ${option} with GitHub user names or ORG/TEAM, separated by commas (--staging-reviewers alice,my-org/deployers)`;
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) problems.push({ what: `${option} is empty`, fix });
  for (const entry of entries) {
    const [org, slug, ...rest] = entry.replace(/^@/, '').split('/');
    if (slug === undefined && org && LOGIN.test(org)) {
      reviewers.push({ type: 'User', login: org });
    } else if (org && slug && rest.length === 0 && LOGIN.test(org) && TEAM_SLUG.test(slug)) {
      reviewers.push({ type: 'Team', org, slug });
    } else {
      problems.push({ what: `${option}: "${entry}" is neither a GitHub user nor ORG/TEAM`, fix });
    }
  }
  if (entries.length > MAX_ENVIRONMENT_REVIEWERS) {
    problems.push({
      what: `${option} names ${entries.length} reviewers; GitHub allows ${MAX_ENVIRONMENT_REVIEWERS} per environment`,
      fix: `name at most ${MAX_ENVIRONMENT_REVIEWERS} (a team counts as one)`,
    });
  }
  return { reviewers, problems };
}

/** Read before anything changes: a reviewer's numeric id, which the environment API takes. */
export function reviewerCall(reviewer: ReviewerName): GitHubCall {
  return reviewer.type === 'User'
    ? { method: 'GET', path: `users/${reviewer.login}`, purpose: `${reviewer.login}'s user id` }
    : {
        method: 'GET',
        path: `orgs/${reviewer.org}/teams/${reviewer.slug}`,
        purpose: `team ${reviewer.org}/${reviewer.slug}'s id`,
      };
}

/** `GET /repos/{owner}/{repo}/branches/{branch}/protection`. */
export const branchProtectionRead = (repository: string, branch: string): GitHubCall => ({
  method: 'GET',
  path: `${repositoryPath(repository)}/branches/${branch}/protection`,
  purpose: `what protects ${branch} now`,
});

/**
 * `--staging-reviewers` and `--production-reviewers`, by environment: each list parsed, and a
 * reviewer of a staging that is switched off refused.
 */
export function reviewerOptions(
  given: { readonly staging?: string | undefined; readonly production?: string | undefined },
  environments: { readonly staging?: string | undefined; readonly production: string },
) {
  const names: Record<string, ReviewerName[]> = {};
  const problems: Problem[] = [];
  for (const stage of ['staging', 'production'] as const) {
    const value = given[stage];
    if (value === undefined) continue;
    const option = `--${stage}-reviewers`;
    const environment = environments[stage];
    if (!environment) {
      problems.push({
        what: `${option} with staging switched off: there is no staging environment to review`,
        fix: 'leave out --staging-reviewers, or --no-staging ("staging": false in cdk.json)',
      });
      continue;
    }
    const parsed = parseReviewers(option, value);
    problems.push(...parsed.problems);
    if (parsed.problems.length === 0) names[environment] = parsed.reviewers;
  }
  return { names, problems };
}

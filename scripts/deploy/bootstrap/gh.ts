import { spawnSync } from 'node:child_process';
import type { Problem } from '../problems.js';
import {
  type ActionsPermissions,
  type Answer,
  actionsCalls,
  actionsProblems,
  describeCall,
  type GitHubCall,
  type ReviewerName,
  readRepository,
  reviewerCall,
  type WorkflowInfo,
} from './github.js';
import {
  branchProtectionCall,
  type Environments,
  type ExistingEnvironment,
  environmentCalls,
  type Reviewer,
  subjectCalls,
} from './plan.js';

// The bootstrap's GitHub, through the GitHub CLI: `gh api` calls run, and the reads that come
// before anything changes. What each call is, and what it means, is `github.ts` and `plan.ts`.

/** Runs one `gh api` call and returns its JSON answer; throws with gh's own words. */
export function gh(call: GitHubCall): unknown {
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
}

/** What GitHub said when a `gh api` call failed, without the command. */
export const ghSaid = (error: unknown) =>
  (error as Error).message.replace(/^gh api .*? failed: /, '');

/** Why gh cannot make the calls (not installed, not signed in), or undefined when it can. */
export function ghProblem(): Problem | undefined {
  const ready = spawnSync('gh', ['auth', 'status'], { encoding: 'utf8' });
  if (!ready.error && ready.status === 0) return undefined;
  return (ready.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
    ? {
        what: 'the GitHub CLI (gh) is not installed: footfall reads the repository id and sets the repository up through it',
        fix: 'install it (https://cli.github.com), then gh auth login',
      }
    : {
        what: 'the GitHub CLI (gh) is not signed in: footfall reads the repository id and sets the repository up through it',
        fix: 'gh auth login (as an admin of the repository)',
      };
}

/**
 * Whether GitHub Actions runs the deploy workflow there: off in the settings, or not yet turned
 * on in a new fork, it never starts. What gh may not read is a warning, not a stop.
 */
export function readActions(repository: string) {
  const read = <T>(call: GitHubCall): Answer<T> => {
    try {
      return { ok: true, body: (gh(call) ?? {}) as T };
    } catch (error) {
      return { ok: false, said: ghSaid(error) };
    }
  };
  const calls = actionsCalls(repository);
  return actionsProblems(
    repository,
    read<ActionsPermissions>(calls.permissions),
    read<WorkflowInfo>(calls.workflow),
  );
}

/** Each environment's reviewers by id, read before anything changes: a misspelt name stops. */
export function readReviewers(names: Record<string, ReviewerName[]>) {
  const reviewers: Record<string, Reviewer[]> = {};
  const problems: Problem[] = [];
  for (const [environment, list] of Object.entries(names)) {
    reviewers[environment] = [];
    for (const name of list) {
      const call = reviewerCall(name);
      try {
        const { id } = gh(call) as { id?: number };
        if (typeof id !== 'number') throw new Error(`no id in GitHub's answer to ${call.path}`);
        reviewers[environment].push({ type: name.type, id });
      } catch (error) {
        const who = name.type === 'User' ? `user ${name.login}` : `team ${name.org}/${name.slug}`;
        problems.push({
          what: `GitHub shows no ${who} (reviewer of ${environment}): ${ghSaid(error)}`,
          fix: 'check the spelling; a team is ORG/TEAM-SLUG, and gh must be signed in as a member who can see it',
        });
      }
    }
  }
  return { reviewers, problems };
}

/** The environments as they are (reviewers, wait timers, branch policies), to keep them. */
export function readEnvironments(repository: string, names: readonly (string | undefined)[]) {
  const existing: Record<string, ExistingEnvironment | undefined> = {};
  const branchPolicies: Record<string, string[]> = {};
  for (const name of names) {
    if (!name) continue;
    try {
      existing[name] = gh({
        method: 'GET',
        path: `repos/${repository}/environments/${name}`,
        purpose: '',
      }) as ExistingEnvironment;
      const policies = gh({
        method: 'GET',
        path: `repos/${repository}/environments/${name}/deployment-branch-policies`,
        purpose: '',
      }) as { branch_policies?: { name: string; type?: string }[] };
      branchPolicies[name] = (policies.branch_policies ?? [])
        .filter((policy) => (policy.type ?? 'branch') === 'branch')
        .map((policy) => policy.name);
    } catch {
      // Not there yet: created below.
    }
  }
  return { existing, branchPolicies };
}

/** The calls the bootstrap would make, said when gh cannot make them yet. */
export function callsToMake(
  repository: string,
  environments: Environments,
  protectMain: boolean,
): string {
  const calls = [
    readRepository(repository),
    ...Object.values(actionsCalls(repository)),
    ...subjectCalls(repository),
    ...environmentCalls(repository, environments),
    ...(protectMain ? [branchProtectionCall(repository)] : []),
  ];
  return `Once gh is signed in, it makes these calls:\n\n${calls
    .map((call) => `  # ${call.purpose}\n  ${describeCall(call).replaceAll('\n', '\n  ')}`)
    .join('\n')}`;
}

// How GitHub names a deploy job in the OIDC token it issues, and what footfall's deploy roles
// trust. Plain data and functions: the deploy-access stack and `npm run bootstrap` both use them.

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/**
 * The claims GitHub puts in the OIDC subject of this repository's jobs: `npm run bootstrap` sets
 * this template (`PUT /repos/OWNER/REPO/actions/oidc/customization/sub` with
 * `{"use_default": false, "include_claim_keys": […]}`), and `githubSubject` builds the subject
 * it produces.
 */
export const OIDC_SUBJECT_CLAIM_KEYS = ['repo', 'context', 'repository_id'] as const;

export interface GitHubRepositoryIdentity {
  /** `OWNER/REPO`, spelt as GitHub spells it (the subject is compared case-sensitively). */
  readonly repository: string;
  /** The repository's numeric id: immutable, never reused. */
  readonly repositoryId: string;
  /** The owner's numeric id, when the repository uses GitHub's immutable subject format. */
  readonly repositoryOwnerId?: string | undefined;
}

/**
 * The exact `sub` GitHub issues to a job of `repository` that runs in `environment`, under the
 * subject template `OIDC_SUBJECT_CLAIM_KEYS`. Source: GitHub's "OpenID Connect reference"
 * (docs.github.com/en/actions/reference/security/oidc, github/docs
 * content/actions/reference/security/oidc.md):
 *
 * - a customised subject is the listed claims in order, each as `key:value`, except that `repo`
 *   is `repo:OWNER/REPO` and `context` is what follows the repository in the default subject:
 *   for a job that names an environment, `environment:NAME` ("This customization template
 *   requires that the `sub` uses the following format:
 *   `repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME:job_workflow_ref:…`" for the keys
 *   `["repo", "context", "job_workflow_ref"]`);
 * - "for repositories using immutable subject claims, `owner_id` and `repo_id` are always
 *   included in the `repo` segment of the `sub` claim, even when you customize claims with
 *   `include_claim_keys`", as `repo:OWNER@OWNER-ID/REPO@REPO-ID` (repositories created, renamed
 *   or transferred after 15 July 2026, or opted in).
 *
 * So: `repo:OWNER/REPO:environment:NAME:repository_id:ID`, or with immutable subjects
 * `repo:OWNER@OWNER_ID/REPO@ID:environment:NAME:repository_id:ID`. Either way the repository's id
 * is in it: a repository deleted and re-created under the same name, or another one renamed to
 * it, has another id and gets another subject.
 */
export function githubSubject(identity: GitHubRepositoryIdentity, environment: string): string {
  const [owner, name] = identity.repository.split('/');
  const repo = identity.repositoryOwnerId
    ? `${owner}@${identity.repositoryOwnerId}/${name}@${identity.repositoryId}`
    : identity.repository;
  return `repo:${repo}:environment:${environment}:repository_id:${identity.repositoryId}`;
}

/**
 * The origin secret's versions (ADR 18). CloudFormation resolves a `{{resolve:secretsmanager:…}}`
 * reference only when the resource holding it changes, so a reference whose target can move
 * (the secret's current value) leaves CloudFront and the function each with whatever it was when
 * they last changed. Every reference here names one version that never moves: version 0 is the
 * value the stack generated (`AWSCURRENT`, which the runbook never moves), version N ≥ 1 the value
 * the runbook put under the staging label `footfall-origin-N`. A rotation changes the number, so
 * it changes the text of both resources, and each re-reads exactly the version it names.
 */
export const originSecretLabelPrefix = 'footfall-origin-';

/** The largest version the settings accept: far more rotations than a secret's 100 versions. */
export const maxOriginSecretVersion = 1_000_000;

/** The staging label the runbook puts version `version` (≥ 1) under. */
export function originSecretLabel(version: number): string {
  if (!Number.isInteger(version) || version < 1 || version > maxOriginSecretVersion) {
    throw new Error(`origin secret labels go from 1 to ${maxOriginSecretVersion}, got ${version}`);
  }
  return `${originSecretLabelPrefix}${version}`;
}

/**
 * The `--client-request-token` the runbook puts version `version` with: Secrets Manager makes it
 * the version's id, and refuses a second put of another value with the same token. So running
 * step 1 twice fails instead of moving the label to a new value behind the deployed resources.
 */
export function originSecretVersionToken(version: number): string {
  originSecretLabel(version);
  return `footfall-origin-secret-version-${String(version).padStart(10, '0')}`;
}

/** Why a rotation's settings cannot be deployed, or undefined when they can. */
export function rotationProblem(version: number, acceptPrevious: boolean): string | undefined {
  if (!acceptPrevious || version > 0) return undefined;
  return (
    'acceptPreviousOriginSecret: true needs originSecretVersion 1 or more (the version being ' +
    'rotated to; it accepts the one before it): see "Rotating the origin secret" in docs/deploy.md'
  );
}

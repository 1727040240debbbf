import { SecretValue } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { maxOriginSecretVersion, originSecretLabel } from './origin-secret-versions.js';

/** What CloudFront sends, and what the function accepts (what CloudFront sends first). */
export interface OriginSecretReferences {
  /** The dynamic reference in CloudFront's origin header. */
  readonly sent: string;
  /** The dynamic references in the function's `ORIGIN_SECRETS`, `sent` first. */
  readonly accepted: readonly string[];
}

/** The reference to one version of the origin secret (never its value). */
export function originSecretReference(secret: secretsmanager.ISecret, version: number): string {
  // Version 0 keeps the text every stack deployed before versions had: an update to this code
  // changes nothing CloudFront or the function holds.
  if (version === 0) return secret.secretValue.unsafeUnwrap();
  return SecretValue.secretsManager(secret.secretArn, {
    versionStage: originSecretLabel(version),
  }).unsafeUnwrap();
}

/**
 * Steady: CloudFront sends version N and the function accepts N only. Rotating to N (the
 * `acceptPrevious` deploy): CloudFront sends N, the function accepts N and N-1, since CloudFront
 * keeps sending N-1 until its own update, which waits for the function's.
 */
export function originSecretReferences(
  secret: secretsmanager.ISecret,
  version: number,
  acceptPrevious: boolean,
): OriginSecretReferences {
  if (!Number.isInteger(version) || version < 0 || version > maxOriginSecretVersion) {
    throw new Error(
      `originSecretVersion must be a whole number from 0 to ${maxOriginSecretVersion}, got ${version}`,
    );
  }
  if (acceptPrevious && version === 0) {
    throw new Error(
      'acceptPreviousOriginSecret needs originSecretVersion 1 or more: it accepts the version before it',
    );
  }
  const sent = originSecretReference(secret, version);
  return {
    sent,
    accepted: acceptPrevious ? [sent, originSecretReference(secret, version - 1)] : [sent],
  };
}

/**
 * The origin secret's rotation runbook (ADR 18) for the settings in force: which step is next and
 * its exact commands. Plain text from the deploy settings; nothing here calls AWS.
 */
import { stackNames } from '../../../cdk/lib/deploy-names.js';
import {
  originSecretLabel,
  originSecretVersionToken,
} from '../../../cdk/lib/origin-secret-versions.js';

export interface RotationState {
  /** `originSecretVersion` in cdk.json. */
  readonly version: number;
  /** `acceptPreviousOriginSecret` in cdk.json: the middle step is deployed (or about to be). */
  readonly acceptPrevious: boolean;
  /** Whether `FootfallStaging` exists, so its secret rotates too. */
  readonly staging: boolean;
}

/** The stacks whose secrets rotate together: cdk.json's settings hold for both. */
export const rotatedStacks = (staging: boolean): string[] =>
  staging ? [stackNames.staging, stackNames.app] : [stackNames.app];

/** The command that puts version `version` into the stack's secret, leaving AWSCURRENT alone. */
export function putVersionCommand(stack: string, version: number): string {
  return [
    `secret=$(aws cloudformation describe-stack-resources --stack-name ${stack}`,
    `--query "StackResources[?ResourceType=='AWS::SecretsManager::Secret'].PhysicalResourceId" --output text)`,
    '&& aws secretsmanager put-secret-value --secret-id "$secret"',
    `--version-stages ${originSecretLabel(version)}`,
    `--client-request-token ${originSecretVersionToken(version)}`,
    '--secret-string "$(aws secretsmanager get-random-password --password-length 48 --exclude-punctuation --query RandomPassword --output text)"',
  ].join(' ');
}

const deployAndSmoke = [
  'commit and push cdk.json: the pipeline deploys staging, smoke-tests it through CloudFront (a 403 fails it), then production, and smoke-tests that;',
  `by hand instead: npm run build && npx cdk deploy ${stackNames.staging} && npm run smoke -- --url STAGING_SITE_URL, then npm run deploy && npm run smoke -- --url SITE_URL`,
];

/** The next step's lines: what to run, in order. */
export function nextRotationStep(state: RotationState): string[] {
  const { version, acceptPrevious } = state;
  if (acceptPrevious) {
    return [
      `Rotating to origin secret version ${version}, final step: the function stops accepting version ${version - 1}.`,
      'Once the middle step is deployed everywhere (its deploys ended, and the smoke tests passed):',
      '  1. in cdk.json\'s context, remove "acceptPreviousOriginSecret" (keep "originSecretVersion": ' +
        `${version});`,
      ...deployAndSmoke.map((line) => `  2. ${line}`),
    ];
  }
  const next = version + 1;
  return [
    `Origin secret version ${version} is in use. To rotate to version ${next}:`,
    `  1. put the new value into each stage's secret as ${originSecretLabel(next)} (nothing uses it yet):`,
    ...rotatedStacks(state.staging).map((stack) => `       ${putVersionCommand(stack, next)}`),
    `  2. in cdk.json's context set "originSecretVersion": ${next} and "acceptPreviousOriginSecret": true`,
    `     (the function accepts ${next} and ${version}; CloudFront sends ${next} once the function is live);`,
    ...deployAndSmoke.map((line) => `     ${line}`),
    '  3. run npm run rotation again for the final step.',
  ];
}

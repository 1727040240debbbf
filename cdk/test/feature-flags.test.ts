import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cdkJsonContext, projectRoot, synthesize } from './support.js';

/** What `cdk init` writes into a new cdk.json with the installed aws-cdk-lib. */
const recommended = JSON.parse(
  readFileSync(
    join(projectRoot, 'node_modules/aws-cdk-lib/recommended-feature-flags.json'),
    'utf8',
  ),
) as Record<string, unknown>;

/** Flags set otherwise than recommended, on purpose, and why. */
const deliberately: Record<string, { value: unknown; why: string }> = {
  '@aws-cdk/core:target-partitions': {
    value: ['aws'],
    why:
      'footfall deploys to the commercial partition only; region facts for aws-cn would only ' +
      'lengthen the mappings CDK writes when a stack has no fixed region.',
  },
};

/** What state lives in: replacing one of these loses data or a secret. */
const STATEFUL = ['AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::SecretsManager::Secret'];

describe('CDK feature flags', () => {
  test('cdk.json sets every flag a new `cdk init` would, except the ones named here', () => {
    for (const [flag, value] of Object.entries(recommended)) {
      const expected = deliberately[flag]?.value ?? value;
      expect(cdkJsonContext[flag], `cdk.json: ${flag}`).toEqual(expected);
    }
    for (const flag of Object.keys(deliberately)) expect(recommended).toHaveProperty([flag]);
  });

  const configurations = {
    default: {},
    'custom domain and deploy access': {
      repository: 'octo-org/resume',
      repositoryId: '123456789',
      domainName: 'cv.example.com',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      hostedZoneName: 'example.com',
    },
  };
  test.each(Object.entries(configurations))(
    'turning them on replaces no table, bucket or secret (%s)',
    (_, context) => {
      const env = { account: '111111111111', region: 'eu-west-1' };
      const before = synthesize(context, { env, withoutCdkJson: true }).cdkApp.synth();
      const after = synthesize(context, { env }).cdkApp.synth();
      let compared = 0;
      for (const stack of before.stacks) {
        const old = (stack.template as { Resources: Record<string, { Type: string }> }).Resources;
        const now = (after.getStackByName(stack.stackName).template as typeof stack.template)
          .Resources as Record<string, unknown>;
        for (const [logicalId, resource] of Object.entries(old)) {
          if (!STATEFUL.includes(resource.Type)) continue;
          // Same logical ID, same properties: CloudFormation updates nothing, replaces nothing.
          expect(now[logicalId], `${stack.stackName}/${logicalId}`).toEqual(resource);
          compared++;
        }
      }
      expect(compared).toBe(8); // each stage: the two tables, the site's bucket, the origin secret
    },
  );
});

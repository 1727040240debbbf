import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { DeployAccessStack, GITHUB_OIDC_HOST } from '../lib/deploy-access-stack.js';
import { synthesize } from './support.js';

const stack = synthesize({ repository: 'maya-ol/footfall' }).deployAccess as DeployAccessStack;
const template = Template.fromStack(stack);

/** The deploy role's trust policy statement. */
function trust(t: Template) {
  const roles = Object.values(t.findResources('AWS::IAM::Role'));
  expect(roles).toHaveLength(1);
  const statements = roles[0]?.Properties.AssumeRolePolicyDocument.Statement;
  expect(statements).toHaveLength(1);
  return statements[0];
}

describe('deploy access', () => {
  test("GitHub's OIDC provider, as the native IAM resource, for STS", () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: `https://${GITHUB_OIDC_HOST}`,
      ClientIdList: ['sts.amazonaws.com'],
    });
    // Not the custom-resource provider.
    template.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
  });

  test('the role trusts exactly one repository in one environment, for one hour', () => {
    const statement = trust(template);
    expect(statement.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(statement.Condition).toEqual({
      StringEquals: {
        [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
        [`${GITHUB_OIDC_HOST}:sub`]: 'repo:maya-ol/footfall:environment:production',
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', { MaxSessionDuration: 3600 });
  });

  test('the sub condition is pinned: without it any GitHub repository could assume the role', () => {
    const { Condition } = trust(template);
    const sub = Condition.StringEquals?.[`${GITHUB_OIDC_HOST}:sub`];
    expect(sub).toBe('repo:maya-ol/footfall:environment:production');
    expect(sub).not.toContain('*');
    // No pattern matching anywhere in the trust policy.
    expect(Object.keys(Condition)).toEqual(['StringEquals']);
  });

  test('the role may only assume the tagged CDK bootstrap roles', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Sid: 'AssumeCdkBootstrapRoles',
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':iam::',
                  { Ref: 'AWS::AccountId' },
                  ':role/cdk-hnb659fds-*',
                ],
              ],
            },
            Condition: {
              StringEquals: {
                'iam:ResourceTag/aws-cdk:bootstrap-role': [
                  'deploy',
                  'file-publishing',
                  'image-publishing',
                  'lookup',
                ],
              },
            },
          },
        ],
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.absent(),
      Policies: Match.absent(),
    });
  });

  test('another environment, an existing provider and another qualifier are honoured', () => {
    const app = new App();
    const custom = Template.fromStack(
      new DeployAccessStack(app, 'Access', {
        repository: 'maya-ol/footfall',
        environmentName: 'prod-eu',
        oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/${GITHUB_OIDC_HOST}`,
        bootstrapQualifier: 'abc123',
      }),
    );
    custom.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(trust(custom).Condition.StringEquals[`${GITHUB_OIDC_HOST}:sub`]).toBe(
      'repo:maya-ol/footfall:environment:prod-eu',
    );
    expect(JSON.stringify(custom.toJSON())).toContain(':role/cdk-abc123-*');
  });

  test('a bad repository or environment is refused at construction', () => {
    expect(() => new DeployAccessStack(new App(), 'A', { repository: 'nope' })).toThrow(
      /OWNER\/REPO/,
    );
    expect(
      () => new DeployAccessStack(new App(), 'B', { repository: 'a/b', environmentName: 'x y' }),
    ).toThrow(/environment/);
  });

  test('without a configured repository the stack is left out', () => {
    expect(synthesize().deployAccess).toBeUndefined();
  });
});

import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { deployDefaults, ENVIRONMENT_NAME_PATTERN, REPOSITORY_PATTERN } from './defaults.js';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export interface DeployAccessStackProps extends StackProps {
  /** `OWNER/REPO`: the only repository whose workflows may assume the role. */
  readonly repository: string;
  /** The GitHub environment the deploy job runs in. @default deployDefaults.environmentName */
  readonly environmentName?: string;
  /** Reuse the account's GitHub OIDC provider (IAM allows one per URL). @default - create it */
  readonly oidcProviderArn?: string;
  /** The CDK bootstrap qualifier. @default deployDefaults.bootstrapQualifier (CDK's default) */
  readonly bootstrapQualifier?: string;
}

/**
 * What lets GitHub Actions deploy without stored keys: GitHub's OIDC provider and a role that
 * trusts exactly one repository's one environment, and can do nothing but hand over to the CDK
 * bootstrap roles. Deployed once, by a person, during bootstrap.
 */
export class DeployAccessStack extends Stack {
  public readonly role: iam.Role;
  public readonly provider: iam.IOidcProvider;

  constructor(scope: Construct, id: string, props: DeployAccessStackProps) {
    super(scope, id, props);
    if (!REPOSITORY_PATTERN.test(props.repository)) {
      throw new Error(
        `DeployAccessStack: repository must be OWNER/REPO, got "${props.repository}"`,
      );
    }
    const environmentName = props.environmentName ?? deployDefaults.environmentName;
    if (!ENVIRONMENT_NAME_PATTERN.test(environmentName)) {
      throw new Error(`DeployAccessStack: "${environmentName}" is not a GitHub environment name`);
    }
    const qualifier = props.bootstrapQualifier ?? deployDefaults.bootstrapQualifier;

    this.provider = props.oidcProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'GitHubOidc', props.oidcProviderArn)
      : new iam.OidcProviderNative(this, 'GitHubOidc', {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIds: ['sts.amazonaws.com'],
        });

    this.role = new iam.Role(this, 'DeployRole', {
      description: `GitHub Actions deploys of ${props.repository} (environment ${environmentName})`,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          // Exactly this repository's deploy environment: no branch, fork or other repo matches.
          [`${GITHUB_OIDC_HOST}:sub`]: `repo:${props.repository}:environment:${environmentName}`,
        },
      }),
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${this.partition}:iam::${this.account}:role/cdk-${qualifier}-*`],
        conditions: {
          // Only roles that `cdk bootstrap` created and tagged.
          StringEquals: {
            'iam:ResourceTag/aws-cdk:bootstrap-role': [
              'deploy',
              'file-publishing',
              'image-publishing',
              'lookup',
            ],
          },
        },
      }),
    );

    new CfnOutput(this, 'DeployRoleArn', {
      value: this.role.roleArn,
      description: 'Set as the repository variable AWS_DEPLOY_ROLE_ARN',
    });
  }
}

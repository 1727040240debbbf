import {
  CfnOutput,
  type DockerImageAssetLocation,
  Duration,
  type FileAssetLocation,
  type ISynthesisSession,
  Stack,
  type StackProps,
  StackSynthesizer,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import {
  deployDefaults,
  ENVIRONMENT_NAME_PATTERN,
  GITHUB_ID_PATTERN,
  REPOSITORY_PATTERN,
} from './defaults.js';
import { bootstrapPolicyNames } from './deploy-names.js';
import { type DeployScope, deployPermissionStatements } from './deploy-permissions.js';
import { GITHUB_OIDC_HOST, githubSubject } from './github-oidc.js';

/**
 * Deploys with the caller's own credentials and the template inline: no bootstrap role, no
 * asset bucket, no bootstrap version check. So the stack can be deployed before `cdk bootstrap`,
 * and the bootstrap roles (which CloudFormation would otherwise act through) never touch it.
 */
export class OwnCredentialsSynthesizer extends StackSynthesizer {
  override addFileAsset(): FileAssetLocation {
    throw new Error('OwnCredentialsSynthesizer: this stack must have no assets');
  }
  override addDockerImageAsset(): DockerImageAssetLocation {
    throw new Error('OwnCredentialsSynthesizer: this stack must have no assets');
  }
  override synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
    this.emitArtifact(session, {});
  }
}

export interface DeployAccessStackProps extends StackProps {
  /**
   * `OWNER/REPO`: the only repository whose workflows may assume the roles.
   * @default - no GitHub: no OIDC provider, no deploy roles, only the execution policy and the
   * boundary (deploys by hand, `npm run bootstrap -- --no-github`)
   */
  readonly repository?: string | undefined;
  /** The repository's numeric id, which the trust requires as well as the name; required with `repository`. */
  readonly repositoryId?: string | undefined;
  /** The owner's numeric id, when the repository uses GitHub's immutable subjects. */
  readonly repositoryOwnerId?: string | undefined;
  /**
   * The GitHub environments the deploy jobs run in: one role each. Without `staging`, no staging
   * role. @default production: deployDefaults.environmentName, staging: deployDefaults.stagingEnvironmentName
   */
  readonly environments?: { readonly production: string; readonly staging?: string | undefined };
  /** The stacks deployed through the bootstrap roles (whose roles the execution policy manages). */
  readonly appStackNames: readonly string[];
  /**
   * What of the app stacks the scoped services may touch (`deployScopeOf`): the kept tables no
   * deploy may delete, the secrets, the hosted zone.
   */
  readonly deployScope: DeployScope;
  /** Reuse the account's GitHub OIDC provider (IAM allows one per URL). @default - create it */
  readonly oidcProviderArn?: string;
  /** The CDK bootstrap qualifier. @default deployDefaults.bootstrapQualifier (CDK's default) */
  readonly bootstrapQualifier?: string;
  /**
   * Regions besides this stack's that app stacks deploy to (us-east-1, for CloudFront's
   * certificate and web ACL): the deploy roles may use CDK's bootstrap roles there too.
   * @default - none: this stack's region only
   */
  readonly otherDeployRegions?: readonly string[];
}

/**
 * What lets GitHub Actions deploy without stored keys, and bounds what a deploy can do:
 *
 * - GitHub's OIDC provider, and one role per GitHub environment (staging, production) that trusts
 *   exactly that environment of exactly this repository (by name and id), and may do nothing but
 *   assume CDK's `deploy` and `file-publishing` bootstrap roles, in each region an app stack goes to;
 * - the policy `cdk bootstrap` attaches to its CloudFormation execution role instead of
 *   AdministratorAccess, and the permissions boundary on that role and on every role the app
 *   stacks create (`deployPermissionStatements`).
 *
 * Without a repository only the two policies: footfall deployed by hand, from a person's own
 * machine. Adding the repository later adds the GitHub part and leaves the policies as they are.
 *
 * Deployed by a person with their own credentials before `cdk bootstrap` (which needs the
 * policies to exist), so it goes through no bootstrap role: the execution role can change
 * neither it nor anything in it.
 */
export class DeployAccessStack extends Stack {
  /** The GitHub deploy roles; undefined without a repository. */
  public readonly roles:
    | { readonly production: iam.Role; readonly staging: iam.Role | undefined }
    | undefined;
  /** GitHub's OIDC provider; undefined without a repository. */
  public readonly provider: iam.IOidcProvider | undefined;
  public readonly executionPolicy: iam.ManagedPolicy;
  public readonly permissionsBoundary: iam.ManagedPolicy;
  /** The stacks whose roles the execution policy may manage. */
  public readonly appStackNames: readonly string[];
  /** The kept tables, the secrets and the hosted zone the scoped services are confined to. */
  public readonly deployScope: DeployScope;

  constructor(scope: Construct, id: string, props: DeployAccessStackProps) {
    super(scope, id, { ...props, synthesizer: new OwnCredentialsSynthesizer() });
    if (props.repository !== undefined && !REPOSITORY_PATTERN.test(props.repository)) {
      throw new Error(
        `DeployAccessStack: repository must be OWNER/REPO, got "${props.repository}"`,
      );
    }
    for (const [name, value] of [
      ['repositoryId', props.repositoryId],
      ['repositoryOwnerId', props.repositoryOwnerId],
    ] as const) {
      if (value !== undefined && !GITHUB_ID_PATTERN.test(value)) {
        throw new Error(`DeployAccessStack: ${name} must be GitHub's numeric id, got "${value}"`);
      }
    }
    if (props.repository !== undefined && props.repositoryId === undefined) {
      throw new Error('DeployAccessStack: repositoryId is required with repository');
    }
    const environments = props.environments ?? {
      production: deployDefaults.environmentName,
      staging: deployDefaults.stagingEnvironmentName,
    };
    for (const name of [environments.production, environments.staging]) {
      if (name !== undefined && !ENVIRONMENT_NAME_PATTERN.test(name)) {
        throw new Error(`DeployAccessStack: "${name}" is not a GitHub environment name`);
      }
    }
    if (environments.staging === environments.production) {
      throw new Error('DeployAccessStack: staging and production need two environments');
    }
    if (props.appStackNames.length === 0 || props.appStackNames.includes(id)) {
      throw new Error('DeployAccessStack: appStackNames must name the app stacks, not this one');
    }
    this.appStackNames = props.appStackNames;
    this.deployScope = props.deployScope;
    const qualifier = props.bootstrapQualifier ?? deployDefaults.bootstrapQualifier;
    const names = bootstrapPolicyNames(qualifier);

    const statements = () =>
      deployPermissionStatements({
        partition: this.partition,
        account: this.account,
        qualifier,
        appStackNames: props.appStackNames,
        scope: props.deployScope,
      });
    this.executionPolicy = new iam.ManagedPolicy(this, 'ExecutionPolicy', {
      managedPolicyName: names.execution,
      description:
        "footfall: what CloudFormation may do for CDK deploys (CDK's execution role, instead of AdministratorAccess)",
      statements: statements(),
    });
    this.permissionsBoundary = new iam.ManagedPolicy(this, 'PermissionsBoundary', {
      managedPolicyName: names.boundary,
      description:
        'footfall: the most any role of a CDK deploy may do (on the execution role and every app role)',
      statements: statements(),
    });

    new CfnOutput(this, 'ExecutionPolicyArn', {
      value: this.executionPolicy.managedPolicyArn,
      description: 'cdk bootstrap --cloudformation-execution-policies',
    });
    new CfnOutput(this, 'PermissionsBoundaryName', {
      value: names.boundary,
      description: 'cdk bootstrap --custom-permissions-boundary',
    });

    if (props.repository === undefined || props.repositoryId === undefined) {
      this.provider = undefined;
      this.roles = undefined;
      return;
    }
    const provider = props.oidcProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'GitHubOidc', props.oidcProviderArn)
      : new iam.OidcProviderNative(this, 'GitHubOidc', {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIds: ['sts.amazonaws.com'],
        });
    this.provider = provider;
    const identity = {
      repository: props.repository,
      repositoryId: props.repositoryId,
      repositoryOwnerId: props.repositoryOwnerId,
    };
    // `cdk deploy STACK` deploys the stacks STACK depends on first, wherever they are.
    const deployRegions = [
      this.region,
      ...new Set((props.otherDeployRegions ?? []).filter((region) => region !== this.region)),
    ];
    const role = (logicalId: string, environment: string) => {
      const deployRole = new iam.Role(this, logicalId, {
        description: `GitHub Actions deploys of ${props.repository} (environment ${environment})`,
        maxSessionDuration: Duration.hours(1),
        assumedBy: new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
            // Exactly this repository (name and id) in this environment: no branch without the
            // environment, no fork, no other or re-created repository matches.
            [`${GITHUB_OIDC_HOST}:sub`]: githubSubject(identity, environment),
          },
        }),
      });
      deployRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeCdkDeployAndPublishingRoles',
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          resources: deployRegions.flatMap((region) =>
            ['deploy', 'file-publishing'].map(
              (kind) =>
                `arn:${this.partition}:iam::${this.account}:role/cdk-${qualifier}-${kind}-role-${this.account}-${region}`,
            ),
          ),
          conditions: {
            // And only while `cdk bootstrap` still owns them.
            StringEquals: {
              'iam:ResourceTag/aws-cdk:bootstrap-role': ['deploy', 'file-publishing'],
            },
          },
        }),
      );
      return deployRole;
    };
    const roles = {
      production: role('ProductionDeployRole', environments.production),
      staging: environments.staging ? role('StagingDeployRole', environments.staging) : undefined,
    };
    this.roles = roles;

    new CfnOutput(this, 'ProductionDeployRoleArn', {
      value: roles.production.roleArn,
      description: 'Set as the repository variable AWS_DEPLOY_ROLE_ARN_PRODUCTION',
    });
    if (roles.staging) {
      new CfnOutput(this, 'StagingDeployRoleArn', {
        value: roles.staging.roleArn,
        description: 'Set as the repository variable AWS_DEPLOY_ROLE_ARN_STAGING',
      });
    }
  }
}

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

/** The names of the two IAM policies `npm run bootstrap` hands to `cdk bootstrap`. */
export function bootstrapPolicyNames(qualifier: string) {
  return {
    /** Attached to CDK's CloudFormation execution role instead of AdministratorAccess. */
    execution: `footfall-${qualifier}-cfn-execution`,
    /** On the execution role and on every role the app stacks create. */
    boundary: `footfall-${qualifier}-permissions-boundary`,
  };
}

/**
 * The AWS services footfall's app stacks are made of, each with why. The execution policy and
 * the boundary allow these and nothing else (IAM only as below). A test synthesizes the stacks
 * and checks every resource type's service is here.
 */
export const APP_SERVICES = {
  dynamodb: 'the counts table and the visits table',
  lambda: 'the API function, its alias and versions, the deploy hook and CDK custom resources',
  apigateway: 'the HTTP API',
  cloudfront: 'the distribution, its function, policies and origin access control',
  s3: 'the site bucket and its contents',
  logs: 'log groups of the functions and the API',
  cloudwatch: 'alarms',
  sns: 'the alarm topic and its email subscription',
  secretsmanager: 'the origin secret (ADR 9)',
  codedeploy: "production's traffic shifting with a pre-traffic hook",
  budgets: 'a cost budget',
  wafv2: 'a web ACL, should one be added',
  route53: 'the custom domain records',
  acm: "the custom domain's certificate",
} as const;

export interface DeployPermissionsProps {
  readonly partition: string;
  readonly account: string;
  readonly qualifier: string;
  /** The stacks deployed through the CDK bootstrap roles: only their roles may be managed. */
  readonly appStackNames: readonly string[];
}

/**
 * What CloudFormation may do when it deploys footfall's app stacks: the statements of the
 * execution policy, and the allow-list of the permissions boundary. Services from
 * `APP_SERVICES`; CDK's bootstrap version and cross-region export parameters in SSM; IAM roles
 * only with the boundary on them, only under the app stacks' names; no IAM user, group, policy
 * or OIDC provider at all.
 */
export function deployPermissionStatements(props: DeployPermissionsProps): iam.PolicyStatement[] {
  const { partition, account, qualifier } = props;
  const names = bootstrapPolicyNames(qualifier);
  const policyArn = (name: string) => `arn:${partition}:iam::${account}:policy/${name}`;
  const boundaryArn = policyArn(names.boundary);
  const appRoles = props.appStackNames.map(
    (stack) => `arn:${partition}:iam::${account}:role/${stack}-*`,
  );
  return [
    new iam.PolicyStatement({
      sid: 'AppServices',
      actions: Object.keys(APP_SERVICES).map((service) => `${service}:*`),
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'CdkParameters',
      // CloudFormation checks the bootstrap version; cross-region references live under /cdk/exports.
      actions: ['ssm:GetParameter', 'ssm:GetParameters'],
      resources: [`arn:${partition}:ssm:*:${account}:parameter/cdk-bootstrap/${qualifier}/version`],
    }),
    new iam.PolicyStatement({
      sid: 'CdkCrossRegionExports',
      actions: [
        'ssm:GetParameter',
        'ssm:GetParameters',
        'ssm:PutParameter',
        'ssm:DeleteParameter',
        'ssm:DeleteParameters',
        'ssm:AddTagsToResource',
        'ssm:RemoveTagsFromResource',
        'ssm:ListTagsForResource',
      ],
      resources: [`arn:${partition}:ssm:*:${account}:parameter/cdk/exports/*`],
    }),
    new iam.PolicyStatement({
      sid: 'RolesOnlyWithTheBoundary',
      // A role is created, and its policies changed, only while it carries the boundary.
      actions: [
        'iam:CreateRole',
        'iam:PutRolePermissionsBoundary',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
      ],
      resources: appRoles,
      conditions: { StringEquals: { 'iam:PermissionsBoundary': boundaryArn } },
    }),
    new iam.PolicyStatement({
      sid: 'ManageAppRoles',
      // Only the app stacks' roles (CloudFormation names them STACK-…), which the statement above
      // only ever created with the boundary.
      actions: [
        'iam:GetRole',
        'iam:GetRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
        'iam:ListRoleTags',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:DeleteRole',
        'iam:PassRole',
      ],
      resources: appRoles,
    }),
    new iam.PolicyStatement({
      sid: 'ApiGatewayServiceLinkedRole',
      // API Gateway creates its service-linked role on an account's first API.
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [
        `arn:${partition}:iam::${account}:role/aws-service-role/ops.apigateway.amazonaws.com/*`,
      ],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'ops.apigateway.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'KeepTheBoundary',
      effect: iam.Effect.DENY,
      actions: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'NoRoleWithoutTheBoundary',
      effect: iam.Effect.DENY,
      actions: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
      resources: ['*'],
      conditions: { StringNotEquals: { 'iam:PermissionsBoundary': boundaryArn } },
    }),
    new iam.PolicyStatement({
      sid: 'LeaveFootfallPoliciesAlone',
      effect: iam.Effect.DENY,
      actions: [
        'iam:CreatePolicyVersion',
        'iam:DeletePolicy',
        'iam:DeletePolicyVersion',
        'iam:SetDefaultPolicyVersion',
        'iam:TagPolicy',
        'iam:UntagPolicy',
      ],
      resources: [policyArn(names.execution), boundaryArn],
    }),
  ];
}

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
  /** `OWNER/REPO`: the only repository whose workflows may assume the roles. */
  readonly repository: string;
  /** The repository's numeric id, which the trust requires as well as the name. */
  readonly repositoryId: string;
  /** The owner's numeric id, when the repository uses GitHub's immutable subjects. */
  readonly repositoryOwnerId?: string | undefined;
  /**
   * The GitHub environments the deploy jobs run in: one role each. Without `staging`, no staging
   * role. @default production: deployDefaults.environmentName, staging: deployDefaults.stagingEnvironmentName
   */
  readonly environments?: { readonly production: string; readonly staging?: string | undefined };
  /** The stacks deployed through the bootstrap roles (whose roles the execution policy manages). */
  readonly appStackNames: readonly string[];
  /** Reuse the account's GitHub OIDC provider (IAM allows one per URL). @default - create it */
  readonly oidcProviderArn?: string;
  /** The CDK bootstrap qualifier. @default deployDefaults.bootstrapQualifier (CDK's default) */
  readonly bootstrapQualifier?: string;
}

/**
 * What lets GitHub Actions deploy without stored keys, and bounds what a deploy can do:
 *
 * - GitHub's OIDC provider, and one role per GitHub environment (staging, production) that trusts
 *   exactly that environment of exactly this repository (by name and id), and may do nothing but
 *   assume CDK's `deploy` and `file-publishing` bootstrap roles;
 * - the policy `cdk bootstrap` attaches to its CloudFormation execution role instead of
 *   AdministratorAccess, and the permissions boundary on that role and on every role the app
 *   stacks create (`deployPermissionStatements`).
 *
 * Deployed by a person with their own credentials before `cdk bootstrap` (which needs the
 * policies to exist), so it goes through no bootstrap role: the execution role can change
 * neither it nor anything in it.
 */
export class DeployAccessStack extends Stack {
  public readonly roles: { readonly production: iam.Role; readonly staging: iam.Role | undefined };
  public readonly provider: iam.IOidcProvider;
  public readonly executionPolicy: iam.ManagedPolicy;
  public readonly permissionsBoundary: iam.ManagedPolicy;
  /** The stacks whose roles the execution policy may manage. */
  public readonly appStackNames: readonly string[];

  constructor(scope: Construct, id: string, props: DeployAccessStackProps) {
    super(scope, id, { ...props, synthesizer: new OwnCredentialsSynthesizer() });
    if (!REPOSITORY_PATTERN.test(props.repository)) {
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
    const qualifier = props.bootstrapQualifier ?? deployDefaults.bootstrapQualifier;
    const names = bootstrapPolicyNames(qualifier);

    this.provider = props.oidcProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'GitHubOidc', props.oidcProviderArn)
      : new iam.OidcProviderNative(this, 'GitHubOidc', {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIds: ['sts.amazonaws.com'],
        });

    const statements = () =>
      deployPermissionStatements({
        partition: this.partition,
        account: this.account,
        qualifier,
        appStackNames: props.appStackNames,
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

    const identity = {
      repository: props.repository,
      repositoryId: props.repositoryId,
      repositoryOwnerId: props.repositoryOwnerId,
    };
    const role = (logicalId: string, environment: string) => {
      const deployRole = new iam.Role(this, logicalId, {
        description: `GitHub Actions deploys of ${props.repository} (environment ${environment})`,
        maxSessionDuration: Duration.hours(1),
        assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
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
          resources: ['deploy', 'file-publishing'].map(
            (kind) =>
              `arn:${this.partition}:iam::${this.account}:role/cdk-${qualifier}-${kind}-role-${this.account}-${this.region}`,
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
    this.roles = {
      production: role('ProductionDeployRole', environments.production),
      staging: environments.staging ? role('StagingDeployRole', environments.staging) : undefined,
    };

    new CfnOutput(this, 'ProductionDeployRoleArn', {
      value: this.roles.production.roleArn,
      description: 'Set as the repository variable AWS_DEPLOY_ROLE_ARN_PRODUCTION',
    });
    if (this.roles.staging) {
      new CfnOutput(this, 'StagingDeployRoleArn', {
        value: this.roles.staging.roleArn,
        description: 'Set as the repository variable AWS_DEPLOY_ROLE_ARN_STAGING',
      });
    }
    new CfnOutput(this, 'ExecutionPolicyArn', {
      value: this.executionPolicy.managedPolicyArn,
      description: 'cdk bootstrap --cloudformation-execution-policies',
    });
    new CfnOutput(this, 'PermissionsBoundaryName', {
      value: names.boundary,
      description: 'cdk bootstrap --custom-permissions-boundary',
    });
  }
}

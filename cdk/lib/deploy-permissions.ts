import * as iam from 'aws-cdk-lib/aws-iam';
import { bootstrapPolicyNames } from './deploy-names.js';

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
  sns: 'the alarm and link-alert topics and their e-mail subscriptions',
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

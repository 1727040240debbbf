import { CfnDeletionPolicy, type Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { bootstrapPolicyNames } from './deploy-names.js';

/**
 * The AWS services footfall's app stacks are made of, each with why. The execution policy and
 * the boundary allow these and nothing else (IAM only as below): account-wide, except the
 * `SCOPED_SERVICES`. A test synthesizes the stacks and checks every resource type's service is here.
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

/**
 * The services a deploy may use on footfall's own resources only (`DeployScope`), never
 * account-wide: the tables, the stacks' secrets, the records of the configured hosted zone.
 */
export const SCOPED_SERVICES = ['dynamodb', 'secretsmanager', 'route53'] as const;

/**
 * What the scoped statements name, read from the app stacks before any of it exists: names
 * CloudFormation will generate are known by their prefix (`deployScopeOf`).
 */
export interface DeployScope {
  /**
   * The tables kept whatever happens to their stack (RETAIN, the counts), as name patterns
   * (`STACK-LOGICALID-*`; `*` takes in `/backup/…`): no deploy may delete them or their backups.
   */
  readonly keptTables: readonly string[];
  /** The app stacks' secrets, as name prefixes (`LOGICALID`, `STACK-LOGICALID`). */
  readonly secrets: readonly string[];
  /**
   * The configured custom domain: the one hosted zone a deploy may write in, and the one name
   * (with its `_….` certificate-validation records) it may write. Undefined: no Route 53 at all.
   */
  readonly domain?: { readonly hostedZoneId: string; readonly name: string } | undefined;
}

/**
 * The `DeployScope` of the app stacks. CloudFormation names a table it names itself
 * `STACK-LOGICALID-RANDOM`, and a secret `LOGICALID-RANDOM` (both prefixes are kept, so either
 * way the name matches), so the logical ids (stable: a test holds the table's) fix the names.
 * A table kept by its RETAIN policy is a kept table: what the template promises, IAM enforces.
 */
export function deployScopeOf(
  stacks: readonly Stack[],
  domain: DeployScope['domain'],
): DeployScope {
  const keptTables: string[] = [];
  const secrets = new Set<string>();
  for (const stack of stacks) {
    // A name CDK generated itself (for a reference across environments) resolves to a string.
    const named = (name: unknown) => {
      const resolved = stack.resolve(name) as unknown;
      return typeof resolved === 'string' ? resolved : undefined;
    };
    for (const construct of stack.node.findAll()) {
      if (
        construct instanceof dynamodb.CfnTable &&
        construct.cfnOptions.deletionPolicy === CfnDeletionPolicy.RETAIN
      ) {
        const name = named(construct.tableName);
        keptTables.push(
          ...(name
            ? [name, `${name}/*`]
            : [`${stack.stackName}-${stack.getLogicalId(construct)}-*`]),
        );
      } else if (construct instanceof secretsmanager.CfnSecret) {
        const name = named(construct.name);
        const logicalId = stack.getLogicalId(construct);
        for (const prefix of name ? [name] : [logicalId, `${stack.stackName}-${logicalId}`]) {
          secrets.add(prefix);
        }
      }
    }
  }
  return { keptTables, secrets: [...secrets], ...(domain ? { domain } : {}) };
}

export interface DeployPermissionsProps {
  readonly partition: string;
  readonly account: string;
  readonly qualifier: string;
  /** The stacks deployed through the CDK bootstrap roles: only their roles may be managed. */
  readonly appStackNames: readonly string[];
  /** What the scoped services may touch. */
  readonly scope: DeployScope;
}

/**
 * What CloudFormation may do when it deploys footfall's app stacks: the statements of the
 * execution policy, and the allow-list of the permissions boundary. Services from
 * `APP_SERVICES`, the `SCOPED_SERVICES` on footfall's own resources only; CDK's bootstrap
 * version and cross-region export parameters in SSM; IAM roles only with the boundary on them,
 * only under the app stacks' names; no IAM user, group, policy or OIDC provider at all. And
 * never, whatever a template says: delete a kept table or its backups (docs/deploy.md).
 */
export function deployPermissionStatements(props: DeployPermissionsProps): iam.PolicyStatement[] {
  const { partition, account, qualifier } = props;
  const names = bootstrapPolicyNames(qualifier);
  const policyArn = (name: string) => `arn:${partition}:iam::${account}:policy/${name}`;
  const boundaryArn = policyArn(names.boundary);
  const appRoles = props.appStackNames.map(
    (stack) => `arn:${partition}:iam::${account}:role/${stack}-*`,
  );
  const { scope } = props;
  const scoped: readonly string[] = SCOPED_SERVICES;
  const table = (pattern: string) => `arn:${partition}:dynamodb:*:${account}:table/${pattern}`;
  const statements = [
    new iam.PolicyStatement({
      sid: 'AppServices',
      actions: Object.keys(APP_SERVICES)
        .filter((service) => !scoped.includes(service))
        .map((service) => `${service}:*`),
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'AppTables',
      // CloudFormation names a table STACK-LOGICALID-RANDOM; `*` takes in its indexes and backups.
      actions: ['dynamodb:*'],
      resources: props.appStackNames.map((stack) => table(`${stack}-*`)),
    }),
  ];
  if (scope.secrets.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'AppSecrets',
        // Secrets Manager adds -RANDOM6 to a name in its ARN.
        actions: ['secretsmanager:*'],
        resources: scope.secrets.map(
          (prefix) => `arn:${partition}:secretsmanager:*:${account}:secret:${prefix}-*`,
        ),
      }),
      new iam.PolicyStatement({
        sid: 'GenerateSecretValues',
        // GenerateSecretString: a random string, no secret read or written; takes no resource.
        actions: ['secretsmanager:GetRandomPassword'],
        resources: ['*'],
      }),
    );
  }
  if (scope.domain) {
    const zone = `arn:${partition}:route53:::hostedzone/${scope.domain.hostedZoneId}`;
    const name = scope.domain.name.toLowerCase();
    statements.push(
      new iam.PolicyStatement({
        sid: 'DomainRecords',
        // The site's A and AAAA aliases and its certificate's validation CNAME (`_….NAME`), in
        // the configured zone only: no other name of the owner's domain. Route 53 compares the
        // names lower-case, without the final dot.
        actions: ['route53:ChangeResourceRecordSets'],
        resources: [zone],
        conditions: {
          'ForAllValues:StringLike': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': [name, `_*.${name}`],
          },
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'AAAA', 'CNAME'],
          },
        },
      }),
      new iam.PolicyStatement({
        sid: 'DomainZoneReads',
        actions: ['route53:GetHostedZone', 'route53:ListResourceRecordSets'],
        resources: [zone],
      }),
      new iam.PolicyStatement({
        sid: 'DomainChangeStatus',
        // Whether a change has reached Route 53's name servers.
        actions: ['route53:GetChange'],
        resources: [`arn:${partition}:route53:::change/*`],
      }),
    );
  }
  if (scope.keptTables.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'KeepTheCounts',
        // Whatever a template says (a RETAIN taken off, the table removed or replaced): the table
        // and its on-demand backups stay. PITR and deletion protection cannot be held by IAM
        // (no condition key says on or off): see docs/deploy.md.
        effect: iam.Effect.DENY,
        actions: ['dynamodb:DeleteTable', 'dynamodb:DeleteBackup'],
        resources: scope.keptTables.map(table),
      }),
    );
  }
  return [
    ...statements,
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

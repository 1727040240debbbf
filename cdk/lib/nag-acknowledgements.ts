import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { CertificateStack } from './certificate-stack.js';
import type { DeployAccessStack } from './deploy-access-stack.js';
import { APP_SERVICES, SCOPED_SERVICES } from './deploy-permissions.js';
import type { FootfallStack } from './footfall-stack.js';

/** One accepted cdk-nag finding: where, which, and why we accept it. */
export interface Acknowledgement {
  readonly scope: IConstruct;
  readonly rule: string;
  readonly reason: string;
}

const logicalId = (resource: IConstruct) => {
  const stack = Stack.of(resource);
  return stack.resolve(stack.getLogicalId(resource as CfnResource)) as string;
};

/**
 * Every cdk-nag finding footfall accepts, each with the reason it is accepted. Scoped to the
 * one construct concerned, never to a whole stack, so a new finding elsewhere still fails synth.
 */
export function footfallAcknowledgements(stacks: {
  app: FootfallStack;
  deployAccess: DeployAccessStack | undefined;
  certificate: CertificateStack | undefined;
  /** The CDK bootstrap qualifier (names the asset bucket). */
  bootstrapQualifier: string;
}): Acknowledgement[] {
  const { app } = stacks;
  const list: Acknowledgement[] = [
    {
      scope: app.api.httpApi,
      rule: 'AwsSolutions-APIG4',
      reason:
        'A public visitor counter: every visitor may read and add one view. Abuse is bounded by ' +
        'the stage throttle, and a request can only ever add exactly one.',
    },
    {
      scope: app.api.function.role ?? app.api,
      rule: `AwsSolutions-IAM5[Resource::<${logicalId(app.api.function.logGroup.node.defaultChild as IConstruct)}.Arn>:log-stream:*]`,
      reason:
        'Lambda names its log streams per execution environment at run time; the wildcard is ' +
        "confined to this function's own log group.",
    },
    {
      scope: app.visitsTable.table,
      rule: 'AwsSolutions-DDB3',
      reason:
        "The visits table holds each day's salt and the records derived from it, deleted 48 " +
        'hours after the day began (README, Privacy). Point-in-time recovery (or any backup) ' +
        "could restore a salt for up to 35 days, and with it the means to link a day's visits " +
        'to one person; nothing in the table is worth restoring, the counts live in the other one.',
    },
    {
      scope: app.originSecret,
      rule: 'AwsSolutions-SMG4',
      reason:
        'The origin secret only proves a request came through CloudFront; it guards no data. ' +
        'Automatic rotation would need a rotation Lambda to redeploy CloudFront; it is rotated ' +
        'by hand without downtime instead (docs/deploy.md, ADR 9).',
    },
    {
      scope: app.site.bucket,
      rule: 'AwsSolutions-S1',
      reason:
        'Only CloudFront reads this bucket (Origin Access Control); it holds the public page. ' +
        'Server access logs would cost more than the site and record nothing CloudFront cannot.',
    },
    {
      scope: app.site.distribution,
      rule: 'AwsSolutions-CFR3',
      reason:
        'Standard logging is off by default to keep a personal site free of log-storage costs; ' +
        'CloudFront metrics and the API access logs cover operations.',
    },
    {
      scope: app.site.distribution,
      rule: 'AwsSolutions-CFR1',
      reason: 'A public resume is meant to be readable from every country.',
    },
  ];
  const { delivery } = app;
  list.push(
    {
      scope: delivery.hook.role ?? delivery,
      rule: `AwsSolutions-IAM5[Resource::<${logicalId(delivery.hook.logGroup.node.defaultChild as IConstruct)}.Arn>:log-stream:*]`,
      reason:
        "Lambda names its log streams at run time; the wildcard is confined to the hook's own log group.",
    },
    {
      scope: delivery.hook.role ?? delivery,
      rule: `AwsSolutions-IAM5[Resource::<${logicalId(app.api.function.node.defaultChild as IConstruct)}.Arn>:*]`,
      reason:
        "The hook invokes the version being deployed, whose number is only known at deploy time; `:*` matches the API function's versions and aliases, nothing else.",
    },
    {
      scope: delivery.group.role,
      rule: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason:
        "CodeDeploy's own managed policy for Lambda deployments (read alarms, update aliases, invoke hooks), attached by CDK's LambdaDeploymentGroup; AWS keeps it to what CodeDeploy needs.",
    },
    {
      scope: delivery.group.role,
      rule: `AwsSolutions-IAM5[Resource::<${logicalId(delivery.hook.node.defaultChild as IConstruct)}.Arn>:*]`,
      reason:
        'CDK grants CodeDeploy invoke on the hook function and its versions; nothing else is reachable.',
    },
  );
  if (!app.hasWebAcl) {
    list.push({
      scope: app.site.distribution,
      rule: 'AwsSolutions-CFR2',
      reason:
        'AWS WAF costs at least $6 a month plus per-request fees, far more than the site, so it is ' +
        'opt-in (wafRateLimit); the API is throttled at the stage, capped at the table, alarmed on ' +
        'request rate and 4xx share, and can only add one view per request.',
    });
  }

  if (!stacks.certificate) {
    list.push({
      scope: app.site.distribution,
      rule: 'AwsSolutions-CFR4',
      reason:
        'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose ' +
        'security policy AWS fixes; with a domain the distribution requires TLS 1.2 (2021 policy).',
    });
  }

  // The single Lambda that CDK's BucketDeployment uses to copy the site into the bucket.
  const deployer = app.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (deployer) {
    const why =
      "CDK's BucketDeployment custom resource (runs only during deploys), whose role and runtime " +
      'CDK generates: ';
    const bucket = logicalId(app.site.bucket.node.defaultChild as IConstruct);
    const assetBucket = `cdk-${stacks.bootstrapQualifier}-assets-${accountText(app)}-${regionText(app)}`;
    list.push(
      { scope: deployer, rule: 'AwsSolutions-L1', reason: `${why}CDK pins its Python runtime.` },
      {
        scope: deployer,
        rule: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: `${why}the managed policy only lets it write its own logs.`,
      },
      ...[
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
        `Resource::arn:${partitionText(app)}:s3:::${assetBucket}/*`,
        `Resource::<${bucket}.Arn>/*`,
        'Resource::*',
      ].map((finding) => ({
        scope: deployer,
        rule: `AwsSolutions-IAM5[${finding}]`,
        reason: `${why}it reads the staged site from the CDK asset bucket, writes every key of the site bucket, and creates CloudFront invalidations (which take no resource).`,
      })),
    );
  }
  if (stacks.deployAccess) {
    const access = stacks.deployAccess;
    const arn = `arn:${partitionText(access)}`;
    const account = accountText(access);
    const why =
      "CDK's CloudFormation execution role (instead of AdministratorAccess), and the boundary on it " +
      'and on every role the app stacks create: ';
    const scoped: readonly string[] = SCOPED_SERVICES;
    const findings: [string, string][] = [
      ...Object.entries(APP_SERVICES)
        // Route 53: named actions on the configured zone only, no wildcard.
        .filter(([service]) => service !== 'route53')
        .map(([service, what]): [string, string] => [
          `Action::${service}:*`,
          `${why}CloudFormation creates, changes and deletes footfall's ${service} resources (${what}); ` +
            (scoped.includes(service)
              ? "only footfall's own, by the names CloudFormation will give them."
              : 'only the services the stacks are made of are listed, IAM is not among them.'),
        ]),
      ...access.appStackNames.map((stack): [string, string] => [
        `Resource::${arn}:dynamodb:*:${account}:table/${stack}-*`,
        `${why}CloudFormation names the tables of stack ${stack} "${stack}-LOGICALID-RANDOM" (the ` +
          "`*` takes in their indexes and backups); no other table. The kept tables' deletion is denied.",
      ]),
      ...access.deployScope.secrets.map((prefix): [string, string] => [
        `Resource::${arn}:secretsmanager:*:${account}:secret:${prefix}-*`,
        `${why}one secret of the app stacks, by the name CloudFormation generates from its logical ` +
          'id (Secrets Manager adds -RANDOM6 to every secret ARN); no other secret.',
      ]),
      [
        `Resource::${arn}:route53:::change/*`,
        `${why}Route 53 change ids are issued by each write; reading their status changes nothing.`,
      ],
      [
        'Resource::*',
        `${why}the resources do not exist before CloudFormation creates them, and their names and ` +
          'ids are generated, so the listed services cannot be narrowed by resource.',
      ],
      ...access.appStackNames.map((stack): [string, string] => [
        `Resource::${arn}:iam::${account}:role/${stack}-*`,
        `${why}CloudFormation names the roles of stack ${stack} "${stack}-…"; it may create them and ` +
          'change their policies only with the permissions boundary on them, and touch no other role.',
      ]),
      [
        `Resource::${arn}:iam::${account}:role/aws-service-role/ops.apigateway.amazonaws.com/*`,
        `${why}API Gateway's own service-linked role, created on an account's first API, only for ` +
          'ops.apigateway.amazonaws.com.',
      ],
      [
        `Resource::${arn}:ssm:*:${account}:parameter/cdk/exports/*`,
        `${why}the parameters CDK keeps cross-region references in (the certificate in us-east-1), ` +
          'in whichever region reads them.',
      ],
      [
        `Resource::${arn}:ssm:*:${account}:parameter/cdk-bootstrap/${stacks.bootstrapQualifier}/version`,
        `${why}every CDK template checks the bootstrap version parameter; read only.`,
      ],
    ];
    for (const scope of [access.executionPolicy, access.permissionsBoundary]) {
      for (const [finding, reason] of findings) {
        list.push({ scope, rule: `AwsSolutions-IAM5[${finding}]`, reason });
      }
    }
  }
  return list;
}

// cdk-nag names a resource by its literal value when the stack's env is known, else by pseudo-parameter.
function regionText(stack: Stack): string {
  const region = stack.resolve(stack.region) as unknown;
  return typeof region === 'string' ? region : '<AWS::Region>';
}
// With a known region, CDK writes the partition as a literal (@aws-cdk/core:enablePartitionLiterals).
function partitionText(stack: Stack): string {
  const partition = stack.resolve(stack.partition) as unknown;
  return typeof partition === 'string' ? partition : '<AWS::Partition>';
}
function accountText(stack: Stack): string {
  const account = stack.resolve(stack.account) as unknown;
  return typeof account === 'string' ? account : '<AWS::AccountId>';
}

/** Records the acknowledgements on their constructs (cdk-nag v3: CDK's own Validations API). */
export function acknowledgeFindings(
  stacks: Parameters<typeof footfallAcknowledgements>[0],
): Acknowledgement[] {
  const list = footfallAcknowledgements(stacks);
  for (const { scope, rule, reason } of list) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions::${rule}`, reason });
  }
  return list;
}

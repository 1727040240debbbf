import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { answerMetrics } from '../../service/src/http/metric-names.js';
import { canaryJudgement } from '../lib/delivery.js';
import { synthesize } from './support.js';

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; UpdatePolicy?: unknown }
>;

const resourcesOf = (template: Template) => template.toJSON().Resources as Resources;
const ofType = (template: Template, type: string) =>
  Object.entries(resourcesOf(template)).filter(([, resource]) => resource.Type === type);
const only = (template: Template, type: string) => {
  const found = ofType(template, type);
  expect(found, type).toHaveLength(1);
  return found[0] as [string, Resources[string]];
};

const synthesized = synthesize(
  {
    alertEmail: 'me@example.com',
    domainName: 'cv.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    hostedZoneName: 'example.com',
  },
  { env: { account: '111111111111', region: 'eu-west-1' } },
);
const production = synthesized.appTemplate;
const staging = Template.fromStack(synthesized.staging ?? synthesized.app);

describe('two stages from one stack class', () => {
  test('staging and production each have their own tables, function, API, site and alarms', () => {
    expect(synthesized.staging?.stackName).toBe('FootfallStaging');
    expect(synthesized.app.stackName).toBe('Footfall');
    for (const template of [staging, production]) {
      expect(ofType(template, 'AWS::DynamoDB::Table')).toHaveLength(2);
      for (const type of [
        'AWS::Lambda::Alias',
        'AWS::ApiGatewayV2::Api',
        'AWS::CloudFront::Distribution',
        'AWS::S3::Bucket',
        'AWS::SecretsManager::Secret',
        'AWS::CodeDeploy::DeploymentGroup',
      ]) {
        expect(ofType(template, type), type).toHaveLength(1);
      }
      // Six that e-mail, three that roll a deployment back.
      expect(ofType(template, 'AWS::CloudWatch::Alarm')).toHaveLength(9);
    }
    // Every name is the stack's: nothing is shared or named by hand across the two.
    for (const [, table] of ofType(staging, 'AWS::DynamoDB::Table')) {
      expect(table.Properties?.TableName).toBeUndefined();
    }
    expect(staging.toJSON().Outputs).toHaveProperty('TableName');
    expect(staging.toJSON().Outputs).toHaveProperty('VisitsTableName');
  });

  test('only production gets the custom domain and the account budget', () => {
    expect(production.toJSON().Resources).toSatisfy((r: Resources) =>
      Object.values(r).some((x) => x.Type === 'AWS::Route53::RecordSet'),
    );
    expect(ofType(staging, 'AWS::Route53::RecordSet')).toHaveLength(0);
    expect(ofType(staging, 'AWS::Budgets::Budget')).toHaveLength(0);
    const [, distribution] = only(staging, 'AWS::CloudFront::Distribution');
    expect(JSON.stringify(distribution.Properties)).not.toContain('cv.example.com');
  });

  test('a fork can switch staging off', () => {
    const single = synthesize({ staging: false });
    expect(single.staging).toBeUndefined();
    expect(single.cdkApp.node.children.map((child) => child.node.id)).not.toContain(
      'FootfallStaging',
    );
  });
});

describe('production never serves a version that failed its check', () => {
  const [functionId] =
    ofType(production, 'AWS::Lambda::Function').find(([id]) => id.startsWith('ApiFunction')) ?? [];
  const [hookId, hook] =
    ofType(production, 'AWS::Lambda::Function').find(([id]) => id.includes('PreTrafficHook')) ?? [];
  const [groupId, group] = only(production, 'AWS::CodeDeploy::DeploymentGroup');
  const [aliasId, alias] = only(production, 'AWS::Lambda::Alias');
  const [versionId] = only(production, 'AWS::Lambda::Version');

  test('the API invokes the live alias, which CodeDeploy moves after the hook', () => {
    expect(alias.Properties).toMatchObject({
      Name: 'live',
      FunctionVersion: { 'Fn::GetAtt': [versionId, 'Version'] },
    });
    expect(alias.UpdatePolicy).toEqual({
      CodeDeployLambdaAliasUpdate: {
        ApplicationName: { Ref: expect.stringContaining('Application') },
        DeploymentGroupName: { Ref: groupId },
        BeforeAllowTrafficHook: { Ref: hookId },
      },
    });
    const [, integration] = only(production, 'AWS::ApiGatewayV2::Integration');
    expect(integration.Properties?.IntegrationUri).toEqual({ Ref: aliasId });
    // The hook checks exactly the version being deployed, and knows it before CodeDeploy calls.
    expect(
      (
        (hook?.Properties?.Environment ?? { Variables: {} }) as {
          Variables: Record<string, unknown>;
        }
      ).Variables.TARGET_FUNCTION,
    ).toEqual({ Ref: versionId });
    expect((production.toJSON().Resources[aliasId] as { DependsOn?: string[] }).DependsOn).toEqual(
      expect.arrayContaining([hookId]),
    );
  });

  test('a failed check, a stop, or an alarm during the deployment rolls it back', () => {
    expect(group.Properties?.DeploymentConfigName).toBe(
      'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    );
    expect(group.Properties?.AutoRollbackConfiguration).toEqual({
      Enabled: true,
      Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'],
    });
    const alarms = group.Properties?.AlarmConfiguration as {
      Alarms: { Name: { Ref: string } }[];
      Enabled: boolean;
    };
    expect(alarms.Enabled).toBe(true);
    expect(alarms.Alarms.map((entry) => entry.Name.Ref).sort()).toEqual(
      rollbackAlarms(production)
        .map(([id]) => id)
        .sort(),
    );
  });

  test("the hook's role can invoke only the API function's versions and report to its deployment group", () => {
    const role = ((hook?.Properties?.Role ?? { 'Fn::GetAtt': [''] }) as { 'Fn::GetAtt': [string] })[
      'Fn::GetAtt'
    ][0];
    const [, roleResource] =
      Object.entries(resourcesOf(production)).find(([id]) => id === role) ?? [];
    expect(roleResource?.Properties?.ManagedPolicyArns).toBeUndefined();
    const policies = ofType(production, 'AWS::IAM::Policy').filter(
      ([, policy]) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: role }]),
    );
    expect(policies).toHaveLength(1);
    const statements = (
      (policies[0]?.[1].Properties?.PolicyDocument ?? {}) as { Statement?: unknown[] }
    ).Statement;
    const logGroup = ofType(production, 'AWS::Logs::LogGroup').find(([id]) =>
      id.includes('HookLogs'),
    )?.[0];
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [
          { 'Fn::GetAtt': [logGroup, 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logGroup, 'Arn'] }, ':log-stream:*']] },
        ],
      },
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [functionId, 'Arn'] }, ':*']] },
      },
      {
        Effect: 'Allow',
        Action: 'codedeploy:PutLifecycleEventHookExecutionStatus',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:aws:codedeploy:eu-west-1:111111111111:deploymentgroup:',
              { Ref: expect.stringContaining('Application') },
              '/',
              { Ref: groupId },
            ],
          ],
        },
      },
    ]);
  });
});

type Query = {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: {
    Metric: {
      Namespace: string;
      MetricName: string;
      Dimensions: { Name: string; Value: unknown }[];
    };
    Period: number;
    Stat: string;
  };
};

/** The alarms the deployment group watches, by what their failures are. */
const rollbackAlarms = (template: Template) =>
  ofType(template, 'AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('DeliveryNewVersion'));

/** An alarm's metric queries by id, each metric as `Namespace/MetricName` and its dimensions. */
const queriesOf = (alarm: Resources[string]) =>
  Object.fromEntries(
    ((alarm.Properties?.Metrics ?? []) as Query[]).map((query) => [
      query.Id,
      query.MetricStat
        ? {
            metric: `${query.MetricStat.Metric.Namespace}/${query.MetricStat.Metric.MetricName}`,
            dimensions: Object.fromEntries(
              query.MetricStat.Metric.Dimensions.map((d) => [d.Name, d.Value]),
            ),
            period: query.MetricStat.Period,
            stat: query.MetricStat.Stat,
          }
        : { expression: query.Expression, returned: query.ReturnData },
    ]),
  );

/**
 * The alarm's expression evaluated for one minute's sums, as CloudWatch would: its `IF`, and
 * JavaScript's arithmetic and comparisons, which CloudWatch's metric math shares.
 */
function evaluate(expression: string, minute: Record<string, number>): number {
  const names = Object.keys(minute);
  const run = new Function('IF', ...names, `return ${expression};`) as (
    ...args: unknown[]
  ) => number;
  const IF = (condition: unknown, then: number, otherwise: number) =>
    condition ? then : otherwise;
  return run(IF, ...names.map((name) => minute[name]));
}

describe('the canary judges the new version only', () => {
  const [functionId] =
    ofType(production, 'AWS::Lambda::Function').find(([id]) => id.startsWith('ApiFunction')) ?? [];
  const [versionId] = only(production, 'AWS::Lambda::Version');
  const alarms = Object.fromEntries(rollbackAlarms(production));
  const alarmNamed = (name: string) => {
    const found = Object.entries(alarms).filter(([id]) =>
      id.startsWith(`DeliveryNewVersion${name}`),
    );
    expect(found, name).toHaveLength(1);
    return found[0]?.[1] as Resources[string];
  };
  // Lambda publishes an alias's invocations by the version that ran only with `Resource` =
  // `function:alias`; footfall's own metrics name the function and the version as Lambda does.
  const viaAlias = {
    FunctionName: { Ref: functionId },
    Resource: { 'Fn::Join': ['', [{ Ref: functionId }, ':live']] },
  };
  const newVersion = { ...viaAlias, ExecutedVersion: { 'Fn::GetAtt': [versionId, 'Version'] } };
  const minute = { period: 60, stat: 'Sum' };
  const answers = {
    answers: { metric: 'AWS/Lambda/Invocations', dimensions: newVersion, ...minute },
    allAnswers: { metric: 'AWS/Lambda/Invocations', dimensions: viaAlias, ...minute },
  };
  const own = (name: string) => ({
    failed: {
      metric: `footfall/${name}`,
      dimensions: {
        FunctionName: { Ref: functionId },
        ExecutedVersion: { 'Fn::GetAtt': [versionId, 'Version'] },
      },
      ...minute,
    },
    allFailed: {
      metric: `footfall/${name}`,
      dimensions: { FunctionName: { Ref: functionId } },
      ...minute,
    },
  });

  test('each alarm reads the version being deployed: its invocations and errors through the live alias by ExecutedVersion, its own 5xx and 403 metrics by FunctionName and ExecutedVersion', () => {
    expect(Object.keys(alarms)).toHaveLength(3);
    const expression = { expression: expect.any(String), returned: true };
    expect(queriesOf(alarmNamed('Errors'))).toEqual({
      expr_1: expression,
      ...answers,
      failed: { metric: 'AWS/Lambda/Errors', dimensions: newVersion, ...minute },
      allFailed: { metric: 'AWS/Lambda/Errors', dimensions: viaAlias, ...minute },
    });
    expect(queriesOf(alarmNamed('5xx'))).toEqual({
      expr_1: expression,
      ...answers,
      ...own(answerMetrics.serverErrors),
    });
    // A broken origin check answers CloudFront 403, which no 5xx alarm sees.
    expect(queriesOf(alarmNamed('RefusesCloudFront'))).toEqual({
      expr_1: expression,
      ...answers,
      ...own(answerMetrics.originRefused),
    });
    expect([
      answerMetrics.namespace,
      answerMetrics.serverErrors,
      answerMetrics.originRefused,
    ]).toEqual(['footfall', 'ServerErrors', 'OriginRefused']);
    // Updated to the new version before CodeDeploy moves the alias, and never the API's totals.
    const [aliasId] = only(production, 'AWS::Lambda::Alias');
    expect((production.toJSON().Resources[aliasId] as { DependsOn?: string[] }).DependsOn).toEqual(
      expect.arrayContaining(Object.keys(alarms)),
    );
    expect(JSON.stringify(alarms)).not.toContain('AWS/ApiGateway');
  });

  test('one minute, one datapoint, at least 50 points above the rest; they act only through CodeDeploy', () => {
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties).toMatchObject({
        Threshold: 50,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(alarm.Properties?.AlarmActions).toBeUndefined();
    }
    expect(canaryJudgement).toMatchObject({ minAnswers: 10, marginPoints: 50 });
    expect(canaryJudgement.period.toSeconds()).toBe(60);
    // The same in staging.
    expect(rollbackAlarms(staging)).toHaveLength(3);
  });

  describe('what reaches the threshold (the template’s expression, evaluated)', () => {
    const expression = queriesOf(alarmNamed('RefusesCloudFront')).expr_1?.expression as string;
    const threshold = alarmNamed('RefusesCloudFront').Properties?.Threshold as number;
    for (const alarm of Object.values(alarms)) {
      expect(queriesOf(alarm).expr_1?.expression).toBe(expression);
    }
    const rollsBack = (minute: Record<string, number>) => evaluate(expression, minute) >= threshold;

    test.each([
      [
        'a single failed request, nothing else',
        { answers: 1, failed: 1, allAnswers: 1, allFailed: 1 },
      ],
      [
        'nine of nine failed, a quiet minute',
        { answers: 9, failed: 9, allAnswers: 90, allFailed: 9 },
      ],
      [
        'a flood: half of all answers fail, on both versions alike',
        { answers: 1_000, failed: 500, allAnswers: 10_000, allFailed: 5_000 },
      ],
      [
        'a flood of direct requests, unluckily more of them on the new version',
        { answers: 100, failed: 80, allAnswers: 1_000, allFailed: 500 },
      ],
      [
        'a bad minute for the new version: 4 of 10 failed, none of the rest',
        { answers: 10, failed: 4, allAnswers: 100, allFailed: 4 },
      ],
    ])('no rollback: %s', (_name, minute) => {
      expect(rollsBack(minute)).toBe(false);
    });

    test.each([
      [
        'the new version refuses every CloudFront request, ten a minute reach it',
        { answers: 10, failed: 10, allAnswers: 100, allFailed: 10 },
      ],
      [
        'the new version fails 60% of its answers, the old one none',
        { answers: 50, failed: 30, allAnswers: 500, allFailed: 30 },
      ],
      [
        'the new version fails everything during a flood that fails 40% of the old one’s',
        { answers: 100, failed: 100, allAnswers: 1_000, allFailed: 460 },
      ],
      [
        'the new version takes all traffic and fails it',
        { answers: 20, failed: 20, allAnswers: 20, allFailed: 20 },
      ],
    ])('rollback: %s', (_name, minute) => {
      expect(rollsBack(minute)).toBe(true);
    });

    test('fewer answers than the minimum never roll back, whatever failed', () => {
      for (let answers = 0; answers < canaryJudgement.minAnswers; answers++) {
        for (let failed = 0; failed <= answers; failed++) {
          expect(rollsBack({ answers, failed, allAnswers: answers, allFailed: failed })).toBe(
            false,
          );
        }
      }
    });
  });
});

describe('cost caps', () => {
  /** The on-demand ceilings of the counts table, its index and the visits table. */
  const ceilings = (template: Template) => {
    const tables = ofType(template, 'AWS::DynamoDB::Table');
    const [, counts] = tables.find(([id]) => id.startsWith('CounterTable')) ?? [];
    const [, visits] = tables.find(([id]) => id.startsWith('VisitsTable')) ?? [];
    const indexes = (counts?.Properties?.GlobalSecondaryIndexes ?? []) as {
      OnDemandThroughput: unknown;
    }[];
    expect(indexes).toHaveLength(1);
    return {
      counts: counts?.Properties?.OnDemandThroughput,
      bySiteIndex: indexes[0]?.OnDemandThroughput,
      visits: visits?.Properties?.OnDemandThroughput,
    };
  };

  test("the tables' on-demand ceilings follow the API's burst, each the share of a visit it takes", () => {
    // A visit: at most four writes to the counts table, one to its index, three to the visits
    // table; a read: up to four units of counts, one of the visits table. The burst is 100.
    expect(ceilings(production)).toEqual({
      counts: { MaxReadRequestUnits: 400, MaxWriteRequestUnits: 400 },
      bySiteIndex: { MaxReadRequestUnits: 400, MaxWriteRequestUnits: 100 },
      visits: { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 300 },
    });
    expect(ceilings(synthesize({ throttleBurstLimit: 10, staging: false }).appTemplate)).toEqual({
      counts: { MaxReadRequestUnits: 40, MaxWriteRequestUnits: 40 },
      bySiteIndex: { MaxReadRequestUnits: 40, MaxWriteRequestUnits: 10 },
      visits: { MaxReadRequestUnits: 10, MaxWriteRequestUnits: 30 },
    });
  });

  test("the counts table's settings size the index and the visits table in proportion", () => {
    const custom = synthesize({
      tableMaxReadRequestUnits: 50,
      tableMaxWriteRequestUnits: 80,
      staging: false,
    }).appTemplate;
    expect(ceilings(custom)).toEqual({
      counts: { MaxReadRequestUnits: 50, MaxWriteRequestUnits: 80 },
      bySiteIndex: { MaxReadRequestUnits: 50, MaxWriteRequestUnits: 20 },
      // Rounded up: ⌈50 / 4⌉ and 80 × 3 / 4.
      visits: { MaxReadRequestUnits: 13, MaxWriteRequestUnits: 60 },
    });
    // The smallest settings leave every ceiling at least one unit.
    expect(
      ceilings(
        synthesize({
          tableMaxReadRequestUnits: 1,
          tableMaxWriteRequestUnits: 4,
          staging: false,
        }).appTemplate,
      ),
    ).toEqual({
      counts: { MaxReadRequestUnits: 1, MaxWriteRequestUnits: 4 },
      bySiteIndex: { MaxReadRequestUnits: 1, MaxWriteRequestUnits: 1 },
      visits: { MaxReadRequestUnits: 1, MaxWriteRequestUnits: 3 },
    });
  });

  test('reserved concurrency is off by default and set when configured', () => {
    const api = ofType(production, 'AWS::Lambda::Function').find(([id]) =>
      id.startsWith('ApiFunction'),
    )?.[1];
    expect(api?.Properties?.ReservedConcurrentExecutions).toBeUndefined();
    const capped = synthesize({ reservedConcurrency: 20, staging: false }).appTemplate;
    const cappedApi = ofType(capped, 'AWS::Lambda::Function').find(([id]) =>
      id.startsWith('ApiFunction'),
    )?.[1];
    expect(cappedApi?.Properties?.ReservedConcurrentExecutions).toBe(20);
  });

  test('a monthly budget of $10 e-mails alertEmail at 80% actual and 100% forecast; 0 turns it off', () => {
    const [, budget] = only(production, 'AWS::Budgets::Budget');
    expect(budget.Properties).toEqual({
      Budget: {
        BudgetName: 'footfall-monthly',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 10, Unit: 'USD' },
      },
      NotificationsWithSubscribers: [
        {
          Notification: {
            NotificationType: 'ACTUAL',
            ComparisonOperator: 'GREATER_THAN',
            Threshold: 80,
            ThresholdType: 'PERCENTAGE',
          },
          Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'me@example.com' }],
        },
        {
          Notification: {
            NotificationType: 'FORECASTED',
            ComparisonOperator: 'GREATER_THAN',
            Threshold: 100,
            ThresholdType: 'PERCENTAGE',
          },
          Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'me@example.com' }],
        },
      ],
    });
    expect(
      ofType(
        synthesize({ monthlyBudgetUsd: 0, staging: false }).appTemplate,
        'AWS::Budgets::Budget',
      ),
    ).toHaveLength(0);
    const fifty = synthesize({ monthlyBudgetUsd: 50, staging: false }).appTemplate;
    fifty.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetLimit: { Amount: 50, Unit: 'USD' } },
    });
  });
});

describe('WAF, opt-in', () => {
  test('off by default', () => {
    expect(synthesized.waf).toEqual([]);
    const [, distribution] = only(production, 'AWS::CloudFront::Distribution');
    expect(
      ((distribution.Properties?.DistributionConfig ?? {}) as Record<string, unknown>).WebACLId,
    ).toBeUndefined();
  });

  test('wafRateLimit puts a per-address rate rule on /api/* and /r/* in front of each stage', () => {
    const withWaf = synthesize(
      { wafRateLimit: 600 },
      { env: { account: '111111111111', region: 'eu-west-1' } },
    );
    expect(withWaf.waf.map((stack) => [stack.stackName, stack.region])).toEqual([
      ['FootfallStagingWaf', 'us-east-1'],
      ['FootfallWaf', 'us-east-1'],
    ]);
    const acl = Template.fromStack(withWaf.waf[1] ?? withWaf.app);
    acl.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: [
        {
          Name: 'api-rate-per-address',
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: {
              Limit: 600,
              AggregateKeyType: 'IP',
              EvaluationWindowSec: 300,
              // Application links reach the same function and throttle.
              ScopeDownStatement: {
                OrStatement: {
                  Statements: ['/api/', '/r/'].map((prefix) => ({
                    ByteMatchStatement: {
                      SearchString: prefix,
                      PositionalConstraint: 'STARTS_WITH',
                      FieldToMatch: { UriPath: {} },
                      TextTransformations: [{ Priority: 0, Type: 'NONE' }],
                    },
                  })),
                },
              },
            },
          },
          Priority: 0,
          VisibilityConfig: {
            CloudWatchMetricsEnabled: true,
            MetricName: 'footfall-api-rate',
            SampledRequestsEnabled: false,
          },
        },
      ],
    });
    const [, distribution] = only(withWaf.appTemplate, 'AWS::CloudFront::Distribution');
    expect(
      ((distribution.Properties?.DistributionConfig ?? {}) as Record<string, unknown>).WebACLId,
    ).toBeDefined();
  });
});

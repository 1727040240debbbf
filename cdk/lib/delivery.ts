import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { preTrafficHookEntry } from '../../service/build/options.js';
import { answerMetrics } from '../../service/src/http/metric-names.js';
import { preTrafficHookWorstCaseMs } from '../../service/src/pre-traffic/limits.js';
import { type CounterApi, footfallFunction, functionRole } from './counter-api.js';

export interface SafeDeploymentProps {
  readonly api: CounterApi;
  /** The repository root: where the hook's entry and `package-lock.json` live. */
  readonly projectRoot: string;
  /**
   * Shift 10% of traffic for 5 minutes first, so the alarms can still roll back before every
   * visitor is on the new version; otherwise all at once, right after the check. @default true
   */
  readonly canary?: boolean;
}

/**
 * When the canary calls the new version failing (ADR 16). Judged a minute at a time, so an alarm
 * can fire within the canary's five minutes; only once the new version answered `minAnswers`
 * requests in that minute, and only when its share of failed answers is at least `marginPoints`
 * percentage points above the share of the other version's answers: a single request cannot
 * reach it, and failures a flood causes (503s, refused direct requests) fall on both versions
 * alike, so they cannot veto a good version.
 */
export const canaryJudgement = {
  period: Duration.minutes(1),
  minAnswers: 10,
  marginPoints: 50,
} as const;

const newShare = '100 * failed / answers';
const restShare =
  'IF(allAnswers > answers, 100 * (allFailed - failed) / (allAnswers - answers), 0)';
/** The failed share of the new version's answers less that of the others', in points. */
export const worseThanTheRest = `IF(answers >= ${canaryJudgement.minAnswers}, ${newShare} - ${restShare}, 0)`;

/**
 * How a new version of the API function reaches visitors: published, checked, then shifted.
 * CloudFormation hands the `live` alias's update to CodeDeploy, which first runs the pre-traffic
 * hook (it invokes the new version directly with real API events and reports the verdict);
 * only if it passes does the alias move, and the alarms roll it back while the deployment runs.
 */
export class SafeDeployment extends Construct {
  public readonly hook: lambda.Function;
  public readonly group: codedeploy.LambdaDeploymentGroup;
  /**
   * What rolls the deployment back while it runs: the new version's own invocation errors, 5xx
   * answers and refusals of CloudFront (a broken origin check answers 403, not 5xx), each against
   * the rest of the alias's traffic. CodeDeploy reads their state; they notify no one.
   */
  public readonly rollbackAlarms: {
    readonly errors: cloudwatch.Alarm;
    readonly serverErrors: cloudwatch.Alarm;
    readonly originRefused: cloudwatch.Alarm;
  };

  constructor(scope: Construct, id: string, props: SafeDeploymentProps) {
    super(scope, id);
    const { api } = props;
    const logGroup = new logs.LogGroup(this, 'HookLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
    });
    // Its own role: its logs, invoking the API function's versions, and (granted by the
    // deployment group below) reporting to that deployment group. Nothing else.
    const role = functionRole(
      this,
      'HookRole',
      logGroup,
      'footfall pre-traffic check: invoke the new API version, report to CodeDeploy',
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        // Versions only (`function:name:N`): never the unqualified function or another one.
        resources: [`${api.function.functionArn}:*`],
      }),
    );

    this.hook = new lambda.Function(this, 'PreTrafficHook', {
      ...footfallFunction(props.projectRoot, preTrafficHookEntry),
      // Longer than its worst case (every check just in time, every report attempt timing out),
      // so it is never stopped before it reports.
      timeout: Duration.millis(preTrafficHookWorstCaseMs() + 10_000),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: 'footfall: checks a new API version before it takes traffic',
      environment: {
        // The version this deployment publishes: the one the alias is about to point at.
        TARGET_FUNCTION: api.function.currentVersion.functionArn,
        ORIGIN_SECRETS: api.originSecrets,
      },
    });

    this.rollbackAlarms = rollbackAlarms(this, api);
    const alarms = Object.values(this.rollbackAlarms);

    this.group = new codedeploy.LambdaDeploymentGroup(this, 'DeploymentGroup', {
      alias: api.alias,
      deploymentConfig:
        props.canary === false
          ? codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE
          : codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      preHook: this.hook,
      alarms,
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    // The hook must know the new version before CodeDeploy calls it, and the alarms must watch it.
    api.alias.node.addDependency(this.hook, ...alarms);
  }
}

/**
 * The three rollback alarms. Lambda publishes an alias's invocations by `ExecutedVersion` only
 * under `Resource` = `function:alias` (a version's own `Resource` = `function:N` counts direct
 * invocations, the hook's): so the new version's metrics are the alias's, narrowed to the version.
 * 5xx and refusals are the function's own metrics (`answerMetrics`), by function and version.
 */
function rollbackAlarms(scope: Construct, api: CounterApi) {
  const { period } = canaryJudgement;
  const functionName = api.function.functionName;
  const version = api.function.currentVersion.version;
  const viaAlias = {
    FunctionName: functionName,
    Resource: `${functionName}:${api.alias.aliasName}`,
  };
  const lambdaMetric = (metricName: string, dimensionsMap: Record<string, string>) =>
    new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName,
      dimensionsMap,
      statistic: 'Sum',
      period,
    });
  const answered = (dimensions: Record<string, string>) => lambdaMetric('Invocations', dimensions);
  const newVersion = { ...viaAlias, ExecutedVersion: version };
  const answers = { answers: answered(newVersion), allAnswers: answered(viaAlias) };
  const own = (metricName: string, dimensionsMap: Record<string, string>) =>
    new cloudwatch.Metric({
      namespace: answerMetrics.namespace,
      metricName,
      dimensionsMap,
      statistic: 'Sum',
      period,
    });
  const { function: fnDimension, version: versionDimension } = answerMetrics.dimensions;
  const ownMetric = (metricName: string) => ({
    failed: own(metricName, { [fnDimension]: functionName, [versionDimension]: version }),
    allFailed: own(metricName, { [fnDimension]: functionName }),
  });

  const alarm = (
    id: string,
    description: string,
    failed: { failed: cloudwatch.IMetric; allFailed: cloudwatch.IMetric },
  ) =>
    new cloudwatch.Alarm(scope, id, {
      alarmDescription: `footfall deployment (rolls back, notifies no one): ${description}`,
      metric: new cloudwatch.MathExpression({
        expression: worseThanTheRest,
        usingMetrics: { ...answers, ...failed },
        period,
        label: 'failed share, new version less the rest (points)',
      }),
      threshold: canaryJudgement.marginPoints,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No answers from the new version: nothing to judge, not a failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

  return {
    errors: alarm('NewVersionErrors', 'the new version threw or timed out on its requests', {
      failed: lambdaMetric('Errors', newVersion),
      allFailed: lambdaMetric('Errors', viaAlias),
    }),
    serverErrors: alarm(
      'NewVersion5xx',
      'the new version answered 5xx',
      ownMetric(answerMetrics.serverErrors),
    ),
    originRefused: alarm(
      'NewVersionRefusesCloudFront',
      "the new version refused requests as not CloudFront's (403): a broken origin check",
      ownMetric(answerMetrics.originRefused),
    ),
  };
}

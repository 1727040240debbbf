import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { preTrafficHookEntry } from '../../service/build/options.js';
import { preTrafficHookWorstCaseMs } from '../../service/src/pre-traffic/limits.js';
import { type CounterApi, footfallFunction, functionRole } from './counter-api.js';

export interface SafeDeploymentProps {
  readonly api: CounterApi;
  /** The repository root: where the hook's entry and `package-lock.json` live. */
  readonly projectRoot: string;
  /** Alarms that roll a deployment back while it runs (the API's 5xx, the function's errors). */
  readonly alarms: readonly cloudwatch.IAlarm[];
  /**
   * Shift 10% of traffic for 5 minutes first, so the alarms can still roll back before every
   * visitor is on the new version; otherwise all at once, right after the check. @default true
   */
  readonly canary?: boolean;
}

/**
 * How a new version of the API function reaches visitors: published, checked, then shifted.
 * CloudFormation hands the `live` alias's update to CodeDeploy, which first runs the pre-traffic
 * hook (it invokes the new version directly with real API events and reports the verdict);
 * only if it passes does the alias move, and the alarms roll it back while the deployment runs.
 */
export class SafeDeployment extends Construct {
  public readonly hook: NodejsFunction;
  public readonly group: codedeploy.LambdaDeploymentGroup;

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

    this.hook = new NodejsFunction(this, 'PreTrafficHook', {
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

    this.group = new codedeploy.LambdaDeploymentGroup(this, 'DeploymentGroup', {
      alias: api.alias,
      deploymentConfig:
        props.canary === false
          ? codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE
          : codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      preHook: this.hook,
      alarms: [...props.alarms],
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    // The hook must know the new version before CodeDeploy calls it.
    api.alias.node.addDependency(this.hook);
  }
}

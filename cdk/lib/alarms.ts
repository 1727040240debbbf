import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type ITable, Operation } from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface CounterAlarmsProps {
  readonly function: lambda.IFunction;
  readonly httpApi: apigw.IHttpApi;
  readonly table: ITable;
  /** Emailed when an alarm fires. @default - no notification: alarms show in CloudWatch only */
  readonly email?: string;
}

/** The three things worth waking for: the function failing, the API 5xx-ing, DynamoDB throttling. */
export class CounterAlarms extends Construct {
  public readonly alarms: cloudwatch.Alarm[];
  public readonly topic: sns.Topic | undefined;

  constructor(scope: Construct, id: string, props: CounterAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const atLeastOnce = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    this.alarms = [
      new cloudwatch.Alarm(this, 'FunctionErrors', {
        alarmDescription: 'footfall: the API function threw or timed out',
        metric: props.function.metricErrors({ period, statistic: 'Sum' }),
        ...atLeastOnce,
      }),
      new cloudwatch.Alarm(this, 'Api5xx', {
        alarmDescription:
          'footfall: the HTTP API answered 5xx (503 means DynamoDB was unavailable)',
        metric: props.httpApi.metricServerError({ period, statistic: 'Sum' }),
        ...atLeastOnce,
      }),
      new cloudwatch.Alarm(this, 'TableThrottles', {
        alarmDescription: 'footfall: DynamoDB throttled reads or increments',
        metric: props.table.metricThrottledRequestsForOperations({
          operations: [Operation.GET_ITEM, Operation.UPDATE_ITEM],
          period,
        }),
        ...atLeastOnce,
      }),
    ];

    if (props.email) {
      this.topic = new sns.Topic(this, 'Topic', {
        displayName: 'footfall alarms',
        enforceSSL: true,
      });
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
      for (const alarm of this.alarms) alarm.addAlarmAction(new actions.SnsAction(this.topic));
    }
  }
}

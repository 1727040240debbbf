import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { type ITable, Operation } from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface CounterAlarmsProps {
  readonly function: lambda.IFunction;
  readonly httpApi: apigw.IHttpApi;
  readonly table: ITable;
  /** The visits table (salts, visitor records, quotas). */
  readonly visitsTable: ITable;
  /** The API's steady-state rate limit: the request alarm fires well before a flood reaches it. */
  readonly throttleRateLimit: number;
}

/**
 * What is worth waking for: the function failing, the API 5xx-ing, DynamoDB throttling; and
 * abuse, before the bill shows it: a request rate near the API's limit, and a high share of 4xx
 * (one client can take the whole throttle, and then visitors get 429s). The stack sends every
 * alarm to its alert topic (`AlertTopic.notify`).
 */
export class CounterAlarms extends Construct {
  public readonly alarms: cloudwatch.Alarm[];
  /** All versions' errors and 5xx; a deployment rolls back on its own (`SafeDeployment`). */
  public readonly functionErrors: cloudwatch.Alarm;
  public readonly api5xx: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CounterAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const atLeastOnce = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    this.functionErrors = new cloudwatch.Alarm(this, 'FunctionErrors', {
      alarmDescription: 'footfall: the API function threw or timed out',
      metric: props.function.metricErrors({ period, statistic: 'Sum' }),
      ...atLeastOnce,
    });
    this.api5xx = new cloudwatch.Alarm(this, 'Api5xx', {
      alarmDescription: 'footfall: the HTTP API answered 5xx (503 means DynamoDB was unavailable)',
      metric: props.httpApi.metricServerError({ period, statistic: 'Sum' }),
      ...atLeastOnce,
    });
    const requests = props.httpApi.metricCount({ period, statistic: 'Sum' });
    this.alarms = [
      this.functionErrors,
      this.api5xx,
      new cloudwatch.Alarm(this, 'ApiRequests', {
        alarmDescription:
          'footfall: requests near the API throttle for 10 minutes (a flood, or a bot loop)',
        metric: requests,
        // Half the throttle, sustained: real visitors to a personal site never come close.
        threshold: Math.ceil(props.throttleRateLimit * period.toSeconds() * 0.5),
        evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'Api4xxRate', {
        alarmDescription:
          'footfall: over 20% of API requests refused (4xx, 429 throttling included) in 5 minutes',
        metric: new cloudwatch.MathExpression({
          // Only once there is traffic worth judging: 100 requests in the period.
          expression: 'IF(requests >= 100, 100 * errors / requests, 0)',
          usingMetrics: {
            errors: props.httpApi.metricClientError({ period, statistic: 'Sum' }),
            requests,
          },
          period,
          label: '4xx share (%)',
        }),
        threshold: 20,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'TableThrottles', {
        alarmDescription: 'footfall: DynamoDB throttled reads or increments',
        metric: props.table.metricThrottledRequestsForOperations({
          operations: [Operation.GET_ITEM, Operation.UPDATE_ITEM],
          period,
        }),
        ...atLeastOnce,
      }),
      new cloudwatch.Alarm(this, 'VisitsTableThrottles', {
        alarmDescription: 'footfall: DynamoDB throttled reads or updates of visit records',
        metric: props.visitsTable.metricThrottledRequestsForOperations({
          operations: [Operation.GET_ITEM, Operation.UPDATE_ITEM],
          period,
        }),
        ...atLeastOnce,
      }),
    ];
  }
}

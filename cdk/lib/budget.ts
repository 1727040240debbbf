import * as budgets from 'aws-cdk-lib/aws-budgets';
import { Construct } from 'constructs';
import type { AlertTopic } from './alert-topic.js';

export interface MonthlyBudgetProps {
  /** The monthly amount, in US dollars. */
  readonly amountUsd: number;
  /** The stage's alert topic: the budget's notifications go there, like the alarms'. */
  readonly alerts: AlertTopic;
}

/**
 * An AWS Budgets cost budget for the whole account, per month: a notification when the month's
 * actual cost passes 80% of it, and when AWS forecasts it will pass 100%, published to the alert
 * topic (so `alertEmail` gets it, and one unsubscribe covers it too). The bill's early warning;
 * the throttle, the table's ceilings and the request alarm are what keep it small. (The first two
 * budgets of an account cost nothing.)
 */
export class MonthlyBudget extends Construct {
  public readonly budget: budgets.CfnBudget;

  constructor(scope: Construct, id: string, props: MonthlyBudgetProps) {
    super(scope, id);
    // One SNS subscriber a notification, Budgets' maximum; an e-mail subscriber as well would
    // send each warning twice.
    const subscribers = [{ subscriptionType: 'SNS', address: props.alerts.topic.topicArn }];
    const notify = (notificationType: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
      notification: {
        notificationType,
        comparisonOperator: 'GREATER_THAN',
        threshold,
        thresholdType: 'PERCENTAGE',
      },
      subscribers,
    });
    this.budget = new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetName: 'footfall-monthly',
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.amountUsd, unit: 'USD' },
      },
      notificationsWithSubscribers: [notify('ACTUAL', 80), notify('FORECASTED', 100)],
    });
    props.alerts.allowBudgets(this.budget);
  }
}

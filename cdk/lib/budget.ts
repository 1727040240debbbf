import * as budgets from 'aws-cdk-lib/aws-budgets';
import { Construct } from 'constructs';

export interface MonthlyBudgetProps {
  /** The monthly amount, in US dollars. */
  readonly amountUsd: number;
  /** Who is emailed. @default - nobody: the budget shows in the Billing console only */
  readonly email?: string;
}

/**
 * An AWS Budgets cost budget for the whole account, per month: an email when the month's actual
 * cost passes 80% of it, and when AWS forecasts it will pass 100%. The bill's early warning; the
 * throttle, the table's ceilings and the request alarm are what keep it small. (The first two
 * budgets of an account cost nothing.)
 */
export class MonthlyBudget extends Construct {
  public readonly budget: budgets.CfnBudget;

  constructor(scope: Construct, id: string, props: MonthlyBudgetProps) {
    super(scope, id);
    const subscribers = props.email ? [{ subscriptionType: 'EMAIL', address: props.email }] : [];
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
      ...(props.email
        ? { notificationsWithSubscribers: [notify('ACTUAL', 80), notify('FORECASTED', 100)] }
        : {}),
    });
  }
}

import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { visitsTable } from '../../service/src/db/table.js';

export interface VisitsTableProps {
  /**
   * On-demand ceilings, in request units per second: past them DynamoDB throttles (the API
   * answers 503) instead of billing a flood.
   */
  readonly maxReadRequestUnits: number;
  readonly maxWriteRequestUnits: number;
}

/**
 * What a visit needs only for its own day: the day's salt, the visitors' records and the view and
 * page quotas (ADR 12). Every item carries the day's expiry, 48 hours after the day began, and
 * nothing ever backs the table up, so no copy can bring a salt back to link a day's visits.
 */
export class VisitsTable extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: VisitsTableProps) {
    super(scope, id);
    for (const [name, units] of Object.entries(props)) {
      if (!Number.isInteger(units) || units < 1) {
        throw new Error(`VisitsTable: ${name} must be a positive integer, got ${units}`);
      }
    }
    this.table = new dynamodb.Table(this, 'Table', {
      // Key names come from the same definition the service and the dev server use.
      partitionKey: { name: visitsTable.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: visitsTable.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: visitsTable.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      maxReadRequestUnits: props.maxReadRequestUnits,
      maxWriteRequestUnits: props.maxWriteRequestUnits,
      // No point-in-time recovery: a restore could bring back a salt up to 35 days old, and with
      // it the means to tell which of that day's visits came from one person (README, Privacy).
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      // DESTROY, unlike the counts: nothing in it is worth keeping past 48 hours, and deleting
      // the stack should delete the salts with it, not leave them in an orphaned table.
      deletionProtection: false,
      removalPolicy: RemovalPolicy.DESTROY,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
    });
  }
}

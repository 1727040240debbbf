import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { table } from '../../service/src/db/table.js';

/** The counts: the one stateful resource, kept whatever happens to the stack. */
export class CounterTable extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      // Key names come from the same definition the service and the dev server use.
      partitionKey: { name: table.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: table.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: table.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
    });
    // Every counted page of a site in one query (GET /api/pages).
    this.table.addGlobalSecondaryIndex({
      indexName: table.bySiteIndex.name,
      partitionKey: { name: table.bySiteIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: table.bySiteIndex.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
}

import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { table } from '../../service/src/db/table.js';
import { requestUnitCeilings } from './defaults.js';

export interface CounterTableProps {
  /**
   * On-demand ceilings, in request units per second, for the table and its index: past them
   * DynamoDB throttles (the API answers 503) instead of billing a flood.
   */
  readonly maxReadRequestUnits: number;
  readonly maxWriteRequestUnits: number;
}

/** The counts: kept whatever happens to the stack (the visits table is not: `VisitsTable`). */
export class CounterTable extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: CounterTableProps) {
    super(scope, id);
    const index = requestUnitCeilings({
      read: props.maxReadRequestUnits,
      write: props.maxWriteRequestUnits,
    }).bySiteIndex;
    this.table = new dynamodb.Table(this, 'Table', {
      // Key names come from the same definition the service and the dev server use.
      partitionKey: { name: table.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: table.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: table.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      maxReadRequestUnits: props.maxReadRequestUnits,
      maxWriteRequestUnits: props.maxWriteRequestUnits,
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
      // Only page counters carry its keys: at most one index write per visit.
      maxReadRequestUnits: index.read,
      maxWriteRequestUnits: index.write,
    });
  }
}

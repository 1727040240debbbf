import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one DynamoDB table footfall uses. Written once and imported by the service, the dev
 * server, the tests and the CDK stack, so that a renamed key can never drift between them.
 */
export const table = {
  /** Table name when `TABLE_NAME` is unset (local development only; AWS generates one). */
  defaultName: 'footfall',
  /** Generic partition key: ElectroDB composes entity keys into it. */
  partitionKey: 'pk',
  /** Generic sort key. */
  sortKey: 'sk',
  /** Epoch-seconds attribute DynamoDB's TTL deletes items by (salts and marks). */
  timeToLiveAttribute: 'expiresAt',
  /**
   * A sparse index over the items that carry its keys (page counters): every page of a site, in
   * one query.
   */
  bySiteIndex: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

/** The CreateTable request for local tables (dynalite, DynamoDB Local). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: table.partitionKey, AttributeType: 'S' },
      { AttributeName: table.sortKey, AttributeType: 'S' },
      { AttributeName: table.bySiteIndex.partitionKey, AttributeType: 'S' },
      { AttributeName: table.bySiteIndex.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: table.partitionKey, KeyType: 'HASH' },
      { AttributeName: table.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [bySiteIndexInput()],
  };
}

/** The by-site index, as CreateTable and UpdateTable take it. */
function bySiteIndexInput() {
  return {
    IndexName: table.bySiteIndex.name,
    KeySchema: [
      { AttributeName: table.bySiteIndex.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: table.bySiteIndex.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  };
}

import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The two DynamoDB tables footfall uses. Written once and imported by the service, the dev
 * server, the tests and the CDK stack, so that a renamed key can never drift between them.
 *
 * - `table` holds the counts (page counters, days, the site's page count, the admin CLI's audit
 *   trail): kept for good, with point-in-time recovery.
 * - `visitsTable` holds what a visit needs only for its own day (the day's salt, visitor and
 *   limit records), every item deleted 48 hours after its day began, and is never backed up, so
 *   no backup can bring a salt back (ADR 12).
 */
export const table = {
  /** Table name when `TABLE_NAME` is unset (local development only; AWS generates one). */
  defaultName: 'footfall',
  /** Generic partition key: ElectroDB composes entity keys into it. */
  partitionKey: 'pk',
  /** Generic sort key. */
  sortKey: 'sk',
  /**
   * Epoch-seconds attribute DynamoDB's TTL deletes items by. No counts item carries it; it stays
   * enabled so that the salts and marks kept here before ADR 12 expire as they always would.
   */
  timeToLiveAttribute: 'expiresAt',
  /**
   * A sparse index over the items that carry its keys (page counters): every page of a site, in
   * one query.
   */
  bySiteIndex: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

export const visitsTable = {
  /** The visits table's name, for a counts table named `tableName`, when none is set. */
  defaultNameFor: (tableName: string) => `${tableName}-visits`,
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch-seconds attribute DynamoDB's TTL deletes items by: every item carries it. */
  timeToLiveAttribute: 'expiresAt',
} as const;

/** The CreateTable request for a local counts table (dynalite, DynamoDB Local). */
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

/** The CreateTable request for a local visits table. (dynalite has no TTL: see ADR 12.) */
export function createVisitsTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: visitsTable.partitionKey, AttributeType: 'S' },
      { AttributeName: visitsTable.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: visitsTable.partitionKey, KeyType: 'HASH' },
      { AttributeName: visitsTable.sortKey, KeyType: 'RANGE' },
    ],
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

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
  /** Epoch-seconds attribute DynamoDB's TTL deletes items by (for later, expiring entities). */
  timeToLiveAttribute: 'expiresAt',
} as const;

/** The CreateTable request for local tables (dynalite, DynamoDB Local). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: table.partitionKey, AttributeType: 'S' },
      { AttributeName: table.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: table.partitionKey, KeyType: 'HASH' },
      { AttributeName: table.sortKey, KeyType: 'RANGE' },
    ],
  };
}

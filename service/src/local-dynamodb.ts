import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTableInput, table } from './db/table.js';

/** Credentials for local DynamoDB: it checks that requests are signed, not by whom. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const localRegion = 'local';

export interface LocalDynamoDB {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  /** Stops the server and flushes its store to disk. */
  close(): Promise<void>;
}

/**
 * Starts dynalite in this process on a free loopback port: on disk under `path`, or in memory
 * when `path` is undefined.
 */
export async function startLocalDynamoDB(path?: string): Promise<LocalDynamoDB> {
  // createTableMs 0: tables are ACTIVE at once (dynalite waits 500 ms by default).
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(path ? { path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * Creates footfall's table unless it exists, and adds the by-site index to a table made before
 * it existed (a dev server's data from an earlier version). Safe to call on every start.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'exists'> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexed = Table?.GlobalSecondaryIndexes?.some(
      (index) => index.IndexName === table.bySiteIndex.name,
    );
    if (!indexed) await rebuildWithIndex(client, tableName);
    return 'exists';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    return 'created';
  } catch (error) {
    // Another process created it between our two calls.
    if (error instanceof ResourceInUseException) return 'exists';
    throw error;
  }
}

/**
 * A dev table from before the by-site index: dynalite cannot add an index to a table, so the
 * table is made anew with it and its items are put back (local data is small).
 */
async function rebuildWithIndex(client: DynamoDBClient, tableName: string): Promise<void> {
  const items: Record<string, AttributeValue>[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  for (const Item of items) await client.send(new PutItemCommand({ TableName: tableName, Item }));
}

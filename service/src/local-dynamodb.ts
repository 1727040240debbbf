import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTableInput } from './db/table.js';

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

/** Creates footfall's table unless it exists. Safe to call on every start. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'exists'> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
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

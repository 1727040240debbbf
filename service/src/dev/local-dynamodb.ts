import { mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { DynamoDBLimits } from '../db/limits.js';
import { createTableInput, createVisitsTableInput, table } from '../db/table.js';

/**
 * Time limits for the embedded dynalite. It runs in the dev server's own process and applies
 * writes one at a time, so a burst of a few hundred visits keeps the last of them waiting for
 * seconds (300 first visits on a busy 2-core machine: 7 s; 1,000: 26 s). Production's limits (a
 * second a request, made for DynamoDB's milliseconds) would turn that wait into 503s; dynalite
 * cannot hang on its own, so generous limits lose nothing (ADR 12).
 */
export const embeddedDynaliteLimits = {
  connectionTimeoutMs: 30_000,
  requestTimeoutMs: 30_000,
  operationDeadlineMs: 60_000,
} as const satisfies Partial<DynamoDBLimits>;

/** Credentials for local DynamoDB: it checks that requests are signed, not by whom. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const localRegion = 'local';

export interface LocalDynamoDB {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  /** Stops the server and flushes its store to disk. */
  close(): Promise<void>;
}

/** Why a local data folder cannot be used: `busy` (another process has it open) or `not-a-folder`. */
export class LocalDataError extends Error {
  override readonly name = 'LocalDataError';
  constructor(
    readonly reason: 'busy' | 'not-a-folder',
    readonly path: string,
  ) {
    super(
      reason === 'busy'
        ? `${path} is in use by another footfall process (the dev server?)`
        : `${path} is a file, not a folder`,
    );
  }
}

/**
 * Makes sure `path` can hold dynalite's data: creates it if missing, and throws a
 * `LocalDataError` when it is a file or when another process (a running dev server) has it
 * open. dynalite itself would start anyway and then crash on the first request.
 */
export async function checkDataDir(path: string): Promise<void> {
  const found = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    if (error.code === 'ENOTDIR') throw new LocalDataError('not-a-folder', path);
    throw error;
  });
  if (found && !found.isDirectory()) throw new LocalDataError('not-a-folder', path);
  await mkdir(path, { recursive: true });
  // The store dynalite opens, from dynalite's own dependencies: LevelDB's lock says who has it.
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level } = fromDynalite('level') as {
    Level: new (path: string) => { open(): Promise<void>; close(): Promise<void> };
  };
  const store = new Level(path);
  try {
    await store.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') throw new LocalDataError('busy', path);
    throw error;
  } finally {
    await store.close();
  }
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
 * Creates footfall's counts table unless it exists, and adds the by-site index to a table made
 * before it existed (a dev server's data from an earlier version). Safe to call on every start.
 */
export function ensureTable(client: DynamoDBClient, tableName: string) {
  return ensure(client, createTableInput(tableName), async (found) => {
    const indexed = found?.GlobalSecondaryIndexes?.some(
      (index) => index.IndexName === table.bySiteIndex.name,
    );
    if (!indexed) await rebuildWithIndex(client, tableName);
  });
}

/**
 * Creates the visits table (salts, visitor and limit records) unless it exists. Safe to call on
 * every start. dynalite has no TTL: locally, old days' records stay until the data folder goes.
 */
export function ensureVisitsTable(client: DynamoDBClient, tableName: string) {
  return ensure(client, createVisitsTableInput(tableName));
}

/** Creates the table `input` describes unless it exists; `upgrade` brings an existing one up to date. */
async function ensure(
  client: DynamoDBClient,
  input: CreateTableCommandInput,
  upgrade?: (found: TableDescription | undefined) => Promise<void>,
): Promise<'created' | 'exists'> {
  const TableName = input.TableName as string;
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName }));
    await upgrade?.(Table);
    return 'exists';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    // Another process created it between our two calls.
    if (error instanceof ResourceInUseException) return 'exists';
    throw error;
  }
  await untilActive(client, TableName);
  return 'created';
}

/** A new table refuses items until it is ACTIVE (a moment in dynalite, seconds in DynamoDB). */
export async function untilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A dev table from before the by-site index: dynalite cannot add an index to a table, so the
 * table is made anew with it and its items are put back (local data is small).
 */
async function rebuildWithIndex(client: DynamoDBClient, tableName: string): Promise<void> {
  const items = await scanAll(client, tableName);
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await untilActive(client, tableName);
  for (const Item of items) await client.send(new PutItemCommand({ TableName: tableName, Item }));
}

/** Every item of a local table, in full: for small local data (and tests), never for AWS. */
export async function scanAll(
  client: DynamoDBClient,
  tableName: string,
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

import { mkdir, stat } from 'node:fs/promises';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config.js';
import { createDynamoDBClient } from '../db/client.js';
import type { DynamoDBLimits } from '../db/limits.js';
import { dataDirProblem, storeProblem } from './errors.js';
import {
  checkDataDir,
  ensureTable,
  ensureVisitsTable,
  LocalDataError,
  localCredentials,
  localRegion,
  startLocalDynamoDB,
} from './local-dynamodb.js';

/**
 * The data folder, checked before anything is written to it: dynalite's store (one dev server
 * at a time: LevelDB locks it) and, by default, the built site.
 */
export async function useDataDir(config: Config): Promise<void> {
  try {
    if (config.dynamodbEndpoint === undefined) {
      await checkDataDir(config.dataDir);
    } else {
      // No dynalite: the folder only holds the site.
      const found = await stat(config.dataDir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        if (error.code === 'ENOTDIR') throw new LocalDataError('not-a-folder', config.dataDir);
        throw error;
      });
      if (found && !found.isDirectory()) throw new LocalDataError('not-a-folder', config.dataDir);
      await mkdir(config.dataDir, { recursive: true });
    }
  } catch (error) {
    if (!(error instanceof LocalDataError)) throw error;
    throw dataDirProblem(error, config);
  }
}

/** Where the dev server keeps the counts, open. */
export interface DevStorage {
  readonly client: DynamoDBClient;
  readonly description: string;
  close(): Promise<void>;
}

/**
 * Where the counts are kept: the DynamoDB at `DYNAMODB_ENDPOINT` when it is set (DynamoDB
 * Local, or DynamoDB itself, with the SDK's own region and credentials), else dynalite on disk
 * in the data folder. The table is created if missing, except in AWS, where CDK makes it.
 */
export async function openStorage(
  config: Config,
  limits: Partial<DynamoDBLimits> | undefined,
): Promise<DevStorage> {
  const withLimits = limits ? { limits } : {};
  const endpoint = config.dynamodbEndpoint;
  if (endpoint === undefined) {
    const dynamodb = await startLocalDynamoDB(config.dataDir);
    const client = createDynamoDBClient({
      endpoint: dynamodb.endpoint,
      region: localRegion,
      credentials: localCredentials,
      ...withLimits,
    });
    const close = async () => {
      client.destroy();
      await dynamodb.close();
    };
    try {
      await ensureTable(client, config.tableName);
      await ensureVisitsTable(client, config.visitsTableName);
    } catch (error) {
      await close();
      throw error;
    }
    return { client, description: `dynalite, data in ${config.dataDir}`, close };
  }

  const client = createDynamoDBClient({ endpoint, ...withLimits });
  try {
    if (isAws(endpoint)) {
      // Never created (nor rebuilt) from here: in AWS the tables are the stack's.
      await client.send(new DescribeTableCommand({ TableName: config.tableName }));
      await client.send(new DescribeTableCommand({ TableName: config.visitsTableName }));
    } else {
      await ensureTable(client, config.tableName);
      await ensureVisitsTable(client, config.visitsTableName);
    }
  } catch (error) {
    client.destroy();
    throw storeProblem(error, config, endpoint) ?? error;
  }
  return {
    client,
    description: `DynamoDB at ${endpoint} (DYNAMODB_ENDPOINT), table ${config.tableName}`,
    close: async () => client.destroy(),
  };
}

const isAws = (endpoint: string) =>
  /\.(amazonaws\.com|amazonaws\.com\.cn|api\.aws)$/i.test(new URL(endpoint).hostname);

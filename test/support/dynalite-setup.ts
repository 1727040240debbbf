import type { TestProject } from 'vitest/node';
import { createDynamoDBClient } from '../../service/src/db/client.js';
import { visitsTable } from '../../service/src/db/table.js';
import {
  ensureTable,
  ensureVisitsTable,
  localCredentials,
  localRegion,
  startLocalDynamoDB,
} from '../../service/src/dev/local-dynamodb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    tableName: string;
    visitsTableName: string;
  }
}

/** One in-memory dynalite for the whole run; tests isolate themselves by page key. */
export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dynamodb = await startLocalDynamoDB();
  const tableName = 'footfall-test';
  const client = createDynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: localRegion,
    credentials: localCredentials,
  });
  const visitsTableName = visitsTable.defaultNameFor(tableName);
  await ensureTable(client, tableName);
  await ensureVisitsTable(client, visitsTableName);
  client.destroy();

  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('tableName', tableName);
  project.provide('visitsTableName', visitsTableName);
  return () => dynamodb.close();
}

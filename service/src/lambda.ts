import { handle } from 'hono/aws-lambda';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createCounterStore } from './counter.js';
import { createDynamoDBClient } from './dynamodb.js';

// Built once per Lambda environment, outside the handler, so warm invocations reuse the client
// and its open connections.
const config = loadConfig(process.env);
const client = createDynamoDBClient({ endpoint: config.dynamodbEndpoint });
const app = createApp({ counter: createCounterStore({ client, table: config.tableName }), config });

export const handler = handle(app);

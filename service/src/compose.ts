import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { createDynamoDBClient } from './db/client.js';
import { createCounterStore } from './db/counter-store.js';
import { createDatabase } from './db/index.js';
import type { Logger } from './http.js';
import type { AddressOf } from './routes/count.js';

export interface ComposeOptions {
  /** The DynamoDB client; @default a bounded client of `config.dynamodbEndpoint` */
  readonly client?: DynamoDBClient;
  /** Where failures are reported. @default JSON lines on stderr */
  readonly log?: Logger;
  /** Hard limit for one storage operation. @default dynamodbLimits.operationDeadlineMs */
  readonly deadlineMs?: number;
  /** The time; tests move it across midnight. @default the system clock */
  readonly now?: () => Date;
}

/**
 * The one place the app's dependencies are built: the Lambda entry, the dev server and the
 * tests all come through here, so a new entity or store is wired once.
 */
export function compose(
  config: Pick<
    Config,
    | 'tableName'
    | 'dynamodbEndpoint'
    | 'allowedOrigins'
    | 'viewsPerAddressPerDay'
    | 'excludedAddresses'
  > &
    Partial<Pick<Config, 'originSecrets'>>,
  addressOf: AddressOf,
  options: ComposeOptions = {},
) {
  const client = options.client ?? createDynamoDBClient({ endpoint: config.dynamodbEndpoint });
  const database = createDatabase({ client, table: config.tableName });
  const app = createApp({
    counter: createCounterStore(database, {
      viewsPerAddressPerDay: config.viewsPerAddressPerDay,
      ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
      ...(options.now ? { now: options.now } : {}),
    }),
    config,
    excluded: config.excludedAddresses,
    addressOf,
    originSecrets: config.originSecrets ?? [],
    ...(options.now ? { now: options.now } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return { app, client, database };
}

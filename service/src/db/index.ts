import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Service } from 'electrodb';
import { counterEntity } from './counter.js';
import { dailyEntity } from './daily.js';
import { electroClient } from './electro-client.js';
import { markEntity } from './mark.js';
import { saltEntity } from './salt.js';

export interface DatabaseOptions {
  /** A bounded client (`createDynamoDBClient`); ElectroDB sends through it. */
  readonly client: DynamoDBClient;
  /** The table every entity lives in. */
  readonly table: string;
}

/** footfall's entities, composed into one ElectroDB service over one table. */
export function createDatabase(options: DatabaseOptions) {
  return new Service(
    { counter: counterEntity(), daily: dailyEntity(), salt: saltEntity(), mark: markEntity() },
    { client: electroClient(options.client), table: options.table },
  );
}

export type Database = ReturnType<typeof createDatabase>;

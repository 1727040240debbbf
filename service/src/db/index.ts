import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Service } from 'electrodb';
import { counterEntity } from './counter.js';
import { dailyEntity } from './daily.js';
import { electroClient } from './electro-client.js';
import { quotaEntity } from './quota.js';
import { saltEntity } from './salt.js';
import { siteEntity } from './site.js';
import { visitorEntity } from './visitor.js';

export interface DatabaseOptions {
  /** A bounded client (`createDynamoDBClient`); ElectroDB sends through it. */
  readonly client: DynamoDBClient;
  /** The counts table. */
  readonly table: string;
}

/** footfall's counts: page counters, days and sites, composed into one service over one table. */
export function createDatabase(options: DatabaseOptions) {
  return new Service(
    { counter: counterEntity(), daily: dailyEntity(), site: siteEntity() },
    { client: electroClient(options.client), table: options.table },
  );
}

export type Database = ReturnType<typeof createDatabase>;

/**
 * What a visit needs only for its day: the day's salt, visitor and limit records, over the
 * visits table (TTL, no backups; ADR 12).
 */
export function createVisitsDatabase(options: DatabaseOptions) {
  return new Service(
    { salt: saltEntity(), visitor: visitorEntity(), quota: quotaEntity() },
    { client: electroClient(options.client), table: options.table },
  );
}

export type VisitsDatabase = ReturnType<typeof createVisitsDatabase>;

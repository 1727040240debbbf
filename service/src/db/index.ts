import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Service } from 'electrodb';
import { electroClient } from './electro-client.js';
import { counterEntity } from './entities/counter.js';
import { dailyEntity } from './entities/daily.js';
import { linkDayEntity, linkEntity } from './entities/link.js';
import { quotaEntity } from './entities/quota.js';
import { saltEntity } from './entities/salt.js';
import { siteEntity } from './entities/site.js';
import { visitorEntity } from './entities/visitor.js';

export interface DatabaseOptions {
  /** A bounded client (`createDynamoDBClient`); ElectroDB sends through it. */
  readonly client: DynamoDBClient;
  /** The counts table. */
  readonly table: string;
}

/** footfall's counts: page counters, days and sites, composed into one service over one table. */
export function createDatabase(options: DatabaseOptions) {
  return new Service(
    {
      counter: counterEntity(),
      daily: dailyEntity(),
      site: siteEntity(),
      link: linkEntity(),
      linkDay: linkDayEntity(),
    },
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

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Entity, type EntityItem } from 'electrodb';
import { table } from './table.js';

export interface CounterEntityOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
}

/**
 * The counter's data model, as an ElectroDB entity: the definition of record for how counters
 * are keyed and stored. The Lambda does not load ElectroDB (it costs half its cold start, see
 * docs/adr/0004); `counter.ts` issues the same two requests directly, and the contract tests
 * prove that ElectroDB and the store read and write identical items.
 */
export function createCounterEntity(options: CounterEntityOptions) {
  return new Entity(
    {
      model: { entity: 'counter', version: '1', service: 'footfall' },
      attributes: {
        page: { type: 'string', required: true, readOnly: true },
        // No `default`: ElectroDB's upsert applies defaults on every write, which would reset it.
        views: { type: 'number' },
      },
      indexes: {
        byPage: {
          // Page paths are case-sensitive; ElectroDB lowercases keys unless told otherwise.
          pk: { field: table.partitionKey, composite: ['page'], casing: 'none' },
          sk: { field: table.sortKey, composite: [], casing: 'none' },
        },
      },
    },
    { client: options.client, table: options.table },
  );
}

export type CounterEntity = ReturnType<typeof createCounterEntity>;
export type CounterItem = EntityItem<CounterEntity>;

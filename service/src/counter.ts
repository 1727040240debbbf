import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Entity, type EntityItem } from 'electrodb';
import { dynamodbLimits } from './dynamodb.js';
import { type CounterStore, StorageUnavailableError } from './store.js';
import { table } from './table.js';

export interface CounterEntityOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
}

/** One item per counted page: `views` only ever changes through an atomic ADD. */
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

/** The CounterStore over DynamoDB: one GetItem per read, one UpdateItem per increment. */
export function createCounterStore(options: CounterEntityOptions): CounterStore {
  const counter = createCounterEntity(options);
  const guard = async <T>(operation: string, run: (signal: AbortSignal) => Promise<T>) => {
    try {
      return await run(AbortSignal.timeout(dynamodbLimits.operationDeadlineMs));
    } catch (error) {
      throw new StorageUnavailableError(`counter ${operation} failed`, { cause: error });
    }
  };

  return {
    views: (page) =>
      guard('read', async (abortSignal) => {
        // Strongly consistent, so a read after an increment sees it (one read unit, not half).
        const { data } = await counter.get({ page }).go({ consistent: true, abortSignal });
        return data?.views ?? 0;
      }),
    increment: async (page) => {
      const { data } = await guard('increment', (abortSignal) =>
        counter.upsert({ page }).add({ views: 1 }).go({ response: 'all_new', abortSignal }),
      );
      if (typeof data.views !== 'number') throw new Error(`increment of ${page} returned no count`);
      return data.views;
    },
  };
}

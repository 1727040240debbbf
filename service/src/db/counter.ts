import { Entity, type EntityConfiguration, type EntityItem } from 'electrodb';
import { table } from './table.js';

/**
 * One page's counter: `views` only grows, by atomic `ADD`s. Built without a client or table:
 * the service in `index.ts` gives it both, so tests and the Lambda differ only there.
 */
export function counterEntity(config: EntityConfiguration = {}) {
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
    config,
  );
}

export type CounterEntity = ReturnType<typeof counterEntity>;
export type CounterItem = EntityItem<CounterEntity>;

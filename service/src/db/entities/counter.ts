import { Entity, type EntityConfiguration, type EntityItem } from 'electrodb';
import { table } from '../table.js';

/**
 * The counted numbers, each only growing by atomic `ADD`s. No `default`s: ElectroDB's upsert
 * applies defaults on every write, which would reset them.
 */
export const countAttributes = {
  views: { type: 'number' },
  visitors: { type: 'number' },
  bots: { type: 'number' },
} as const;

/**
 * One page's all-time counts, each only growing by atomic `ADD`s: `views` (counted POSTs),
 * `visitors` (new to the page on their day), `bots`. `page` is the page as the API names it,
 * scoped to its site (see `scope.ts`). Built without a client or table: the service in
 * `index.ts` gives it both, so tests and the Lambda differ only there.
 */
export function counterEntity(config: EntityConfiguration = {}) {
  return new Entity(
    {
      model: { entity: 'counter', version: '1', service: 'footfall' },
      attributes: {
        page: { type: 'string', required: true, readOnly: true },
        /** The key of the page's site's totals (`scope.ts`): lists a site's pages. */
        site: { type: 'string', readOnly: true },
        ...countAttributes,
      },
      indexes: {
        byPage: {
          // Page paths are case-sensitive; ElectroDB lowercases keys unless told otherwise.
          pk: { field: table.partitionKey, composite: ['page'], casing: 'none' },
          sk: { field: table.sortKey, composite: [], casing: 'none' },
        },
        bySite: {
          index: table.bySiteIndex.name,
          pk: { field: table.bySiteIndex.partitionKey, composite: ['site'], casing: 'none' },
          sk: { field: table.bySiteIndex.sortKey, composite: ['page'], casing: 'none' },
        },
      },
    },
    config,
  );
}

export type CounterEntity = ReturnType<typeof counterEntity>;
export type CounterItem = EntityItem<CounterEntity>;

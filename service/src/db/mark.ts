import { Entity, type EntityConfiguration, type EntityItem } from 'electrodb';
import { table } from './table.js';

/**
 * What one network address did on one UTC day, in keyed hashes only: `id` is the address's
 * hash under the day's salt; `visitors` and `pageVisitors` hold the hashes of the visitors
 * (address and User-Agent) seen on the site and on each page; `pageViews` holds one page token
 * per counted view, for the per-address daily limit. One update of it tells a visit everything:
 * new to the site, new to the page, views already counted. Deleted with the day's salt.
 */
export function markEntity(config: EntityConfiguration = {}) {
  return new Entity(
    {
      model: { entity: 'mark', version: '1', service: 'footfall' },
      attributes: {
        id: { type: 'string', required: true, readOnly: true },
        visitors: { type: 'set', items: 'string' },
        pageVisitors: { type: 'set', items: 'string' },
        pageViews: { type: 'list', items: { type: 'string' } },
        expiresAt: { type: 'number', field: table.timeToLiveAttribute },
      },
      indexes: {
        byId: {
          pk: { field: table.partitionKey, composite: ['id'], casing: 'none' },
          sk: { field: table.sortKey, composite: [], casing: 'none' },
        },
      },
    },
    config,
  );
}

export type MarkItem = EntityItem<ReturnType<typeof markEntity>>;

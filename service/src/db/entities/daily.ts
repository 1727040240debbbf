import { Entity, type EntityConfiguration, type EntityItem } from 'electrodb';
import { table } from '../table.js';
import { countAttributes } from './counter.js';

/**
 * One page's counts for one UTC day (and, under the site's key, the whole site's), beside its
 * all-time counter in the same partition, so a page's history is one query over a day range.
 */
export function dailyEntity(config: EntityConfiguration = {}) {
  return new Entity(
    {
      model: { entity: 'daily', version: '1', service: 'footfall' },
      attributes: {
        page: { type: 'string', required: true, readOnly: true },
        /** `YYYY-MM-DD`, UTC. */
        day: { type: 'string', required: true, readOnly: true },
        ...countAttributes,
        /**
         * A site's day only: views and visitors by source (`sv`, `su`) and by country (`cv`,
         * `cu`), each a map of at most MAX_NAMES_PER_DAY names and `other` (ADR 14).
         */
        sv: { type: 'any' },
        su: { type: 'any' },
        cv: { type: 'any' },
        cu: { type: 'any' },
      },
      indexes: {
        byPage: {
          pk: { field: table.partitionKey, composite: ['page'], casing: 'none' },
          sk: { field: table.sortKey, composite: ['day'], casing: 'none' },
        },
      },
    },
    config,
  );
}

export type DailyEntity = ReturnType<typeof dailyEntity>;
export type DailyItem = EntityItem<DailyEntity>;

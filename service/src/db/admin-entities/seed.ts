import { Entity, type EntityConfiguration, type EntityItem } from 'electrodb';
import { table } from '../table.js';

/**
 * A count brought over from another counter (`npm run admin -- import-seed`), keyed by where it
 * came from: written only if absent, so the same source is never added twice by mistake.
 * Written by the admin CLI only.
 */
export function seedEntity(config: EntityConfiguration = {}) {
  return new Entity(
    {
      model: { entity: 'seed', version: '1', service: 'footfall' },
      attributes: {
        /** The source table's ARN, the item's key and the attribute read (`…#mainid=1#views`). */
        source: { type: 'string', required: true, readOnly: true },
        page: { type: 'string', required: true },
        views: { type: 'number', required: true },
        at: { type: 'string', required: true },
        who: { type: 'string', required: true },
      },
      indexes: {
        bySource: {
          pk: { field: table.partitionKey, composite: ['source'], casing: 'none' },
          sk: { field: table.sortKey, composite: [], casing: 'none' },
        },
      },
    },
    config,
  );
}

export type SeedItem = EntityItem<ReturnType<typeof seedEntity>>;

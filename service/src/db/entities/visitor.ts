import { Entity, type EntityConfiguration, type EntityItem } from 'electrodb';
import { visitsTable } from '../table.js';

/**
 * One visitor's day on one site, in keyed hashes only: `id` is the hash of the visitor (network
 * address and User-Agent) and the site under the day's salt; `pages` holds a short token for each
 * page the visitor was counted on that day, at most `MAX_PAGES_PER_VISITOR` of them, so the item
 * stays a few hundred bytes whatever the visitor does. One update answers both questions a visit
 * asks: new to the site today (no item yet)? new to this page (its token absent)? ADR 12.
 */
export function visitorEntity(config: EntityConfiguration = {}) {
  return new Entity(
    {
      model: { entity: 'visitor', version: '1', service: 'footfall' },
      attributes: {
        id: { type: 'string', required: true, readOnly: true },
        pages: { type: 'set', items: 'string' },
        expiresAt: { type: 'number', field: visitsTable.timeToLiveAttribute },
      },
      indexes: {
        byId: {
          pk: { field: visitsTable.partitionKey, composite: ['id'], casing: 'none' },
          sk: { field: visitsTable.sortKey, composite: [], casing: 'none' },
        },
      },
    },
    config,
  );
}

export type VisitorItem = EntityItem<ReturnType<typeof visitorEntity>>;

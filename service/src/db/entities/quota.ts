import { Entity, type EntityConfiguration, type EntityItem } from 'electrodb';
import { visitsTable } from '../table.js';

/**
 * The slots an IPv6 network's quota counts its addresses' views in: each /64 of a /48 adds to
 * the slot its hash picks, and is limited when that slot reaches the per-address limit (so it may
 * be limited early when it shares its slot with a busy neighbour, never late). ADR 12.
 */
// biome-ignore format: a table of names
export const QUOTA_SLOTS = [
  's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 's12', 's13', 's14',
  's15', 's16', 's17', 's18', 's19', 's20', 's21', 's22', 's23', 's24', 's25', 's26', 's27',
  's28', 's29', 's30', 's31',
] as const;
export type QuotaSlot = (typeof QUOTA_SLOTS)[number];

const slotAttributes = Object.fromEntries(
  QUOTA_SLOTS.map((slot) => [slot, { type: 'number' }]),
) as { [K in QuotaSlot]: { readonly type: 'number' } };

/**
 * What one network address did today, counted for the limits, under a keyed hash (`id`) that
 * names what is counted: the views an address (an IPv4 address, an IPv6 /64) or an IPv6 /48 added
 * to one page (`views`, and for a /48 its /64s' `slots`), or the pages an address created
 * (`created`). Numbers only: a fixed size whatever the address sends. Deleted with the day's salt.
 */
export function quotaEntity(config: EntityConfiguration = {}) {
  return new Entity(
    {
      model: { entity: 'quota', version: '1', service: 'footfall' },
      attributes: {
        id: { type: 'string', required: true, readOnly: true },
        views: { type: 'number' },
        created: { type: 'number' },
        ...slotAttributes,
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

export type QuotaItem = EntityItem<ReturnType<typeof quotaEntity>>;

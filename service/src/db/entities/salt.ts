import { Entity, type EntityConfiguration, type EntityItem } from 'electrodb';
import { visitsTable } from '../table.js';

/**
 * One UTC day's secret salt for visitor hashes: random, created race-free by the first function
 * instance that needs it (the day before, ahead of time), erased from its item by the first
 * request of the day after next, and deleted by DynamoDB's TTL. It lives in the visits table,
 * which has no backups: once it is gone, that day's hashes cannot be recomputed from anything.
 */
export function saltEntity(config: EntityConfiguration = {}) {
  return new Entity(
    {
      model: { entity: 'salt', version: '1', service: 'footfall' },
      attributes: {
        day: { type: 'string', required: true, readOnly: true },
        /** At least 16 random bytes, base64; removed 48 hours after the day began. */
        value: { type: 'string' },
        /** Epoch seconds; DynamoDB deletes the item after it. */
        expiresAt: { type: 'number', field: visitsTable.timeToLiveAttribute },
      },
      indexes: {
        byDay: {
          pk: { field: visitsTable.partitionKey, composite: ['day'], casing: 'none' },
          sk: { field: visitsTable.sortKey, composite: [], casing: 'none' },
        },
      },
    },
    config,
  );
}

export type SaltItem = EntityItem<ReturnType<typeof saltEntity>>;

import { Entity, type EntityConfiguration, type EntityItem } from 'electrodb';
import { table } from './table.js';

/**
 * One UTC day's secret salt for visitor hashes: random, created by the first request of the day
 * that needs it, and deleted by DynamoDB's TTL 48 hours after the day began. Once it is gone,
 * that day's visitor hashes cannot be recomputed from anything.
 */
export function saltEntity(config: EntityConfiguration = {}) {
  return new Entity(
    {
      model: { entity: 'salt', version: '1', service: 'footfall' },
      attributes: {
        day: { type: 'string', required: true, readOnly: true },
        /** At least 16 random bytes, base64. */
        value: { type: 'string' },
        /** Epoch seconds; DynamoDB deletes the item after it. */
        expiresAt: { type: 'number', field: table.timeToLiveAttribute },
      },
      indexes: {
        byDay: {
          pk: { field: table.partitionKey, composite: ['day'], casing: 'none' },
          sk: { field: table.sortKey, composite: [], casing: 'none' },
        },
      },
    },
    config,
  );
}

export type SaltItem = EntityItem<ReturnType<typeof saltEntity>>;

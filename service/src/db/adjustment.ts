import { Entity, type EntityConfiguration, type EntityItem } from 'electrodb';
import { table } from './table.js';

/** What an adjustment did to a page's counter. */
export const adjustmentActions = ['set', 'import-seed', 'import'] as const;
export type AdjustmentAction = (typeof adjustmentActions)[number];

/**
 * One change an owner made to a page's counts by hand (`npm run admin`): when, who (the IAM
 * identity in AWS, the OS user locally), the counts before and after, and why. Kept in the
 * page's partition beside its counter and days, so a page's history is one query. Written by
 * the admin CLI only: the Lambda never reads or writes it.
 */
export function adjustmentEntity(config: EntityConfiguration = {}) {
  return new Entity(
    {
      model: { entity: 'adjustment', version: '1', service: 'footfall' },
      attributes: {
        page: { type: 'string', required: true, readOnly: true },
        /** ISO 8601, UTC, milliseconds: the order of a page's adjustments. */
        at: { type: 'string', required: true, readOnly: true },
        /** Random, so two adjustments in the same millisecond are both kept. */
        id: { type: 'string', required: true, readOnly: true },
        action: { type: adjustmentActions, required: true },
        who: { type: 'string', required: true },
        note: { type: 'string', required: true },
        fromViews: { type: 'number', required: true },
        toViews: { type: 'number', required: true },
        fromVisitors: { type: 'number', required: true },
        toVisitors: { type: 'number', required: true },
        /** Where imported counts came from (`import-seed`, `import`). */
        source: { type: 'string' },
      },
      indexes: {
        byPage: {
          pk: { field: table.partitionKey, composite: ['page'], casing: 'none' },
          sk: { field: table.sortKey, composite: ['at', 'id'], casing: 'none' },
        },
      },
    },
    config,
  );
}

export type AdjustmentItem = EntityItem<ReturnType<typeof adjustmentEntity>>;

import { Entity, type EntityConfiguration, type EntityItem } from 'electrodb';
import { table } from '../table.js';

/**
 * What an adjustment did: to a page's counter (`set`, `import-seed`, `import`), to one of its
 * days or one of a site's days (`set-day`, naming the `day`), or the page taken away with its
 * days (`remove`, `to` all zeros).
 */
export const adjustmentActions = ['set', 'import-seed', 'import', 'set-day', 'remove'] as const;
export type AdjustmentAction = (typeof adjustmentActions)[number];

/**
 * One change an owner made to a page's counts (or a site's days) by hand (`npm run admin`):
 * when, who (the IAM identity in AWS, the OS user locally), the counts before and after, and
 * why. Kept in the page's partition beside its counter and days (a site's under its totals key,
 * beside the site's days), so a page's history is one query; it outlives a removed page.
 * Written by the admin CLI only: the Lambda never reads or writes it.
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
        /** The UTC day (`YYYY-MM-DD`) a `set-day` corrected; absent for the all-time counter. */
        day: { type: 'string' },
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

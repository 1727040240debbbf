import { Entity, type EntityConfiguration, type EntityItem } from 'electrodb';
import { table } from '../table.js';

/**
 * A site's own record: how many page counters it holds (`pages`), counted when a visit creates
 * one, so `MAX_PAGES_PER_SITE` can be held without reading them. Keyed by the site's totals key
 * (`scope.ts`); it carries no index keys, so it never shows in a listing of pages.
 */
export function siteEntity(config: EntityConfiguration = {}) {
  return new Entity(
    {
      model: { entity: 'site', version: '1', service: 'footfall' },
      attributes: {
        site: { type: 'string', required: true, readOnly: true },
        pages: { type: 'number' },
      },
      indexes: {
        bySite: {
          pk: { field: table.partitionKey, composite: ['site'], casing: 'none' },
          sk: { field: table.sortKey, composite: [], casing: 'none' },
        },
      },
    },
    config,
  );
}

export type SiteItem = EntityItem<ReturnType<typeof siteEntity>>;

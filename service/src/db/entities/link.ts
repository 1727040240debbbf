import { Entity, type EntityConfiguration, type EntityItem } from 'electrodb';
import { table } from '../table.js';

/** Characters of a link's note (who it was sent to, why). */
export const MAX_NOTE_LENGTH = 200;
/** Sources, and countries, one link's day keeps by name; opens from more count without one. */
export const MAX_NAMES_PER_LINK_DAY = 20;

/**
 * One application link (ADR 14): the page `/r/SLUG` sends a person to, and the owner's note.
 * Only the admin CLI writes it; the function reads it. Every link is in one partition, so
 * `link list` is one query; nothing a visitor sends can add one.
 */
export function linkEntity(config: EntityConfiguration = {}) {
  return new Entity(
    {
      model: { entity: 'link', version: '1', service: 'footfall' },
      attributes: {
        slug: { type: 'string', required: true, readOnly: true },
        /** The page it opens, as the API names it (`/`, `/projects/`), on the resume's site. */
        page: { type: 'string', required: true },
        note: { type: 'string' },
        /** ISO time the owner made it. */
        createdAt: { type: 'string', required: true, readOnly: true },
      },
      indexes: {
        bySlug: {
          pk: { field: table.partitionKey, composite: [], casing: 'none' },
          sk: { field: table.sortKey, composite: ['slug'], casing: 'none' },
        },
      },
    },
    config,
  );
}

/**
 * One link's UTC day: the opens (people's counted visits that came with `?via=SLUG`), the
 * visitors among them (once each a day), the link previews fetched at `/r/SLUG`, the first and
 * last open's time, and the sources and countries of its opens (at most
 * `MAX_NAMES_PER_LINK_DAY` of each). Written by one `ADD` per open or preview: bounded in size
 * whatever a client sends. Kept with the counts, so a link's history is one query.
 */
export function linkDayEntity(config: EntityConfiguration = {}) {
  return new Entity(
    {
      model: { entity: 'linkDay', version: '1', service: 'footfall' },
      attributes: {
        slug: { type: 'string', required: true, readOnly: true },
        /** `YYYY-MM-DD`, UTC. */
        day: { type: 'string', required: true, readOnly: true },
        opens: { type: 'number' },
        visitors: { type: 'number' },
        previews: { type: 'number' },
        /** ISO times of the day's first and last open. */
        firstOpen: { type: 'string' },
        lastOpen: { type: 'string' },
        sources: { type: 'set', items: 'string' },
        countries: { type: 'set', items: 'string' },
      },
      indexes: {
        bySlug: {
          pk: { field: table.partitionKey, composite: ['slug'], casing: 'none' },
          sk: { field: table.sortKey, composite: ['day'], casing: 'none' },
        },
      },
    },
    config,
  );
}

export type LinkEntity = ReturnType<typeof linkEntity>;
export type LinkItem = EntityItem<LinkEntity>;
export type LinkDayEntity = ReturnType<typeof linkDayEntity>;
export type LinkDayItem = EntityItem<LinkDayEntity>;

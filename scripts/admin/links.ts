import type { LinkDayItem, LinkItem } from '../../service/src/db/entities/link.js';
import type { AdminDatabase } from './database.js';

/** A link with what its days add up to. */
export interface LinkReport {
  readonly slug: string;
  readonly page: string;
  readonly note: string | undefined;
  readonly createdAt: string;
  readonly opens: number;
  readonly visitors: number;
  readonly previews: number;
  readonly firstOpen: string | undefined;
  readonly lastOpen: string | undefined;
  /** Its days with an open or a preview, oldest first. */
  readonly days: readonly {
    readonly date: string;
    readonly opens: number;
    readonly visitors: number;
    readonly previews: number;
    readonly sources: readonly string[];
    readonly countries: readonly string[];
  }[];
}

export async function readLink(database: AdminDatabase, slug: string) {
  const { data } = await database.entities.link.get({ slug }).go({ consistent: true });
  return data ?? undefined;
}

export async function addLink(
  database: AdminDatabase,
  link: { slug: string; page: string; note?: string | undefined; createdAt: string },
): Promise<boolean> {
  try {
    await database.entities.link
      .create({
        slug: link.slug,
        page: link.page,
        createdAt: link.createdAt,
        ...(link.note === undefined ? {} : { note: link.note }),
      })
      .go();
    return true;
  } catch (error) {
    if (/conditional request failed/i.test(String((error as Error).message))) return false;
    throw error;
  }
}

async function daysOf(database: AdminDatabase, slug: string): Promise<LinkDayItem[]> {
  const { data } = await database.entities.linkDay.query
    .bySlug({ slug })
    .go({ pages: 'all', consistent: true });
  return data;
}

function reportOf(link: LinkItem, days: LinkDayItem[]): LinkReport {
  const sum = (key: 'opens' | 'visitors' | 'previews') =>
    days.reduce((total, day) => total + (day[key] ?? 0), 0);
  const opened = days.filter((day) => day.firstOpen !== undefined);
  return {
    slug: link.slug,
    page: link.page,
    note: link.note,
    createdAt: link.createdAt,
    opens: sum('opens'),
    visitors: sum('visitors'),
    previews: sum('previews'),
    firstOpen: opened[0]?.firstOpen,
    lastOpen: opened.at(-1)?.lastOpen,
    days: days.map((day) => ({
      date: day.day,
      opens: day.opens ?? 0,
      visitors: day.visitors ?? 0,
      previews: day.previews ?? 0,
      sources: [...(day.sources ?? [])].sort(),
      countries: [...(day.countries ?? [])].sort(),
    })),
  };
}

export async function showLink(database: AdminDatabase, slug: string) {
  const link = await readLink(database, slug);
  return link && reportOf(link, await daysOf(database, slug));
}

/** Every link, by slug, with its totals. */
export async function listLinks(database: AdminDatabase): Promise<LinkReport[]> {
  const { data } = await database.entities.link.query.bySlug({}).go({ pages: 'all' });
  const reports: LinkReport[] = [];
  for (const link of data) reports.push(reportOf(link, await daysOf(database, link.slug)));
  return reports;
}

/** Takes a link away with its days: `/r/SLUG` then leads to `/`, and `?via=SLUG` is ignored. */
export async function removeLink(database: AdminDatabase, slug: string): Promise<number> {
  const days = await daysOf(database, slug);
  for (const day of days) await database.entities.linkDay.delete({ slug, day: day.day }).go();
  await database.entities.link.delete({ slug }).go();
  return days.length;
}

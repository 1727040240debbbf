import { MAX_NOTE_LENGTH } from '../../../service/src/db/entities/link.js';
import { SLUG_PATTERN } from '../../../service/src/domain/links.js';
import { validatePage } from '../../../service/src/domain/page.js';
import { text } from '../arguments.js';
import { AdminError, UsageError } from '../errors.js';
import { addLink, type LinkReport, listLinks, removeLink, showLink } from '../links.js';
import { days, n, table } from '../render.js';
import { type Command, type Context, confirm, jsonHelp, writeHelp } from './command.js';

const SUBCOMMANDS = ['add', 'list', 'show', 'remove'] as const;

function slugArgument(raw: string | undefined): string {
  if (raw === undefined) throw new UsageError('SLUG is required');
  if (!SLUG_PATTERN.test(raw)) {
    throw new UsageError(
      `${JSON.stringify(raw)} is not a slug: 1 to 40 of a-z, 0-9 and - (acme-backend)`,
    );
  }
  return raw;
}

/** `SITE/r/SLUG`: what the owner sends. */
function urlOf(context: Context, siteUrl: string | undefined, slug: string): string | undefined {
  const site = text(context.values, 'site-url') ?? siteUrl;
  if (site === undefined) return undefined;
  let base: URL;
  try {
    base = new URL(site);
  } catch {
    throw new UsageError(
      `--site-url must be an address like https://resume.example.com, not ${site}`,
    );
  }
  return new URL(`/r/${slug}`, base.origin).toString();
}

const when = (iso: string | undefined) => (iso ? iso.replace('T', ' ').slice(0, 16) : '-');

/** `npm run admin -- link`: private application links (ADR 14). */
export const linkCommand: Command = {
  usage:
    'link (add SLUG [--note TEXT] [--page PAGE] | list | show SLUG | remove SLUG) [--json] [--yes]',
  summary: 'private application links: add one per application, see who opened it',
  details: `  add SLUG           a new link (SLUG: 1 to 40 of a-z, 0-9, -); prints the address to send
    --note TEXT      who it went to, why (at most ${MAX_NOTE_LENGTH} characters; only you see it)
    --page PAGE      the page it opens (default /)
    --site-url URL   the resume's address for the printed link (default: the stack's, or the
                     dev server's)
  list               every link with its opens, visitors and previews
  show SLUG          one link, day by day, with its sources and countries
  remove SLUG        deletes the link and its days: /r/SLUG then leads to /
${jsonHelp}
${writeHelp}

A link is counted when a person opens the page through it (opens; visitors once a day each),
and when a chat app or mail scanner fetches it to show a preview (previews). No public route,
page or badge shows a slug, a note or a link's counts.`,
  options: {
    note: { type: 'string' },
    page: { type: 'string' },
    'site-url': { type: 'string' },
    json: { type: 'boolean' },
    yes: { type: 'boolean' },
  },
  positionals: 2,
  run: async (context) => {
    const [sub, rawSlug] = context.positionals;
    if (sub === undefined || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
      throw new UsageError(`say what to do: ${SUBCOMMANDS.join(', ')}`);
    }
    if (sub === 'list') {
      if (rawSlug !== undefined) throw new UsageError('list takes no SLUG');
      return list(context);
    }
    const slug = slugArgument(rawSlug);
    if (sub === 'add') return add(context, slug);
    if (sub === 'show') return show(context, slug);
    return remove(context, slug);
  },
};

async function add(context: Context, slug: string) {
  const note = text(context.values, 'note');
  if (note !== undefined && note.length > MAX_NOTE_LENGTH) {
    throw new UsageError(`--note must be at most ${MAX_NOTE_LENGTH} characters`);
  }
  const page = text(context.values, 'page') ?? '/';
  const valid = validatePage(page);
  if (!valid.ok) throw new UsageError(`--page: ${valid.message}`);
  const target = await context.target();
  const url = urlOf(context, target.siteUrl, slug);
  confirm(context, target, `Would add link ${slug} to ${valid.page} on ${target.label}.`);
  const added = await addLink(target.database, {
    slug,
    page: valid.page,
    note,
    createdAt: context.io.now().toISOString(),
  });
  if (!added) {
    throw new AdminError(`there is already a link ${slug}: pick another slug, or remove it first`);
  }
  context.io.stdout(
    `Added link ${slug} to ${valid.page}${note ? ` (${note})` : ''}.\n` +
      (url
        ? `Send this address: ${url}\n`
        : `Send SITE/r/${slug}, SITE being your resume's address (--site-url prints it whole).\n`),
  );
}

async function list(context: Context) {
  const target = await context.target();
  const links = await listLinks(target.database);
  if (context.values.json) return context.io.stdout(`${JSON.stringify(links, null, 2)}\n`);
  if (links.length === 0) {
    return context.io.stdout(`No links on ${target.label}: npm run admin -- link add SLUG\n`);
  }
  context.io.stdout(
    `${table(
      ['SLUG', 'PAGE', 'OPENS', 'VISITORS', 'PREVIEWS', 'LAST OPEN', 'NOTE'],
      links.map((l) => [
        l.slug,
        l.page,
        l.opens,
        l.visitors,
        l.previews,
        when(l.lastOpen),
        l.note ?? '',
      ]),
    )}\n`,
  );
}

async function show(context: Context, slug: string) {
  const target = await context.target();
  const report: LinkReport | undefined = await showLink(target.database, slug);
  if (report === undefined) throw new AdminError(`there is no link ${slug} on ${target.label}`);
  if (context.values.json) return context.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  context.io.stdout(
    `${slug} → ${report.page}${report.note ? ` (${report.note})` : ''}, made ${when(report.createdAt)}\n` +
      `${n(report.opens)} opens, ${n(report.visitors)} visitors, ${n(report.previews)} previews; ` +
      `first open ${when(report.firstOpen)}, last ${when(report.lastOpen)} (UTC)\n\n` +
      (report.days.length === 0
        ? 'Not opened yet.\n'
        : `${table(
            ['DAY', 'OPENS', 'VISITORS', 'PREVIEWS', 'SOURCES', 'COUNTRIES'],
            report.days.map((d) => [
              d.date,
              d.opens,
              d.visitors,
              d.previews,
              d.sources.join(' ') || '-',
              d.countries.join(' ') || '-',
            ]),
          )}\n`),
  );
}

async function remove(context: Context, slug: string) {
  const target = await context.target();
  const report = await showLink(target.database, slug);
  if (report === undefined) throw new AdminError(`there is no link ${slug} on ${target.label}`);
  confirm(
    context,
    target,
    `Would remove link ${slug} from ${target.label}, with ${days(report.days.length)} of its counts (${n(report.opens)} opens).`,
  );
  const removed = await removeLink(target.database, slug);
  context.io.stdout(`Removed link ${slug} and ${days(removed)}: /r/${slug} now leads to /.\n`);
}

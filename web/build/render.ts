import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Education, Location, Project, Resume, Volunteer, Work } from './resume.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The built files the page links to (paths from the site root, with content hashes). */
export interface PageAssets {
  readonly stylesheet: string;
  readonly script: string;
  /** Set to embed the counter against an API on another origin. */
  readonly apiBase?: string | undefined;
}

/**
 * The resume as one static, semantic page. Every string from resume.json goes through Hono's
 * `html` template, which escapes it: a field holding `<script>` shows as text.
 */
export function renderPage(resume: Resume, assets: PageAssets): string {
  const { basics } = resume;
  const title = basics.label ? `${basics.name} — ${basics.label}` : basics.name;
  const page = html`<!doctype html>
<html lang="en">
${head(
  title,
  assets,
  html`${basics.summary ? html`<meta name="description" content="${firstSentence(basics.summary)}">` : ''}
${assets.apiBase ? html`<meta name="footfall-api" content="${assets.apiBase}">` : ''}`,
)}
<body>
<a class="skip-link" href="#content">Skip to content</a>
<div class="page">
<header class="masthead">
<h1>${basics.name}</h1>
${basics.label ? html`<p class="label">${basics.label}</p>` : ''}
${contact(resume)}
<p class="visits" aria-live="polite" aria-atomic="true"><span id="visitor-count-label" title="People who visited, counted once a day each">Visitors</span>: <span id="visitor-count" data-state="loading">…</span></p>
</header>
<main id="content">
${section('about', 'About', basics.summary ? html`<p>${basics.summary}</p>` : undefined)}
${section('experience', 'Experience', resume.work?.map(work))}
${section('projects', 'Projects', resume.projects?.map(project))}
${section(
  'skills',
  'Skills',
  resume.skills?.map((skill) =>
    entry({ heading: skill.name, meta: [skill.level], extra: keywords(skill.keywords) }),
  ),
)}
${section('education', 'Education', resume.education?.map(education))}
${section(
  'certificates',
  'Certificates',
  resume.certificates?.map((c) =>
    entry({ heading: link(c.name, c.url), meta: [c.issuer, date(c.date)] }),
  ),
)}
${section(
  'awards',
  'Awards',
  resume.awards?.map((a) =>
    entry({ heading: a.title, meta: [a.awarder, date(a.date)], summary: a.summary }),
  ),
)}
${section(
  'publications',
  'Publications',
  resume.publications?.map((p) =>
    entry({
      heading: link(p.name, p.url),
      meta: [p.publisher, date(p.releaseDate)],
      summary: p.summary,
    }),
  ),
)}
${section('volunteer', 'Volunteering', resume.volunteer?.map(volunteer))}
${section(
  'languages',
  'Languages',
  resume.languages?.map((l) => entry({ heading: l.language, meta: [l.fluency] })),
)}
${section(
  'interests',
  'Interests',
  resume.interests?.map((i) => entry({ heading: i.name, extra: keywords(i.keywords) })),
)}
${section(
  'references',
  'References',
  resume.references?.map(
    (r) =>
      html`<figure class="entry"><blockquote><p>${r.reference}</p></blockquote><figcaption>${r.name}</figcaption></figure>`,
  ),
)}
</main>
</div>
<footer class="site-footer">
<p>Visits counted by footfall, without cookies.</p>
</footer>
</body>
</html>
`;
  return `${page}`.replaceAll(/\n{2,}/g, '\n');
}

/** A page's `<head>`: both pages share it, with `extra` meta tags of their own. */
function head(title: string, assets: PageAssets, extra: Html): Html {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${extra}
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assets.stylesheet}">
<script defer src="${assets.script}"></script>
</head>`;
}

function contact({ basics }: Resume): Html | '' {
  const items = [
    basics.email ? html`<li><a href="mailto:${basics.email}">${basics.email}</a></li>` : undefined,
    basics.phone
      ? html`<li><a href="tel:${basics.phone.replaceAll(/[^+\d]/g, '')}">${basics.phone}</a></li>`
      : undefined,
    basics.url ? html`<li><a href="${basics.url}">${displayUrl(basics.url)}</a></li>` : undefined,
    place(basics.location) ? html`<li>${place(basics.location)}</li>` : undefined,
    ...(basics.profiles ?? []).map((p) =>
      p.url ? html`<li><a href="${p.url}">${p.network ?? displayUrl(p.url)}</a></li>` : undefined,
    ),
  ].filter((item) => item !== undefined);
  return items.length ? html`<ul class="contact">${items}</ul>` : '';
}

/** A titled section, or nothing at all when it has no content (no empty headings). */
function section(id: string, title: string, content: Html | Html[] | undefined): Html | '' {
  if (content === undefined || (Array.isArray(content) && content.length === 0)) return '';
  return html`<section aria-labelledby="${id}-heading"><h2 id="${id}-heading">${title}</h2>${content}</section>`;
}

interface Entry {
  readonly heading: Html | string | undefined;
  /** Short facts under the heading (dates, places), joined with middots; empty ones dropped. */
  readonly meta?: (string | undefined)[];
  readonly summary?: string | undefined;
  readonly highlights?: string[] | undefined;
  /** Anything after the highlights (a keyword list). */
  readonly extra?: Html | '';
}

function entry({ heading, meta = [], summary, highlights, extra }: Entry): Html {
  const details = meta.filter((part): part is string => Boolean(part));
  return html`<article class="entry">
${heading ? html`<h3>${heading}</h3>` : ''}
${details.length ? html`<p class="entry-meta">${details.join(' · ')}</p>` : ''}
${summary ? html`<p>${summary}</p>` : ''}
${highlights?.length ? html`<ul class="highlights">${highlights.map((h) => html`<li>${h}</li>`)}</ul>` : ''}
${extra ?? ''}
</article>`;
}

const work = (w: Work) =>
  entry({
    heading: html`${w.position ?? ''}${w.position && w.name ? ', ' : ''}${link(w.name, w.url)}`,
    meta: [period(w), w.location],
    summary: w.summary ?? w.description,
    highlights: w.highlights,
  });

const volunteer = (v: Volunteer) =>
  entry({
    heading: html`${v.position ?? ''}${v.position && v.organization ? ', ' : ''}${link(v.organization, v.url)}`,
    meta: [period(v)],
    summary: v.summary,
    highlights: v.highlights,
  });

const project = (p: Project) =>
  entry({
    heading: link(p.name, p.url),
    meta: [period(p), p.roles?.join(', '), p.entity],
    summary: p.description,
    highlights: p.highlights,
    extra: keywords(p.keywords),
  });

const education = (e: Education) =>
  entry({
    heading: link(e.institution, e.url),
    meta: [
      [e.studyType, e.area].filter(Boolean).join(', ') || undefined,
      period(e),
      e.score ? `Score: ${e.score}` : undefined,
    ],
    highlights: e.courses,
  });

function keywords(list: string[] | undefined): Html | '' {
  return list?.length
    ? html`<ul class="keywords">${list.map((k) => html`<li>${k}</li>`)}</ul>`
    : '';
}

function link(text: string | undefined, url: string | undefined): Html | string {
  if (!url) return text ?? '';
  return html`<a href="${url}">${text ?? displayUrl(url)}</a>`;
}

const MONTH = new Intl.DateTimeFormat('en', { month: 'short', year: 'numeric', timeZone: 'UTC' });

/** `2023-03` → `Mar 2023`; a bare year stays a year. */
export function date(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const [year, month] = value.split('-');
  if (!month) return year;
  return MONTH.format(Date.UTC(Number(year), Number(month) - 1, 1));
}

function period({
  startDate,
  endDate,
}: {
  startDate?: string;
  endDate?: string;
}): string | undefined {
  if (!startDate) return date(endDate);
  return `${date(startDate)} – ${endDate ? date(endDate) : 'present'}`;
}

function place(location: Location | undefined): string | undefined {
  if (!location) return undefined;
  const parts = [location.city, location.region, location.countryCode].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

const displayUrl = (url: string) => url.replace(/^https?:\/\//, '').replace(/\/$/, '');

function firstSentence(text: string): string {
  const match = text.match(/^.*?[.!?](\s|$)/);
  return (match ? match[0] : text).trim().slice(0, 200);
}

/**
 * A section for one of the site's breakdowns (sources, countries): hidden until the script has
 * the API's numbers for it, so an API without them shows nothing. A row's bar is drawn by the
 * script; "None yet" stands in for a table with no rows.
 */
function breakdownSection(id: string, heading: string, column: string, caption: string): Html {
  return html`<section id="${id}" aria-labelledby="${id}-heading" hidden>
<h2 id="${id}-heading">${heading}</h2>
<table class="breakdown">
<caption class="visually-hidden">${caption}</caption>
<thead><tr><th scope="col">${column}</th><th scope="col">Visitors</th><th scope="col">Views</th></tr></thead>
<tbody></tbody>
</table>
<p class="none">None yet.</p>
</section>`;
}

/** The periods the stats page offers, in days; the first API default is 30. */
export const STATS_PERIODS = [7, 30, 90, 365] as const;

/**
 * The public, read-only stats page (`/stats/`): its script draws the chart and fills the tables
 * from the API's JSON. The numbers are also a table under the chart: the chart's text
 * alternative.
 */
export function renderStatsPage(resume: Resume, assets: PageAssets): string {
  const name = resume.basics.name;
  const page = html`<!doctype html>
<html lang="en">
${head(`Visitors · ${name}`, assets, html`<meta name="robots" content="noindex">`)}
<body>
<a class="skip-link" href="#content">Skip to content</a>
<div class="page stats">
<header class="masthead">
<h1>Visitors</h1>
<p class="label">of <a href="/">${name}</a>’s site</p>
<nav aria-label="Period"><ul class="periods">${STATS_PERIODS.map(
    (days) => html`<li><a href="?days=${days}" data-days="${days}">${days} days</a></li>`,
  )}</ul></nav>
</header>
<main id="content" aria-busy="true">
<section aria-labelledby="site-heading">
<h2 id="site-heading">The whole site, <span id="period">last 30 days</span></h2>
<p id="summary" class="summary" aria-live="polite">Loading…</p>
<figure class="chart-figure">
<div id="chart" class="chart"></div>
<figcaption class="legend"><span class="key key-visitors">Visitors</span> <span class="key key-views">Views</span> per day (UTC). The same numbers are in the table below.</figcaption>
</figure>
<details>
<summary>The numbers, day by day</summary>
<table id="days">
<caption class="visually-hidden">Visitors, views and bots per day</caption>
<thead><tr><th scope="col">Day</th><th scope="col">Visitors</th><th scope="col">Views</th><th scope="col">Bots</th></tr></thead>
<tbody></tbody>
</table>
</details>
</section>
<section aria-labelledby="pages-heading">
<h2 id="pages-heading">Pages</h2>
<table id="pages">
<thead><tr><th scope="col">Page</th><th scope="col">Visitors</th><th scope="col">Views</th><th scope="col"><span class="visually-hidden">Views per day, </span>Trend</th></tr></thead>
<tbody></tbody>
</table>
</section>
${breakdownSection('sources', 'Where visitors came from', 'Source', 'Visitors and views by where they came from, most views first, Other last')}
${breakdownSection('countries', 'Countries', 'Country', 'Visitors and views by country, most views first, Other last')}
</main>
</div>
<footer class="site-footer">
<p>Counted by footfall, without cookies. Bots are counted apart and never as visitors.</p>
</footer>
</body>
</html>
`;
  return `${page}`.replaceAll(/\n{2,}/g, '\n');
}

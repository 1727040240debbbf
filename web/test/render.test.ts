import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { escaped, fixtureResume } from '../../test/support/fixture-site.js';
import { date, renderPage, renderStatsPage } from '../build/render.js';
import { checkResume, loadResume, type Resume, ResumeError } from '../build/resume.js';

const assets = { stylesheet: '/assets/site.HASH.css', script: '/assets/widget.HASH.js' };
const minimal: Resume = { basics: { name: 'Ada Lovelace' } };

/** Tag names in document order: enough to check structure without a DOM. */
const tags = (page: string, name: string) =>
  [...page.matchAll(new RegExp(`<${name}[\\s>]`, 'g'))].length;
const headings = (page: string) => [...page.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));

/** Every string a resume holds, wherever it is. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** The page's outline: landmarks once each, one h1 first, and no level skipped going down. */
function expectOutline(page: string) {
  expect(page.startsWith('<!doctype html>')).toBe(true);
  expect(page).toContain('<html lang="en">');
  for (const landmark of ['header', 'main', 'footer']) expect(tags(page, landmark)).toBe(1);
  const levels = headings(page);
  expect(levels.filter((level) => level === 1)).toHaveLength(1);
  expect(levels[0]).toBe(1);
  // Never skips a level going down (h1 → h3 would).
  for (let i = 1; i < levels.length; i++)
    expect((levels[i] ?? 0) - (levels[i - 1] ?? 0)).toBeLessThanOrEqual(1);
  expect(page).toContain('id="visitor-count"');
  expect(page).toContain('<link rel="stylesheet" href="/assets/site.HASH.css">');
  expect(page).toContain('<script defer src="/assets/widget.HASH.js"></script>');
}

/** The sections of a resume and the ids of their headings on the page. */
const SECTIONS = {
  work: 'experience',
  projects: 'projects',
  skills: 'skills',
  education: 'education',
  certificates: 'certificates',
  awards: 'awards',
  publications: 'publications',
  volunteer: 'volunteer',
  languages: 'languages',
  interests: 'interests',
  references: 'references',
} as const;

describe('renderPage', () => {
  test('a resume with every section, unicode and markup-like text renders every section, as text', async () => {
    const resume = await fixtureResume();
    const page = renderPage(resume, assets);
    expectOutline(page);
    // Every section of the fixture has its heading, in the page's order.
    const ids = Object.values(SECTIONS).map((id) => page.indexOf(`<h2 id="${id}-heading">`));
    expect(ids.every((at) => at > 0)).toBe(true);
    expect(page.indexOf('<h2 id="about-heading">')).toBeGreaterThan(0);
    // Unicode arrives as it was written (the page is UTF-8), markup-like text as text.
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain(`<h1>${escaped(resume.basics.name)}</h1>`);
    expect(page).toContain(
      `<title>${escaped(`${resume.basics.name} — ${resume.basics.label}`)}</title>`,
    );
    expect(page).toContain('日本語');
    const markupLike = strings(resume).filter((text) => /[<>&"']/.test(text));
    expect(markupLike.length).toBeGreaterThan(5);
    for (const text of markupLike.filter((t) => !/^https?:/.test(t))) {
      expect(page, text).toContain(escaped(text));
    }
    // Nothing it holds became an element: one script (the widget), one h1, no img, b or i.
    expect(tags(page, 'script')).toBe(1);
    expect(tags(page, 'h1')).toBe(1);
    expect(page).not.toMatch(/<img|<b>|<i>|<unknown>/);
  });

  test('the stats page names the resume’s person, escaped', async () => {
    const resume = await fixtureResume();
    const page = renderStatsPage(resume, assets);
    expect(page).toContain(`<title>Visitors · ${escaped(resume.basics.name)}</title>`);
    expect(page).toContain(`of <a href="/">${escaped(resume.basics.name)}</a>’s site`);
    expect(page).not.toContain('<Fixture>');
  });

  test('the stats page holds the sources and countries sections hidden, for its script to fill', () => {
    const page = renderStatsPage(minimal, assets);
    for (const [id, heading, column] of [
      ['sources', 'Where visitors came from', 'Source'],
      ['countries', 'Countries', 'Country'],
    ] as const) {
      const section = page.match(new RegExp(`<section id="${id}"[^>]*>[\\s\\S]*?</section>`))?.[0];
      expect(section).toBeDefined();
      expect(section).toMatch(
        new RegExp(`^<section id="${id}" aria-labelledby="${id}-heading" hidden>`),
      );
      expect(section).toContain(`<h2 id="${id}-heading">${heading}</h2>`);
      expect(section).toContain(
        `<th scope="col">${column}</th><th scope="col">Visitors</th><th scope="col">Views</th>`,
      );
      expect(section).toContain('<caption');
      expect(section).toContain('None yet.');
    }
  });

  test('every string from resume.json is escaped', () => {
    const hostile: Resume = {
      basics: {
        name: '<script>alert("name")</script>',
        label: '"><img src=x onerror=alert(1)>',
        summary: "Tom & Jerry's <b>bold</b>",
        profiles: [{ network: '<i>net</i>', url: 'https://example.com/?a=1&b="2"' }],
      },
      work: [{ name: '<script>', position: '</h3><h1>', highlights: ['<li>sneaky</li>'] }],
      skills: [{ name: 'x', keywords: ['<svg onload=alert(1)>'] }],
    };
    const page = renderPage(hostile, assets);
    expect(page).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;');
    expect(page).toContain('Tom &amp; Jerry&#39;s &lt;b&gt;bold&lt;/b&gt;');
    expect(page).toContain('href="https://example.com/?a=1&amp;b=&quot;2&quot;"');
    expect(page).not.toMatch(/<script>|<img|<svg|<b>|<i>|<h1><\/h3>/);
    expect(tags(page, 'script')).toBe(1); // only the widget
    expect(tags(page, 'h1')).toBe(1);
  });

  test('missing optional sections leave no empty heading or list', () => {
    const page = renderPage(minimal, assets);
    expect(page).toContain('<h1>Ada Lovelace</h1>');
    expect(tags(page, 'h2')).toBe(0);
    expect(tags(page, 'section')).toBe(0);
    expect(page).not.toContain('class="contact"');
    expect(page).not.toContain('name="description"');
    expect(page).toContain('<title>Ada Lovelace</title>');
  });

  test('a section appears only with entries, and each entry only with its parts', () => {
    const page = renderPage(
      { basics: { name: 'A' }, work: [], education: [{ institution: 'Uni' }] },
      assets,
    );
    expect(page).not.toContain('Experience');
    expect(page).toContain('<h2 id="education-heading">Education</h2>');
    expect(page).toContain('<h3>Uni</h3>');
    expect(page).not.toContain('entry-meta');
  });

  test('an API on another origin is named in a meta tag for the widget', () => {
    const page = renderPage(minimal, { ...assets, apiBase: 'https://counter.example.com' });
    expect(page).toContain('<meta name="footfall-api" content="https://counter.example.com">');
    expect(renderPage(minimal, assets)).not.toContain('footfall-api');
  });

  test('dates read as people write them', () => {
    expect(date('2023-03')).toBe('Mar 2023');
    expect(date('2023-03-15')).toBe('Mar 2023');
    expect(date('2019')).toBe('2019');
    expect(date(undefined)).toBeUndefined();
  });
});

describe('checkResume', () => {
  test('web/resume.json, whoever it names, is a valid resume (JSON Resume and footfall’s rules)', async () => {
    // Its content is the owner's: validated, never read for its words.
    const owners = fileURLToPath(new URL('../resume.json', import.meta.url));
    await expect(loadResume(owners)).resolves.toMatchObject({
      basics: { name: expect.any(String) },
    });
  });

  test('the tests’ fixture resume is valid too', async () => {
    await expect(fixtureResume()).resolves.toMatchObject({ basics: { name: expect.any(String) } });
  });

  test.each([
    [{ basics: { name: 'A', email: 'not-an-email' } }, 'basics.email'],
    [{ basics: { name: 'A' }, work: [{ startDate: 'March 2020' }] }, 'work[0].startDate'],
    [{ basics: { name: 'A' }, skills: [{ keywords: 'aws' }] }, 'skills[0].keywords'],
    [
      { basics: { name: 'A', profiles: [{ url: 'javascript:alert(1)' }] } },
      'basics.profiles[0].url',
    ],
    [{ basics: { name: 'A', url: 'ftp://files.example.com' } }, 'basics.url'],
    [{ basics: {} }, 'basics.name'],
    [{ basics: { name: '   ' } }, 'basics.name'],
  ])('an invalid resume is refused, naming the field (%j)', (data, field) => {
    expect(() => checkResume(data)).toThrow(ResumeError);
    expect(() => checkResume(data)).toThrow(field);
  });

  test('a file that is not JSON is refused with its path', async () => {
    await expect(loadResume('web/src/site.css')).rejects.toThrow(/site\.css/);
  });
});

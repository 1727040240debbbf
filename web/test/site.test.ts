import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyFixtureSite } from '../../test/support/fixture-site.js';
import { embedSnippet, SITE_PLACEHOLDER, siteOrigin } from '../build/embed.js';
import { buildSite, EMBED_SCRIPT, type SiteBuild } from '../build/site.js';

let scratch: string;
let webDir: string;
let outDir: string;
let built: SiteBuild;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'footfall-site-'));
  webDir = await copyFixtureSite(join(scratch, 'fixture-web'));
  outDir = join(scratch, 'site');
  built = await buildSite({ webDir, outDir });
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const read = (path: string) => readFile(join(outDir, path));

describe('buildSite', () => {
  test('builds web/ as it stands, whoever its resume names', async () => {
    const web = fileURLToPath(new URL('..', import.meta.url));
    const own = await buildSite({ webDir: web, outDir: join(scratch, 'own') });
    expect(Object.keys(own.files)).toContain('index.html');
  });

  test('writes index.html, the stats page, content-hashed assets and the embeddable widgets, nothing else', async () => {
    expect(built.script).toMatch(/^\/assets\/widget\.[A-Z0-9]{8}\.js$/);
    expect(built.stylesheet).toMatch(/^\/assets\/site\.[A-Z0-9]{8}\.css$/);
    const statsScript = Object.keys(built.files).find((f) =>
      /^assets\/stats\.[A-Z0-9]{8}\.js$/.test(f),
    );
    expect(statsScript).toBeDefined();
    expect(Object.keys(built.files).sort()).toEqual(
      [
        'index.html',
        'stats/index.html',
        EMBED_SCRIPT,
        built.pinnedWidget.path.slice(1),
        built.script.slice(1),
        built.stylesheet.slice(1),
        statsScript,
      ].sort(),
    );
    const stats = (await read('stats/index.html')).toString();
    expect(stats).toContain(`src="/${statsScript}"`);
    expect(stats).toContain(`href="${built.stylesheet}"`);
    expect(
      (await readdir(outDir, { recursive: true })).filter((f) => f.includes('.')).sort(),
    ).toEqual(Object.keys(built.files).sort());
    expect(await read(EMBED_SCRIPT)).toEqual(await read(built.script.slice(1)));
    expect(await read(built.pinnedWidget.path.slice(1))).toEqual(await read(built.script.slice(1)));
    const page = (await read('index.html')).toString();
    expect(page).toContain(`href="${built.stylesheet}"`);
    expect(page).toContain(`src="${built.script}"`);
  });

  test('the widget is under 3 KiB minified', () => {
    const bytes = built.files[built.script.slice(1)] ?? Number.POSITIVE_INFINITY;
    console.info(`widget: ${bytes} bytes minified`);
    expect(bytes).toBeLessThan(3 * 1024);
  });

  test('a first visit transfers under 30 KiB compressed (HTML + CSS + JS)', async () => {
    const firstVisit = ['index.html', built.script.slice(1), built.stylesheet.slice(1)];
    const files = await Promise.all(firstVisit.map((file) => read(file)));
    const gzip = files.reduce((sum, file) => sum + gzipSync(file, { level: 9 }).length, 0);
    const brotli = files.reduce((sum, file) => sum + brotliCompressSync(file).length, 0);
    const raw = files.reduce((sum, file) => sum + file.length, 0);
    console.info(`first visit: ${raw} bytes raw, ${gzip} gzip, ${brotli} brotli`);
    expect(gzip).toBeLessThan(30 * 1024);
  });

  test('the page asks nothing of another origin: no external script, style, font or image', async () => {
    const page = (await read('index.html')).toString();
    const css = (await read(built.stylesheet.slice(1))).toString();
    const js = (await read(built.script.slice(1))).toString();
    // Resources the browser would fetch: src=, <link href>, CSS url() and @import.
    expect(page.match(/\bsrc="[^"]*"/g)).toEqual([`src="${built.script}"`]);
    for (const link of page.match(/<link[^>]*>/g) ?? [])
      expect(link).not.toMatch(/href="(https?:)?\/\//);
    expect(css).not.toMatch(/url\(|@import/);
    expect(js).not.toMatch(/https?:\/\//);
    // And nothing inline that a strict CSP would block, in the page's own tags: the resume's
    // `<img src=x onerror=…>` is escaped text, and attribute values are blanked out.
    const tags = (page.match(/<[^>]*>/g) ?? []).map((tag) => tag.replace(/"[^"]*"/g, '""'));
    expect(tags.length).toBeGreaterThan(20);
    expect(
      tags.filter((tag) => /^<script(?![^>]*\bsrc=)|^<style|\sstyle=|\son[a-z]+=/i.test(tag)),
    ).toEqual([]);
  });

  test('changing a source changes its hash', async () => {
    const web = join(scratch, 'web');
    await copyFixtureSite(web);
    await writeFile(
      join(web, 'src/site.css'),
      `${await readFile(join(web, 'src/site.css'), 'utf8')}\nh1{color:red}`,
    );
    const changed = await buildSite({ webDir: web, outDir: join(scratch, 'changed') });
    expect(changed.stylesheet).not.toBe(built.stylesheet);
    expect(changed.script).toBe(built.script);
  });

  test('the pinned widget is named after its own SHA-384, and the snippet pins those exact bytes', async () => {
    const match = built.pinnedWidget.path.match(/^\/widget\/footfall-widget\.([0-9a-f]{16})\.js$/);
    expect(match).not.toBeNull();
    const bytes = await read(built.pinnedWidget.path.slice(1));
    const digest = createHash('sha384').update(bytes).digest();
    expect(match?.[1]).toBe(digest.toString('hex').slice(0, 16));

    // The snippet as the build prints it: its script is the pinned file, its integrity that of
    // the bytes on disk, fetched with CORS (integrity on another origin's script needs it).
    const snippet = built.embedSnippet;
    const script = snippet.match(/<script [^>]*><\/script>/)?.[0] ?? '';
    const attribute = (name: string) => script.match(new RegExp(` ${name}="([^"]*)"`))?.[1];
    expect(attribute('src')).toBe(`${SITE_PLACEHOLDER}${built.pinnedWidget.path}`);
    expect(attribute('integrity')).toBe(`sha384-${digest.toString('base64')}`);
    expect(attribute('crossorigin')).toBe('anonymous');
    expect(script).toMatch(/ defer>/);
    // What the widget needs on the embedding page: the API's address and where the number goes.
    expect(snippet).toContain(`<meta name="footfall-api" content="${SITE_PLACEHOLDER}">`);
    expect(snippet).toContain('<span id="visitor-count">…</span>');
  });

  test('the snippet takes the site’s origin, and refuses anything else', () => {
    const widget = built.pinnedWidget;
    const snippet = embedSnippet(widget, 'https://Me.Example/');
    expect(snippet).toContain('<meta name="footfall-api" content="https://me.example">');
    expect(snippet).toContain(`<script src="https://me.example${widget.path}" integrity="`);
    for (const bad of ['me.example', 'ftp://me.example', 'https://me.example/cv', 'javascript:x'])
      expect(() => siteOrigin(bad), bad).toThrow(/me\.example|http/);
  });

  test('a change to the widget gives it a new pinned name and integrity', async () => {
    const web = join(scratch, 'widget-web');
    await copyFixtureSite(web);
    await writeFile(
      join(web, 'src/widget.ts'),
      (await readFile(join(web, 'src/widget.ts'), 'utf8')).replace('5_000', '6_000'),
    );
    const changed = await buildSite({ webDir: web, outDir: join(scratch, 'widget-changed') });
    expect(changed.pinnedWidget.path).not.toBe(built.pinnedWidget.path);
    expect(changed.pinnedWidget.integrity).not.toBe(built.pinnedWidget.integrity);
    // And the same sources, built from another folder, pin the same bytes (the snippet a local
    // build prints is the one for what CI deploys).
    const copy = join(scratch, 'copy', 'of', 'web');
    await copyFixtureSite(copy);
    const again = await buildSite({ webDir: copy, outDir: join(scratch, 'again') });
    expect(again.pinnedWidget).toEqual(built.pinnedWidget);
  });

  test('an invalid resume.json fails the build, names the field and keeps the last good site', async () => {
    const web = join(scratch, 'bad-web');
    const out = join(scratch, 'kept');
    await copyFixtureSite(web);
    await buildSite({ webDir: web, outDir: out });
    const good = await readFile(join(out, 'index.html'), 'utf8');
    const resume = JSON.parse(await readFile(join(web, 'resume.json'), 'utf8'));
    resume.basics.email = 'no-at-sign.example';
    await writeFile(join(web, 'resume.json'), JSON.stringify(resume));
    await expect(buildSite({ webDir: web, outDir: out })).rejects.toThrow(/basics\.email/);
    expect(await readFile(join(out, 'index.html'), 'utf8')).toBe(good);
  });
});

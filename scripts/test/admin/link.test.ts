import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { copyFixtureSite } from '../../../test/support/fixture-site.js';
import { BROWSER_UA } from '../../../test/support/index.js';
import { scratchDevServer } from '../../../test/support/scratch-dev-server.js';
import { admin } from './support.js';

// `npm run admin -- link …` on the dev server's data, with the dev server itself in between: a
// link made by the CLI, opened through the dev server, and read back, as its owner would.

let dir: string;
let data: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'footfall-admin-link-'));
  data = join(dir, 'data');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const local = (argv: string[]) =>
  admin([...argv, '--local'], {
    env: { ...process.env, FOOTFALL_DATA_DIR: data } as Record<string, string>,
  });

test('link add, the dev server’s redirect and opens, link list, show and remove', async () => {
  const added = await local(['link', 'add', 'acme-backend', '--note', 'Acme, backend role']);
  expect(added).toMatchObject({ code: 0, stderr: '' });
  expect(added.stdout).toContain('Send this address: http://127.0.0.1:8787/r/acme-backend');
  expect(await local(['link', 'add', 'acme-backend'])).toMatchObject({ code: 1 });
  expect((await local(['link', 'add', 'Acme!'])).code).toBe(2);
  expect((await local(['link', 'add', 'x', '--page', 'no-slash'])).code).toBe(2);

  const lines: string[] = [];
  const server = await scratchDevServer('link', {
    dataDir: data,
    // The tests' resume, not the owner's web/resume.json.
    webDir: await copyFixtureSite(join(dir, 'web')),
    env: { FOOTFALL_DEV_COUNTRY: 'DE' },
    log: (line) => lines.push(line),
  });
  try {
    const preview = await fetch(`${server.url}/r/acme-backend`, {
      redirect: 'manual',
      headers: { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' },
    });
    expect(preview.status).toBe(302);
    expect(preview.headers.get('location')).toBe('/?via=acme-backend');
    const opened = await fetch(
      `${server.url}/api/count?page=%2F&via=acme-backend&ref=${encodeURIComponent('https://www.linkedin.com/in/me')}`,
      {
        method: 'POST',
        headers: { 'user-agent': BROWSER_UA, origin: server.url, 'sec-fetch-site': 'same-origin' },
      },
    );
    expect(opened.status).toBe(200);
    // Told on the dev server's output, once.
    await expect.poll(() => lines.filter((line) => line.includes('acme-backend'))).toHaveLength(1);
    expect(lines.find((line) => line.includes('acme-backend'))).toMatch(
      /^footfall: link acme-backend \(Acme, backend role\) was opened from linkedin\.com in DE: \/ at \d{4}-/,
    );
  } finally {
    await server.close();
  }

  const shown = await local(['link', 'show', 'acme-backend', '--json']);
  expect(shown.code).toBe(0);
  expect(JSON.parse(shown.stdout)).toMatchObject({
    slug: 'acme-backend',
    page: '/',
    note: 'Acme, backend role',
    opens: 1,
    visitors: 1,
    previews: 1,
    days: [{ opens: 1, visitors: 1, previews: 1, sources: ['linkedin.com'], countries: ['DE'] }],
  });
  const table = await local(['link', 'list']);
  expect(table.stdout).toMatch(/^SLUG\s+PAGE\s+OPENS\s+VISITORS\s+PREVIEWS/);
  expect(table.stdout).toMatch(/acme-backend\s+\/\s+1\s+1\s+1\s/);
  expect(JSON.parse((await local(['link', 'list', '--json'])).stdout)).toHaveLength(1);

  expect(await local(['link', 'remove', 'acme-backend'])).toMatchObject({ code: 0 });
  expect(await local(['link', 'show', 'acme-backend'])).toMatchObject({
    code: 1,
    stderr: expect.stringContaining('there is no link acme-backend'),
  });
  expect((await local(['link', 'list'])).stdout).toContain('No links');
});

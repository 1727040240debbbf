import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { ensureTable } from '../../../service/src/dev/local-dynamodb.js';
import { type AwsStandIn, startAwsStandIn } from '../../../test/support/aws-stand-in.js';
import { query, type TestApp, testApp, testClient, visitor } from '../../../test/support/index.js';
import { readCounts } from '../../admin/counts.js';
import { createAdminDatabase } from '../../admin/database.js';
import { readAll } from '../../admin/transfer.js';
import { admin, freshTable, stubAwsEnvironment } from './support.js';

let aws: AwsStandIn;
let dir: string;

beforeAll(async () => {
  aws = await startAwsStandIn();
  dir = await mkdtemp(join(tmpdir(), 'footfall-admin-transfer-'));
});
afterAll(async () => {
  await aws.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.unstubAllEnvs());

/** A fresh table behind a stack of its own, and the real app counting into it. */
async function deployment(label: string) {
  const table = await freshTable(label);
  const stack = `Footfall${label}`;
  aws.stacks.set(stack, { TableName: table });
  const app = testApp({
    tableName: table,
    viewsPerAddressPerDay: 0,
    allowedOrigins: ['https://blog.example'],
    // Counting, not speed: a busy machine must not turn a visit into a (correct) 503.
    client: testClient(undefined, { requestTimeoutMs: 30_000, connectionTimeoutMs: 10_000 }),
    deadlineMs: 60_000,
  });
  return { table, stack, app, database: createAdminDatabase(app.client, table) };
}

/** Visits from people, bots and another site, over several days. */
async function traffic(app: TestApp, table: string, days: number) {
  const start = Date.parse('2026-10-01T12:00:00Z');
  for (let day = 0; day < days; day++) {
    const now = () => new Date(start + day * 86_400_000);
    const dated = testApp({
      client: app.client,
      tableName: table,
      viewsPerAddressPerDay: 0,
      now,
      allowedOrigins: ['https://blog.example'],
    });
    for (const [page, people] of [
      ['/', 3],
      ['/cv, "quoted"', 1],
    ] as const) {
      for (let person = 0; person < people; person++) {
        await dated.app.request(`/api/count${query(page)}`, {
          method: 'POST',
          headers: visitor(`192.0.2.${person + 1}`),
        });
      }
    }
    await dated.app.request(`/api/count${query('/')}`, {
      method: 'POST',
      headers: visitor('192.0.2.9', 'Googlebot/2.1'),
    });
    await dated.app.request(`/api/count${query('/post')}`, {
      method: 'POST',
      headers: { ...visitor('192.0.2.10'), origin: 'https://blog.example' },
    });
  }
}

const countsOnly = (records: Awaited<ReturnType<typeof readAll>>) =>
  records.filter((record) => record.type === 'counter' || record.type === 'daily');

describe('export and import', () => {
  test('export → wipe → import gives back every counter and day exactly, in either format', async () => {
    stubAwsEnvironment(aws);
    const { table, stack, app, database } = await deployment('RoundTrip');
    await traffic(app, table, 4);
    await admin([
      'set',
      '/',
      '--views',
      '1000',
      '--note',
      'old counter',
      '--stack',
      stack,
      '--yes',
    ]);
    const before = await readAll({ client: app.client, tableName: table, database });
    expect(before.filter((r) => r.type === 'counter').length).toBe(3);
    // Each day: three pages, and the two sites' totals.
    expect(before.filter((r) => r.type === 'daily').length).toBe(4 * 5);
    expect(before.some((r) => r.type === 'daily' && r.page === 'https://blog.example*')).toBe(true);

    for (const format of ['ndjson', 'csv'] as const) {
      const file = join(dir, `backup.${format}`);
      const exported = await admin(['export', '--out', file, '--stack', stack]);
      expect(exported.code, exported.stderr).toBe(0);
      const counts = countsOnly(before).length;
      expect(exported.stderr).toContain(
        `Exported ${format === 'csv' ? counts : before.length} items`,
      );
      if (format === 'csv')
        expect(exported.stderr).toContain('CSV holds counts only: 4 history records left out');

      await app.client.send(new DeleteTableCommand({ TableName: table }));
      await ensureTable(app.client, table);
      expect(await readAll({ client: app.client, tableName: table, database })).toEqual([]);

      const imported = await admin(['import', file, '--stack', stack, '--yes']);
      expect(imported.code, imported.stderr).toBe(0);
      const after = await readAll({ client: app.client, tableName: table, database });
      expect(countsOnly(after)).toEqual(countsOnly(before));
      if (format === 'ndjson') {
        // The audit trail came back too, plus one `import` entry per counter restored.
        const trail = after.filter((r) => r.type === 'adjustment');
        expect(trail.filter((r) => r.action === 'set')).toEqual(
          before.filter((r) => r.type === 'adjustment'),
        );
        expect(trail.filter((r) => r.action === 'import')).toHaveLength(3);
      }
    }
    const csv = await readFile(join(dir, 'backup.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('format,type,page,day,views,visitors,bots');
    expect(csv).toContain('footfall-export/1,counter,"/cv, ""quoted""",,4,4,0');

    // The CSV restore left the history out; the ndjson puts it back, once.
    const again = await admin(['import', join(dir, 'backup.ndjson'), '--stack', stack, '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      '0 new counts, 0 changed, 23 unchanged, 1 history records to put back',
    );
    const noop = await admin(['import', join(dir, 'backup.ndjson'), '--stack', stack]);
    expect(noop.code, noop.stderr).toBe(0);
    expect(noop.stdout).toContain('0 new counts, 0 changed, 23 unchanged, 0 history records');
    app.client.destroy();
  });

  test("a correction of the site's day goes out in the export and comes back with it", async () => {
    stubAwsEnvironment(aws);
    const { table, stack, app, database } = await deployment('SiteDay');
    // Its own address: visitor records are shared by every test's tables.
    await app.app.request('/api/count', { method: 'POST', headers: visitor('198.18.0.1') });
    const today = new Date().toISOString().slice(0, 10);
    const set = ['set', '*', '--date', today, '--views', '7', '--note', 'bots', '--stack', stack];
    expect((await admin([...set, '--yes'])).code).toBe(0);
    const before = await readAll({ client: app.client, tableName: table, database });
    expect(before.filter((r) => r.type === 'adjustment')).toEqual([
      expect.objectContaining({ page: '*', action: 'set-day', day: today, toViews: 7 }),
    ]);

    const file = join(dir, 'site-day.ndjson');
    expect((await admin(['export', '--out', file, '--stack', stack])).code).toBe(0);
    await app.client.send(new DeleteTableCommand({ TableName: table }));
    await ensureTable(app.client, table);
    const imported = await admin(['import', file, '--stack', stack, '--yes']);
    expect(imported.code, imported.stderr).toBe(0);
    const after = await readAll({ client: app.client, tableName: table, database });
    expect(after.filter((r) => r.type !== 'adjustment' || r.action !== 'import')).toEqual(before);
    app.client.destroy();
  });

  test('an import loses no visit that lands while it writes', async () => {
    stubAwsEnvironment(aws);
    const { table, stack, app, database } = await deployment('Live');
    const file = join(dir, 'live.ndjson');
    await writeFile(
      file,
      [
        { format: 'footfall-export', version: 1, exportedAt: '2026-11-01T00:00:00Z', from: 'x' },
        { type: 'counter', page: '/', views: 500, visitors: 400, bots: 7 },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n'),
    );
    let landed = 0;
    const visits = (async () => {
      for (let person = 0; person < 60; person++) {
        const response = await app.app.request('/api/count', {
          method: 'POST',
          headers: visitor(`198.51.100.${person}`),
        });
        if (response.status === 200) landed++;
      }
    })();
    const ran = await admin(['import', file, '--stack', stack, '--yes']);
    await visits;
    expect(ran.code, ran.stderr).toBe(0);
    const final = await readCounts(database, '/');
    const [entry] = (await readAll({ client: app.client, tableName: table, database })).filter(
      (r) => r.type === 'adjustment',
    );
    expect(entry).toMatchObject({ action: 'import', toViews: 500, source: 'live.ndjson' });
    // Visits before the import are in what it replaced; visits after, on top of the file's 500.
    expect(entry && entry.fromViews + (final.views - 500)).toBe(landed);
    expect(landed).toBe(60);
    app.client.destroy();
  });

  test('reports progress on stderr for more than a few hundred items', async () => {
    stubAwsEnvironment(aws);
    const { stack, app } = await deployment('Many');
    const file = join(dir, 'many.ndjson');
    const lines = [
      { format: 'footfall-export', version: 1, exportedAt: '2026-11-01T00:00:00Z', from: 'x' },
    ];
    for (let i = 0; i < 700; i++)
      lines.push({
        type: 'daily',
        page: '/',
        day: new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10),
        views: i,
        visitors: 0,
        bots: 1,
      } as never);
    await writeFile(file, lines.map((line) => JSON.stringify(line)).join('\n'));

    const imported = await admin(['import', file, '--stack', stack, '--yes']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr.split('\n').filter(Boolean)).toEqual([
      'imported 250 of 700 items…',
      'imported 500 of 700 items…',
      'imported 700 of 700 items…',
    ]);

    const exported = await admin(['export', '--stack', stack]);
    expect(exported.code).toBe(0);
    expect(exported.stderr.split('\n').filter(Boolean)).toEqual([
      'exported 500 items…',
      'exported 700 items…',
    ]);
    expect(exported.stdout.trim().split('\n')).toHaveLength(701);

    // A small one says nothing on the way.
    const small = await deployment('Few');
    expect((await admin(['export', '--stack', small.stack])).stderr).toBe('');
    app.client.destroy();
    small.app.client.destroy();
  });

  test('on AWS without --yes, shows what the import would change and changes nothing', async () => {
    stubAwsEnvironment(aws);
    const { stack, app, database } = await deployment('Dry');
    await app.app.request('/api/count', { method: 'POST', headers: visitor() });
    const file = join(dir, 'dry.ndjson');
    await writeFile(
      file,
      [
        { format: 'footfall-export', version: 1, exportedAt: '2026-11-01T00:00:00Z', from: 'x' },
        { type: 'counter', page: '/', views: 9, visitors: 9, bots: 0 },
        { type: 'counter', page: '/new', views: 2, visitors: 1, bots: 0 },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n'),
    );
    const ran = await admin(['import', file, '--stack', stack]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('1 new counts, 1 changed, 0 unchanged');
    expect(ran.stdout).toContain('/: views 1 → 9, visitors 1 → 9, bots 0 (unchanged)');
    expect(ran.stderr).toContain('nothing was changed: add --yes');
    expect(await readCounts(database, '/')).toEqual({ views: 1, visitors: 1, bots: 0 });
    expect(await readCounts(database, '/new')).toEqual({ views: 0, visitors: 0, bots: 0 });
    app.client.destroy();
  });

  test.each([
    [
      'a newer ndjson export',
      '{"format":"footfall-export","version":2}\n{"type":"counter","page":"/","views":1,"visitors":1,"bots":0}\n',
      'is a footfall export of format version 2; this footfall reads version 1',
    ],
    [
      'a newer CSV export',
      'format,type,page,day,views,visitors,bots\nfootfall-export/2,counter,/,,1,1,0\n',
      'is a footfall export of format version 2; this footfall reads version 1',
    ],
    ['another JSON file', '{"name":"resume"}\n', 'is not a footfall export'],
    ['another CSV file', 'a,b\n1,2\n', 'is not a footfall export'],
    [
      'a negative count',
      '{"format":"footfall-export","version":1}\n{"type":"counter","page":"/","views":-1,"visitors":1,"bots":0}\n',
      'line 2: views must be a whole number, 0 or more',
    ],
    [
      'a bad page',
      '{"format":"footfall-export","version":1}\n{"type":"counter","page":"about","views":1,"visitors":1,"bots":0}\n',
      'line 2: "about" is not a page',
    ],
    [
      'a bad day',
      'format,type,page,day,views,visitors,bots\nfootfall-export/1,daily,/,2026-02-30,1,1,0\n',
      'line 2: day must be a date, YYYY-MM-DD',
    ],
    [
      'a month that does not exist',
      '{"format":"footfall-export","version":1}\n{"type":"daily","page":"/","day":"2026-13-01","views":1,"visitors":1,"bots":0}\n',
      'line 2: day must be a date, YYYY-MM-DD',
    ],
    [
      'a set-day without its day',
      '{"format":"footfall-export","version":1}\n{"type":"adjustment","page":"*","at":"2026-01-01T00:00:00.000Z","id":"a","action":"set-day","who":"me","note":"","fromViews":1,"toViews":2,"fromVisitors":0,"toVisitors":0}\n',
      'line 2: a set-day names its day',
    ],
    ['broken JSON', '{"format":"footfall-export","version":1}\n{"type":\n', 'line 2 is not JSON'],
  ])('refuses %s in one line and writes nothing', async (_, contents, message) => {
    stubAwsEnvironment(aws);
    const { table, stack, app, database } = await deployment('Refuse');
    const file = join(dir, 'refused.txt');
    await writeFile(file, contents);
    const ran = await admin(['import', file, '--stack', stack, '--yes']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(message);
    expect(ran.stderr.trim().split('\n')).toHaveLength(1);
    expect(await readAll({ client: app.client, tableName: table, database })).toEqual([]);
    app.client.destroy();
  });

  test('says so when the file is missing, and refuses a format it does not know', async () => {
    expect(await admin(['import', join(dir, 'nope.ndjson'), '--local'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no such file'),
    });
    expect(await admin(['export', '--format', 'xml', '--local'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--format must be ndjson or csv'),
    });
  });
});

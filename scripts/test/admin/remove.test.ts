import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  type AwsStandIn,
  CALLER_ARN,
  startAwsStandIn,
} from '../../../test/support/aws-stand-in.js';
import {
  BROWSER_UA,
  query,
  type TestApp,
  testApp,
  testClient,
  uniquePage,
  visitor,
} from '../../../test/support/index.js';
import { history, readCounts, readDayCounts } from '../../admin/counts.js';
import { createAdminDatabase } from '../../admin/database.js';
import { pagesUnder, readPage } from '../../admin/remove.js';
import { admin, freshTable, stubAwsEnvironment } from './support.js';

let aws: AwsStandIn;
let table: string;
let app: TestApp;
const stack = 'FootfallRemoveTest';
const blog = 'https://blog.example';

/** The app counting into the test's table; `day` sets its clock (noon UTC) for past days. */
const appOn = (day?: string) =>
  testApp({
    tableName: table,
    viewsPerAddressPerDay: 0,
    allowedOrigins: [blog],
    client: app?.client ?? testClient(),
    ...(day ? { now: () => new Date(`${day}T12:00:00Z`) } : {}),
  });

beforeAll(async () => {
  aws = await startAwsStandIn();
  table = await freshTable('remove');
  aws.stacks.set(stack, { TableName: table });
  app = appOn();
});
afterAll(async () => {
  app.client.destroy();
  await aws.close();
});
afterEach(() => vi.unstubAllEnvs());

const database = () => createAdminDatabase(app.client, table);

const visit = (on: TestApp, page: string, address: string, userAgent = BROWSER_UA) =>
  on.app.request(`/api/count${query(page)}`, {
    method: 'POST',
    headers: visitor(address, userAgent),
  });

/** How many pages the site's record says its visits created. */
const sitePages = async (site: string) =>
  (await database().entities.site.get({ site }).go({ consistent: true })).data?.pages;

describe('remove', () => {
  test('takes a junk page away with its days; its history stays; its site counts one page less', async () => {
    stubAwsEnvironment(aws);
    const page = uniquePage('junk');
    const keep = uniquePage('keep');
    const yesterday = appOn('2025-07-01');
    expect((await visit(yesterday, page, '198.18.1.1')).status).toBe(200);
    expect((await visit(app, page, '198.18.1.1')).status).toBe(200);
    expect((await visit(app, page, '198.18.1.2')).status).toBe(200);
    expect((await visit(app, page, '198.18.1.3', 'curl/8.5.0')).status).toBe(200);
    await visit(app, keep, '198.18.1.1');
    const pagesBefore = (await sitePages('*')) ?? 0;
    const siteDay = await readDayCounts(database(), '*', '2025-07-01');
    const today = new Date().toISOString().slice(0, 10);

    const argv = ['remove', page, '--note', 'made by a script', '--stack', stack];
    const dry = await admin(argv);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toBe(
      `Would remove ${page} from stack ${stack} in eu-west-1 (table ${table}): its counter (views 3, visitors 3, bots 1) and 2 days (2025-07-01 to ${today}). Its history stays; the site's days keep its visits.\n`,
    );
    expect(dry.stderr).toContain('nothing was changed: add --yes');
    expect((await readPage(database(), page)).days).toHaveLength(2);

    const ran = await admin([...argv, '--yes']);
    expect(ran).toMatchObject({ code: 0, stderr: '' });
    expect(ran.stdout).toBe(
      `Removed ${page} from stack ${stack} in eu-west-1 (table ${table}): its counter (views 3, visitors 3, bots 1) and 2 days. Recorded for ${CALLER_ARN}.\n`,
    );
    expect(await readPage(database(), page)).toEqual({ page, counter: undefined, days: [] });
    expect(await history(database(), page)).toEqual([
      expect.objectContaining({
        action: 'remove',
        who: CALLER_ARN,
        note: 'made by a script',
        fromViews: 3,
        toViews: 0,
        fromVisitors: 3,
        toVisitors: 0,
      }),
    ]);
    expect((await admin(['history', page, '--stack', stack])).stdout).toContain('remove');
    expect(await sitePages('*')).toBe(pagesBefore - 1);
    // The rest stays: other pages, and the site's days (they were visits to the site).
    expect(await readCounts(database(), keep)).toMatchObject({ views: 1 });
    expect(await readDayCounts(database(), '*', '2025-07-01')).toEqual(siteDay);
    const listed = JSON.parse((await admin(['pages', '--json', '--stack', stack])).stdout);
    expect(listed.map((p: { page: string }) => p.page)).not.toContain(page);

    // Again: nothing to remove, and the site's count is not lowered twice.
    const again = await admin([...argv, '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `footfall admin remove: ${page} has no counter and no days on stack ${stack} in eu-west-1 (table ${table}): nothing to remove\n`,
    );
    expect(await sitePages('*')).toBe(pagesBefore - 1);

    // A visit afterwards (to an instance that never knew the page) makes it a new page again.
    const fresh = appOn();
    expect(await (await visit(fresh, page, '198.18.1.4')).json()).toMatchObject({ views: 1 });
    expect(await sitePages('*')).toBe(pagesBefore);
  });

  test("never takes the site's page count below 0, nor creates a site record", async () => {
    stubAwsEnvironment(aws);
    // Pages made by hand (set), not by visits: their sites' records never counted them.
    const counted = `${blog}${uniquePage('zero')}`;
    const uncounted = `https://other.example${uniquePage('none')}`;
    await database()
      .entities.site.put({ site: `${blog}*`, pages: 0 })
      .go();
    for (const page of [counted, uncounted]) {
      const set = ['set', page, '--views', '5', '--note', 'n', '--stack', stack, '--yes'];
      expect((await admin(set)).code).toBe(0);
      const ran = await admin(['remove', page, '--note', 'n', '--stack', stack, '--yes']);
      expect(ran.code, ran.stderr).toBe(0);
      expect(await readCounts(database(), page)).toEqual({ views: 0, visitors: 0, bots: 0 });
    }
    expect(await sitePages(`${blog}*`)).toBe(0);
    expect(
      (await database().entities.site.get({ site: 'https://other.example*' }).go()).data,
    ).toBeNull();
  });

  test('a page with days but no counter (a remove cut short, a mistyped set --date) loses its days', async () => {
    stubAwsEnvironment(aws);
    const page = uniquePage('days-only');
    const set = ['set', page, '--date', '2025-07-02', '--views', '4', '--note', 'n'];
    expect((await admin([...set, '--stack', stack, '--yes'])).code).toBe(0);
    const pagesBefore = await sitePages('*');
    const ran = await admin(['remove', page, '--note', 'typo', '--stack', stack, '--yes']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(`Removed ${page} from stack ${stack}`);
    expect(ran.stdout).toContain(': no counter and 1 day.');
    expect(await readPage(database(), page)).toEqual({ page, counter: undefined, days: [] });
    expect(await sitePages('*')).toBe(pagesBefore);
    expect((await history(database(), page)).map((entry) => entry.action)).toEqual([
      'set-day',
      'remove',
    ]);
  });

  test('two runs at once remove the page once and lower its site count once', async () => {
    stubAwsEnvironment(aws);
    const page = `${blog}${uniquePage('twice')}`;
    const response = await app.app.request(`/api/count${query(page.slice(blog.length))}`, {
      method: 'POST',
      headers: { ...visitor('198.18.2.1'), origin: blog },
    });
    expect(await response.json()).toMatchObject({ views: 1 });
    const before = (await sitePages(`${blog}*`)) ?? 0;
    const runs = await Promise.all(
      [1, 2].map(() => admin(['remove', page, '--note', 'n', '--stack', stack, '--yes'])),
    );
    expect(runs.some((ran) => ran.code === 0)).toBe(true);
    expect(await readPage(database(), page)).toEqual({ page, counter: undefined, days: [] });
    expect(await sitePages(`${blog}*`)).toBe(before - 1);
  });

  test('--prefix removes every page of the site under it, and nothing else', async () => {
    stubAwsEnvironment(aws);
    const prefix = `${uniquePage('prefix')}/`;
    const under = ['a', 'b', 'c'].map((name) => `${prefix}${name}`);
    const beside = `${prefix.slice(0, -1)}x`;
    for (const page of [...under, beside]) await visit(app, page, '198.18.3.1');
    // The same path on another site is another page.
    await app.app.request(`/api/count${query(`${prefix}a`)}`, {
      method: 'POST',
      headers: { ...visitor('198.18.3.1'), origin: blog },
    });

    const argv = ['remove', '--prefix', prefix, '--note', 'junk', '--stack', stack];
    const dry = await admin(argv);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toBe(
      `Would remove 3 pages under ${prefix} from stack ${stack} in eu-west-1 (table ${table}), with their days (views 3, visitors 3, bots 0 in all): ${under.join(', ')}. Their history stays; the site's days keep their visits.\n`,
    );
    const ran = await admin([...argv, '--yes']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toBe(
      `Removed 3 pages under ${prefix} from stack ${stack} in eu-west-1 (table ${table}), with their 3 days (views 3, visitors 3, bots 0 in all). Recorded for ${CALLER_ARN}.\n`,
    );
    for (const page of under) {
      expect((await readPage(database(), page)).counter).toBeUndefined();
      expect(await history(database(), page)).toMatchObject([{ action: 'remove', note: 'junk' }]);
    }
    expect(await readCounts(database(), beside)).toMatchObject({ views: 1 });
    expect(await readCounts(database(), `${blog}${prefix}a`)).toMatchObject({ views: 1 });

    expect((await admin([...argv, '--yes'])).stderr).toContain(
      `no page on stack ${stack} in eu-west-1 (table ${table}) starts with ${prefix}: nothing to remove`,
    );
  });

  test('--prefix takes on a bounded number of pages a run', async () => {
    const prefix = `${uniquePage('bounded')}/`;
    for (const name of ['a', 'b', 'c']) await visit(app, `${prefix}${name}`, '198.18.4.1');
    expect(await pagesUnder(database(), prefix, 2)).toEqual({
      pages: [
        { page: `${prefix}a`, views: 1, visitors: 1, bots: 0 },
        { page: `${prefix}b`, views: 1, visitors: 1, bots: 0 },
      ],
      more: true,
    });
    expect((await pagesUnder(database(), prefix, 3)).more).toBe(false);
  });

  test.each([
    [['remove', '*', '--note', 'n'], "* is a site's totals key, not a page"],
    [['remove', `${blog}*`, '--note', 'n'], "is a site's totals key, not a page"],
    [['remove', '/x'], '--note is required'],
    [['remove', '--note', 'n'], 'PAGE (or --prefix PREFIX) is required'],
    [['remove', 'x', '--note', 'n'], 'is not a page'],
    [['remove', '/x', '--prefix', '/y/', '--note', 'n'], 'give a PAGE or --prefix, not both'],
    [['remove', '--prefix', '/', '--note', 'n'], '--prefix / names every page of the site'],
    [['remove', '--prefix', `${blog}/`, '--note', 'n'], 'names every page of the site'],
    [['remove', '--prefix', 'junk', '--note', 'n'], 'is not a page'],
  ])('refuses %j with exit code 2 before touching anything', async (argv, message) => {
    stubAwsEnvironment(aws);
    const calls = aws.requests.length;
    const ran = await admin([...argv, '--stack', stack, '--yes']);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain(message);
    expect(aws.requests.length).toBe(calls);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  type AwsStandIn,
  CALLER_ARN,
  startAwsStandIn,
} from '../../../test/support/aws-stand-in.js';
import {
  query,
  type TestApp,
  testApp,
  testClient,
  uniquePage,
  visitor,
} from '../../../test/support/index.js';
import { readCounts, readDayCounts, setCounts } from '../../admin/counts.js';
import { createAdminDatabase } from '../../admin/database.js';
import { admin, freshTable, stubAwsEnvironment } from './support.js';

let aws: AwsStandIn;
let table: string;
let app: TestApp;
const stack = 'FootfallSetTest';

beforeAll(async () => {
  aws = await startAwsStandIn();
  table = await freshTable('set');
  aws.stacks.set(stack, { TableName: table, SiteUrl: 'https://example.test' });
  // Counting under contention, not the time limits: on a busy machine a visit can wait past
  // production's one-second request timeout and be (correctly) refused with a 503.
  app = testApp({
    tableName: table,
    viewsPerAddressPerDay: 0,
    client: testClient(undefined, { requestTimeoutMs: 30_000, connectionTimeoutMs: 10_000 }),
    deadlineMs: 60_000,
  });
});
afterAll(async () => {
  app.client.destroy();
  await aws.close();
});
afterEach(() => vi.unstubAllEnvs());

/** A person's visit from their own address (200 people, not one reloading). */
const visit = (page: string, person: number) =>
  app.app.request(`/api/count${query(page)}`, {
    method: 'POST',
    headers: visitor(`198.51.${Math.floor(person / 250)}.${person % 250}`),
  });

const database = () => createAdminDatabase(app.client, table);

/** The app counting on `day` (its clock at noon UTC), into the same table. */
const appOn = (day: string) =>
  testApp({
    tableName: table,
    viewsPerAddressPerDay: 0,
    client: app.client,
    deadlineMs: 60_000,
    now: () => new Date(`${day}T12:00:00Z`),
  });

const visitOn = (dated: TestApp, page: string, person: number) =>
  dated.app.request(`/api/count${query(page)}`, {
    method: 'POST',
    headers: visitor(`198.51.${Math.floor(person / 250)}.${person % 250}`),
  });

describe('set', () => {
  test('gives a page exact totals and records who, when, from, to and why', async () => {
    stubAwsEnvironment(aws);
    const page = uniquePage('set');
    for (let person = 0; person < 3; person++) expect((await visit(page, person)).status).toBe(200);

    const ran = await admin([
      'set',
      page,
      '--views',
      '1200',
      '--visitors',
      '900',
      '--note',
      'moved from countapi',
      '--stack',
      stack,
      '--yes',
    ]);
    expect(ran).toMatchObject({ code: 0, stderr: '' });
    expect(ran.stdout).toContain('views 3 → 1,200, visitors 3 → 900');
    expect(await readCounts(database(), page)).toEqual({ views: 1200, visitors: 900, bots: 0 });

    const history = await admin(['history', page, '--json', '--stack', stack]);
    expect(JSON.parse(history.stdout)).toEqual([
      expect.objectContaining({
        page,
        action: 'set',
        who: CALLER_ARN,
        note: 'moved from countapi',
        fromViews: 3,
        toViews: 1200,
        fromVisitors: 3,
        toVisitors: 900,
      }),
    ]);
    const { at } = JSON.parse(history.stdout)[0];
    expect(Date.now() - Date.parse(at)).toBeLessThan(60_000);

    // Visits go on counting from the new totals.
    expect(await (await visit(page, 3)).json()).toMatchObject({ views: 1201, visitors: 901 });
  });

  test('on AWS without --yes, prints what it would change and changes nothing', async () => {
    stubAwsEnvironment(aws);
    const page = uniquePage('dry');
    await visit(page, 0);
    const ran = await admin(['set', page, '--views', '50', '--note', 'n', '--stack', stack]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(`Would set ${page}`);
    expect(ran.stdout).toContain('views 1 → 50, visitors 1 (unchanged)');
    expect(ran.stderr).toMatch(
      /^footfall admin set: nothing was changed: add --yes to write this to stack FootfallSetTest in eu-west-1/,
    );
    expect(ran.stderr.trim().split('\n')).toHaveLength(1);
    expect(await readCounts(database(), page)).toEqual({ views: 1, visitors: 1, bots: 0 });
    expect((await admin(['history', page, '--json', '--stack', stack])).stdout).toBe('[]\n');
  });

  test('keeps a visit that lands between its read and its write (retries, loses nothing)', async () => {
    const page = uniquePage('gap');
    for (let person = 0; person < 5; person++) await visit(page, person);
    let raced = 0;
    const result = await setCounts(database(), {
      page,
      views: 100,
      note: 'gap',
      who: 'test',
      // Two visits land in the gap after the first read only.
      beforeWrite: async () => {
        if (raced++ > 0) return;
        await visit(page, 5);
        await visit(page, 6);
      },
    });
    expect(result.attempts).toBe(2);
    // What was replaced is what the page really held at the write: the two visits included.
    expect(result.from).toEqual({ views: 7, visitors: 7, bots: 0 });
    expect(await readCounts(database(), page)).toEqual({ views: 100, visitors: 7, bots: 0 });
  });

  test('loses none of 200 visits that land while it runs', async () => {
    stubAwsEnvironment(aws);
    const page = uniquePage('busy');
    for (let person = 0; person < 10; person++) await visit(page, person);
    const start = await readCounts(database(), page);
    const target = 10_000;

    // 200 people arrive, 20 at a time; the set starts once the first 40 are in.
    let next = 10;
    let landed = 0;
    let started: () => void = () => {};
    const setStarts = new Promise<void>((resolve) => {
      started = resolve;
    });
    const people = async () => {
      while (next < 210) {
        const response = await visit(page, next++);
        expect(response.status).toBe(200);
        if (++landed === 40) started();
      }
    };
    const visits = Promise.all(Array.from({ length: 20 }, people));
    await setStarts;
    const ran = await admin([
      'set',
      page,
      '--views',
      String(target),
      '--visitors',
      String(target),
      '--note',
      'busy',
      '--stack',
      stack,
      '--yes',
    ]);
    await visits;
    expect(ran.code, ran.stderr).toBe(0);

    const final = await readCounts(database(), page);
    const [adjustment] = JSON.parse(
      (await admin(['history', page, '--json', '--stack', stack])).stdout,
    );
    // Visits before the set show in what it replaced; visits after, on top of what it set.
    expect(adjustment.fromViews - start.views + (final.views - target)).toBe(200);
    expect(adjustment.fromVisitors - start.visitors + (final.visitors - target)).toBe(200);
    expect(final.views).toBeGreaterThanOrEqual(target);
  });

  test.each([
    [['set', '/x', '--note', 'n'], '--views is required'],
    [['set', '/x', '--views', '10'], '--note is required'],
    [['set', '/x', '--views', 'ten', '--note', 'n'], '--views must be a whole number'],
    [['set', '/x', '--views', '-1', '--note', 'n'], '--views'],
    [
      ['set', '/x', '--views', '10', '--visitors', '11', '--note', 'n'],
      '--visitors must be a whole number from 0 to 10',
    ],
    [['set', 'x', '--views', '10', '--note', 'n'], 'is not a page'],
    [['set', '--views', '10', '--note', 'n'], 'PAGE is required'],
    [['set', '/x', '--views', '10', '--note', '--yes'], '--note needs a value'],
    [['set', '/x', '/y', '--views', '10', '--note', 'n'], 'unexpected "/y"'],
    [['set', '/x', '--views', '1', '--note', 'n', '--local', '--stack', 'S'], '--local works on'],
    [
      ['set', '/x', '--date', '2026-02-30', '--views', '1', '--note', 'n'],
      '--date must be a date, YYYY-MM-DD, not 2026-02-30',
    ],
    [['set', '/x', '--date', '1/5/2026', '--views', '1', '--note', 'n'], '--date must be a date'],
    [['set', '/x', '--date', '2999-01-01', '--views', '1', '--note', 'n'], 'is in the future'],
    [['set', '/x', '--date', '--views', '1', '--note', 'n'], '--date needs a value'],
    [['set', '*', '--views', '1', '--note', 'n'], "* is a site's totals key"],
    [['set', 'https://blog.example*', '--views', '1', '--note', 'n'], "site's totals key"],
    [
      ['set', 'https://blog.example', '--date', '2026-01-01', '--views', '1', '--note', 'n'],
      'names a site, not a page',
    ],
  ])('refuses %j with exit code 2 before touching anything', async (argv, message) => {
    stubAwsEnvironment(aws);
    const calls = aws.requests.length;
    const ran = await admin(argv);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain(message);
    expect(aws.requests.length).toBe(calls);
  });
});

describe('set --date', () => {
  test("gives one day of a page exact counts; its all-time counter and the site's day stay", async () => {
    stubAwsEnvironment(aws);
    const day = '2025-06-01';
    const dated = appOn(day);
    const page = uniquePage('day');
    for (let person = 0; person < 3; person++) {
      expect((await visitOn(dated, page, person)).status).toBe(200);
    }
    // Two more today: the all-time counter holds five.
    for (let person = 3; person < 5; person++) await visit(page, person);
    const site = await readDayCounts(database(), '*', day);

    const ran = await admin([
      'set',
      page,
      '--date',
      day,
      '--views',
      '10',
      '--visitors',
      '1',
      '--note',
      'double-counted',
      '--stack',
      stack,
      '--yes',
    ]);
    expect(ran).toMatchObject({ code: 0, stderr: '' });
    expect(ran.stdout).toContain(`Set ${page} for ${day} on stack ${stack}`);
    expect(ran.stdout).toContain('views 3 → 10, visitors 3 → 1');
    expect(ran.stdout).toContain('Its all-time counter is not changed.');
    expect(await readDayCounts(database(), page, day)).toEqual({ views: 10, visitors: 1, bots: 0 });
    expect(await readCounts(database(), page)).toEqual({ views: 5, visitors: 5, bots: 0 });
    expect(await readDayCounts(database(), '*', day)).toEqual(site);

    const history = await admin(['history', page, '--json', '--stack', stack]);
    expect(JSON.parse(history.stdout)).toEqual([
      expect.objectContaining({
        page,
        action: 'set-day',
        day,
        who: CALLER_ARN,
        note: 'double-counted',
        fromViews: 3,
        toViews: 10,
        fromVisitors: 3,
        toVisitors: 1,
      }),
    ]);
    expect((await admin(['history', page, '--stack', stack])).stdout).toContain(`set-day ${day}`);

    // That day's visits go on from the new numbers.
    await visitOn(dated, page, 5);
    expect(await readDayCounts(database(), page, day)).toEqual({ views: 11, visitors: 2, bots: 0 });
  });

  test("corrects the whole site's day, what /api/stats shows without a page", async () => {
    stubAwsEnvironment(aws);
    const day = '2025-06-02';
    const dated = appOn(day);
    const [home, about] = [uniquePage('site-a'), uniquePage('site-b')];
    await visitOn(dated, home, 0);
    await visitOn(dated, about, 0);
    await visitOn(dated, about, 1);
    const stats = async () =>
      (
        (await (await dated.app.request('/api/stats?days=1')).json()) as {
          days: { views: number; visitors: number }[];
        }
      ).days[0];
    expect(await stats()).toMatchObject({ views: 3, visitors: 2 });

    const argv = ['set', '*', '--date', day, '--views', '100', '--note', 'a bot', '--stack', stack];
    const dry = await admin(argv);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toBe(
      `Would set * (the whole site) for ${day} on stack ${stack} in eu-west-1 (table ${table}): views 3 → 100, visitors 2 (unchanged). Its pages' counts are not changed.\n`,
    );
    expect(dry.stderr).toContain('nothing was changed: add --yes');
    expect(await stats()).toMatchObject({ views: 3, visitors: 2 });

    const ran = await admin([...argv, '--yes']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(await stats()).toMatchObject({ views: 100, visitors: 2 });
    expect(await readDayCounts(database(), about, day)).toMatchObject({ views: 2, visitors: 2 });
    const [entry] = JSON.parse((await admin(['history', '*', '--json', '--stack', stack])).stdout);
    expect(entry).toMatchObject({ page: '*', action: 'set-day', day, fromViews: 3, toViews: 100 });
  });

  test('keeps a visit that lands on that day between its read and its write', async () => {
    const day = '2025-06-03';
    const dated = appOn(day);
    const page = uniquePage('day-gap');
    for (let person = 0; person < 3; person++) await visitOn(dated, page, person);
    let raced = 0;
    const result = await setCounts(database(), {
      page,
      day,
      views: 50,
      note: 'gap',
      who: 'test',
      beforeWrite: async () => {
        if (raced++ > 0) return;
        await visitOn(dated, page, 3);
      },
    });
    expect(result.attempts).toBe(2);
    expect(result.from).toEqual({ views: 4, visitors: 4, bots: 0 });
    expect(await readDayCounts(database(), page, day)).toEqual({ views: 50, visitors: 4, bots: 0 });
  });
});

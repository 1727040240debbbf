import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  query,
  type TestApp,
  testApp,
  testClient,
  uniquePage,
  visitor,
} from '../../../test/support.js';
import { readCounts, setCounts } from '../../admin/counts.js';
import { createAdminDatabase } from '../../admin/database.js';
import {
  admin,
  CALLER_ARN,
  type FakeAws,
  freshTable,
  startFakeAws,
  stubAwsEnvironment,
} from './support.js';

let fake: FakeAws;
let table: string;
let app: TestApp;
const stack = 'FootfallSetTest';

beforeAll(async () => {
  fake = await startFakeAws();
  table = await freshTable('set');
  fake.stacks.set(stack, { TableName: table, SiteUrl: 'https://example.test' });
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
  await fake.close();
});
afterEach(() => vi.unstubAllEnvs());

/** A person's visit from their own address (200 people, not one reloading). */
const visit = (page: string, person: number) =>
  app.app.request(`/api/count${query(page)}`, {
    method: 'POST',
    headers: visitor(`198.51.${Math.floor(person / 250)}.${person % 250}`),
  });

const database = () => createAdminDatabase(app.client, table);

describe('set', () => {
  test('gives a page exact totals and records who, when, from, to and why', async () => {
    stubAwsEnvironment(fake);
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
    stubAwsEnvironment(fake);
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
    stubAwsEnvironment(fake);
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
  ])('refuses %j with exit code 2 before touching anything', async (argv, message) => {
    stubAwsEnvironment(fake);
    const calls = fake.actions.length;
    const ran = await admin(argv);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain(message);
    expect(fake.actions.length).toBe(calls);
  });
});

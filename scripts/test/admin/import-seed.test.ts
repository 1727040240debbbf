import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createDynamoDBClient } from '../../../service/src/db/client.js';
import { dynamodbLimits } from '../../../service/src/db/limits.js';
import {
  ensureTable,
  localCredentials,
  localRegion,
  startLocalDynamoDB,
  untilActive,
} from '../../../service/src/dev/local-dynamodb.js';
import {
  type AwsStandIn,
  CALLER_ARN,
  startAwsStandIn,
} from '../../../test/support/aws-stand-in.js';
import {
  type FaultMode,
  type FaultProxy,
  startFaultProxy,
} from '../../../test/support/fault-proxy.js';
import { endpoint, testClient, uniquePage } from '../../../test/support/index.js';
import { history, readCounts } from '../../admin/counts.js';
import { createAdminDatabase } from '../../admin/database.js';
import { admin, freshTable, stubAwsEnvironment } from './support.js';

let aws: AwsStandIn;
let client: DynamoDBClient;
let table: string;
const stack = 'FootfallSeedTest';

/**
 * The classic cloud resume tutorial's table, laid out exactly as it makes it: a numeric
 * partition key `mainid` and one item `{ mainid: 1, views: N }`.
 */
async function tutorialTable(
  at: DynamoDBClient,
  views: number,
  name = `resume-${Math.random().toString(36).slice(2)}`,
) {
  await createTable(at, {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'mainid', AttributeType: 'N' }],
    KeySchema: [{ AttributeName: 'mainid', KeyType: 'HASH' }],
  });
  await at.send(
    new PutItemCommand({
      TableName: name,
      Item: { mainid: { N: '1' }, views: { N: String(views) } },
    }),
  );
  return name;
}

/** Creates a table and waits until it takes writes (dynalite, like DynamoDB, needs a moment). */
async function createTable(at: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  await at.send(new CreateTableCommand(input));
  await untilActive(at, input.TableName ?? '');
}

beforeAll(async () => {
  aws = await startAwsStandIn();
  client = testClient();
  table = await freshTable('seed');
  aws.stacks.set(stack, { TableName: table });
});
afterAll(async () => {
  client.destroy();
  await aws.close();
});
afterEach(() => vi.unstubAllEnvs());

const database = () => createAdminDatabase(client, table);

describe('import-seed', () => {
  test("brings the tutorial's count over once, recorded; a second run changes nothing", async () => {
    stubAwsEnvironment(aws);
    const old = await tutorialTable(client, 4321);
    const page = uniquePage('seed');
    const seed = ['import-seed', '--table', old, '--page', page, '--stack', stack];

    const dry = await admin(seed);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain(
      `Would add 4,321 from ${old} (mainid = 1, views) to the views and visitors of ${page}`,
    );
    expect(await readCounts(database(), page)).toEqual({ views: 0, visitors: 0, bots: 0 });

    const ran = await admin([...seed, '--yes']);
    expect(ran).toMatchObject({ code: 0, stderr: '' });
    expect(ran.stdout).toContain('views 0 → 4,321, visitors 0 → 4,321');
    // The number the page shows, visitors or views, goes on from the old counter's.
    expect(await readCounts(database(), page)).toEqual({ views: 4321, visitors: 4321, bots: 0 });
    expect(await history(database(), page)).toEqual([
      expect.objectContaining({
        action: 'import-seed',
        who: CALLER_ARN,
        fromViews: 0,
        toViews: 4321,
        fromVisitors: 0,
        toVisitors: 4321,
        note: `imported from ${old} (mainid = 1, views)`,
        source: expect.stringMatching(
          new RegExp(`^arn:aws:dynamodb:[^:]+:\\d+:table/${old}#mainid=1#views$`),
        ),
      }),
    ]);

    // Again, even onto another page: refused, nothing added.
    for (const again of [
      [...seed, '--yes'],
      ['import-seed', '--table', old, '--stack', stack, '--yes'],
    ]) {
      const second = await admin(again);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        new RegExp(`was already imported on \\S+ by ${CALLER_ARN}, onto /test/seed/.*pass --force`),
      );
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await readCounts(database(), page)).toEqual({ views: 4321, visitors: 4321, bots: 0 });
    expect(await readCounts(database(), '/')).toEqual({ views: 0, visitors: 0, bots: 0 });

    // --force: the owner means it.
    expect((await admin([...seed, '--yes', '--force'])).code).toBe(0);
    expect(await readCounts(database(), page)).toEqual({ views: 8642, visitors: 8642, bots: 0 });
    expect(
      (await history(database(), page)).map((entry) => [entry.fromViews, entry.toViews]),
    ).toEqual([
      [0, 4321],
      [4321, 8642],
    ]);
  });

  test('two runs at once add the count once', async () => {
    stubAwsEnvironment(aws);
    const old = await tutorialTable(client, 70);
    const page = uniquePage('twice');
    const runs = await Promise.all(
      [1, 2, 3].map(() =>
        admin(['import-seed', '--table', old, '--page', page, '--stack', stack, '--yes']),
      ),
    );
    expect(runs.map((ran) => ran.code).sort()).toEqual([0, 1, 1]);
    expect(await readCounts(database(), page)).toEqual({ views: 70, visitors: 70, bots: 0 });
  });

  test('adds to what the page already counted', async () => {
    stubAwsEnvironment(aws);
    const old = await tutorialTable(client, 10);
    const page = uniquePage('adds');
    await admin([
      'set',
      page,
      '--views',
      '5',
      '--visitors',
      '2',
      '--note',
      'earlier',
      '--stack',
      stack,
      '--yes',
    ]);
    const ran = await admin([
      'import-seed',
      '--table',
      old,
      '--page',
      page,
      '--into',
      'views',
      '--stack',
      stack,
      '--yes',
    ]);
    expect(ran.stdout).toContain('to the views of');
    expect(await readCounts(database(), page)).toEqual({ views: 15, visitors: 2, bots: 0 });
    const [, seeded] = await history(database(), page);
    expect(seeded).toMatchObject({ fromViews: 5, toViews: 15, fromVisitors: 2, toVisitors: 2 });
  });

  test('reads a string-keyed variant with --key and --attribute', async () => {
    stubAwsEnvironment(aws);
    const name = `counter-${Math.random().toString(36).slice(2)}`;
    await createTable(client, {
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    });
    await client.send(
      new PutItemCommand({ TableName: name, Item: { id: { S: 'visitors' }, count: { N: '77' } } }),
    );
    const page = uniquePage('variant');
    const ran = await admin([
      'import-seed',
      '--table',
      name,
      '--key',
      'id=visitors',
      '--attribute',
      'count',
      '--page',
      page,
      '--stack',
      stack,
      '--yes',
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(await readCounts(database(), page)).toMatchObject({ views: 77 });
  });

  test.each([
    [['--table', 'no-such-table'], 'table no-such-table was not found'],
    [
      ['--table', 'TUTORIAL', '--key', 'id=1'],
      'is keyed by mainid, not id: pass --key mainid=VALUE',
    ],
    [['--table', 'TUTORIAL', '--key', 'mainid=one'], 'mainid is a number in'],
    [['--table', 'TUTORIAL', '--key', 'mainid=2'], 'has no item with mainid = 2'],
    [
      ['--table', 'TUTORIAL', '--attribute', 'count'],
      'has no such attribute for count: pass the attribute that holds the count with --attribute NAME',
    ],
  ])('explains %j in one line, exit 1', async (args, message) => {
    stubAwsEnvironment(aws);
    const old = await tutorialTable(client, 3);
    const page = uniquePage('bad');
    const ran = await admin([
      'import-seed',
      ...args.map((arg) => (arg === 'TUTORIAL' ? old : arg)),
      '--page',
      page,
      '--stack',
      stack,
      '--yes',
    ]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(message);
    expect(ran.stderr.trim().split('\n')).toHaveLength(1);
    expect(await readCounts(database(), page)).toEqual({ views: 0, visitors: 0, bots: 0 });
  });

  test.each([
    [['import-seed'], '--table is required'],
    [['import-seed', '--table', 't', '--key', 'mainid'], '--key must be NAME=VALUE'],
    [['import-seed', '--table', 't', '--page', 'home'], 'is not a page'],
    [['import-seed', '--table', 't', '--into', 'bots'], '--into must be views, visitors or both'],
  ])('refuses %j with exit code 2', async (argv, message) => {
    const ran = await admin(argv);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(message);
  });

  test("works on the dev server's data with --local, no --yes needed", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'footfall-admin-seed-'));
    const env = { FOOTFALL_DATA_DIR: join(dir, 'data') };
    // The old table, in the same local store (as if created with the tutorial's template locally).
    const local = await startLocalDynamoDB(env.FOOTFALL_DATA_DIR);
    const localClient = createDynamoDBClient({
      endpoint: local.endpoint,
      region: localRegion,
      credentials: localCredentials,
    });
    await ensureTable(localClient, 'footfall');
    const old = await tutorialTable(localClient, 12);
    localClient.destroy();
    await local.close();
    try {
      const ran = await admin(['import-seed', '--table', old, '--local'], { env });
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stdout).toContain(
        `Added 12 from ${old} to the views and visitors of / on local data in ${env.FOOTFALL_DATA_DIR}`,
      );
      const pages = await admin(['pages', '--json', '--local'], { env });
      expect(JSON.parse(pages.stdout)).toEqual([{ page: '/', views: 12, visitors: 12, bots: 0 }]);
      const shown = await admin(['history', '/', '--json', '--local'], { env });
      expect(JSON.parse(shown.stdout)[0].who).toMatch(/ \(local\)$/);
      expect((await admin(['import-seed', '--table', old, '--local'], { env })).code).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ADR 5 and 10: the claim is taken back only when the ADD certainly never applied.
describe('import-seed when adding the count fails', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(endpoint());
  });
  afterEach(() => {
    proxy.only = undefined;
    proxy.next = [];
  });
  afterAll(() => proxy.close());

  /**
   * The CLI's DynamoDB calls go through the proxy; `faults` meet only the writes `pick`s: the
   * ADD to `page`'s counter unless told otherwise.
   */
  function through(page: string, faults: FaultMode[], pick = addTo(page)) {
    stubAwsEnvironment(aws);
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', proxy.endpoint);
    proxy.requests = 0;
    proxy.only = pick;
    proxy.next = [...faults];
  }
  const addTo = (page: string) => (body: string) =>
    body.includes('"UpdateExpression"') && body.includes('"$counter_1"') && body.includes(page);

  test('a failure that never applied takes the claim back: a rerun adds the count once', async () => {
    const old = await tutorialTable(client, 250);
    const page = uniquePage('seed-refused');
    const seed = ['import-seed', '--table', old, '--page', page, '--stack', stack, '--yes'];
    // DynamoDB throttles every attempt: refused, so certainly not applied.
    through(page, Array(dynamodbLimits.maxAttempts).fill('throttle'));
    const failed = await admin(seed);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      `footfall admin import-seed: the count was not added to ${page} (ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded.); nothing changed: run this again\n`,
    );
    expect(proxy.requests).toBe(dynamodbLimits.maxAttempts);
    expect(await readCounts(database(), page)).toEqual({ views: 0, visitors: 0, bots: 0 });
    expect(await history(database(), page)).toEqual([]);

    through(page, []);
    const again = await admin(seed);
    expect(again.code, again.stderr).toBe(0);
    expect(await readCounts(database(), page)).toEqual({ views: 250, visitors: 250, bots: 0 });
    expect(await admin(seed)).toMatchObject({ code: 1 });
    expect(await readCounts(database(), page)).toEqual({ views: 250, visitors: 250, bots: 0 });
  });

  test.each([
    ['DynamoDB applies it and the answer is lost', 'apply-then-drop', 1],
    ['the answer never comes (request timeout)', 'apply-then-hang', 1],
    ['DynamoDB answers 500 (it may or may not have applied it)', 'server-error', 0],
  ] as const)(
    '%s: the claim stays, a rerun refuses, the count is added at most once',
    async (_, fault, applied) => {
      const old = await tutorialTable(client, 300);
      const page = uniquePage(`seed-${fault}`);
      const seed = ['import-seed', '--table', old, '--page', page, '--stack', stack, '--yes'];
      through(page, [fault]);
      const failed = await admin(seed);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(
        new RegExp(
          `^footfall admin import-seed: the count may or may not have been added to ${page} \\(AmbiguousWriteError: .*\\); the import stays recorded as done, so a rerun will not add it again: check npm run admin -- show ${page} \\(and history ${page}\\), and only if 300 was not added, run this again with --force\n$`,
        ),
      );
      // Not retried: a retry could add it twice.
      expect(proxy.requests).toBe(1);
      expect(await readCounts(database(), page)).toEqual({
        views: 300 * applied,
        visitors: 300 * applied,
        bots: 0,
      });

      through(page, []);
      const again = await admin(seed);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('was already imported');
      expect(again.stderr).toContain(`onto ${page}: nothing was changed (pass --force`);
      expect(proxy.requests).toBe(0);
      expect(await readCounts(database(), page)).toEqual({
        views: 300 * applied,
        visitors: 300 * applied,
        bots: 0,
      });
    },
  );

  test("with --force, a failure that never applied puts the earlier import's claim back", async () => {
    const old = await tutorialTable(client, 40);
    const page = uniquePage('seed-force');
    const seed = ['import-seed', '--table', old, '--page', page, '--stack', stack, '--yes'];
    through(page, []);
    expect((await admin(seed)).code).toBe(0);
    const first = (await admin(seed)).stderr;
    expect(first).toContain('was already imported');

    through(page, Array(dynamodbLimits.maxAttempts).fill('throttle'));
    expect((await admin([...seed, '--force'])).stderr).toContain('nothing changed');
    // Still the first import's record: a plain run still refuses, naming it.
    through(page, []);
    expect(await admin(seed)).toMatchObject({ code: 1, stderr: first });
    expect(await readCounts(database(), page)).toEqual({ views: 40, visitors: 40, bots: 0 });
  });

  test("a claim whose answer was lost is this run's own: the SDK's retry does not refuse it", async () => {
    const old = await tutorialTable(client, 55);
    const page = uniquePage('seed-claim-lost');
    // The claim is a PutItem (retried by the SDK, as it is conditional): its first answer is lost.
    through(
      page,
      ['apply-then-drop'],
      (body) => body.includes('"Item"') && body.includes('"$seed_1"'),
    );
    const ran = await admin([
      'import-seed',
      '--table',
      old,
      '--page',
      page,
      '--stack',
      stack,
      '--yes',
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(proxy.requests).toBe(2);
    expect(await readCounts(database(), page)).toEqual({ views: 55, visitors: 55, bots: 0 });
  });
});

import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand as PlainQueryCommand,
  ScanCommand as PlainScanCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { endpoint, tableName, testClient, uniquePage } from '../../test/support/index.js';
import { createDynamoDBClient } from '../src/db/client.js';
import { electroClient } from '../src/db/electro-client.js';
import { type CounterEntity, counterEntity } from '../src/db/entities/counter.js';
import { createDatabase } from '../src/db/index.js';
import { table } from '../src/db/table.js';
import { localCredentials, localRegion } from '../src/dev/local-dynamodb.js';

// electroClient command by command: every document command ElectroDB sends for footfall (get,
// put, create, update, upsert, patch, delete, query, scan) held to ElectroDB on lib-dynamodb's
// own document commands, answer for answer and item for item; and everything else refused.
const client = testClient();
const ours = createDatabase({ client, table: tableName() }).entities.counter;
const plainClient = new DynamoDBClient({
  endpoint: endpoint(),
  region: localRegion,
  credentials: localCredentials,
});
const stock = counterEntity({ client: plainClient, table: tableName() });
afterAll(() => {
  client.destroy();
  plainClient.destroy();
});

const originalErr = true;
/** A page and a site of their own for one side of one comparison. */
const place = (label: string) => {
  const page = uniquePage(label);
  return { page, site: `${page}#site` };
};
type Place = ReturnType<typeof place>;

/** What an operation answered, or the name of what it threw. */
const settle = (promise: Promise<unknown>) =>
  promise.then(
    (answer) => ({ answer }),
    (error: Error) => ({ threw: error.name }),
  );
/** `value` with the side's page (and so its site) written as `<page>`, to compare two sides. */
const named = (value: unknown, { page }: Place) =>
  JSON.parse(JSON.stringify(value ?? null).replaceAll(page, '<page>')) as unknown;
const stored = async ({ page }: Place) =>
  (
    await plainClient.send(
      new GetCommand({
        TableName: tableName(),
        Key: stock.get({ page }).params<{ Key: Record<string, unknown> }>().Key,
        ConsistentRead: true,
      }),
    )
  ).Item ?? null;

type Operation = (entity: CounterEntity, at: Place) => Promise<unknown>;
/** Some counts on `at`'s page, through the entity under test. */
const counted = (entity: CounterEntity, at: Place, views = 2) =>
  entity.upsert({ page: at.page, site: at.site }).add({ views }).go({ originalErr });

const operations: Record<string, Operation> = {
  'get of a page never counted (GetCommand)': (e, at) =>
    e.get({ page: at.page }).go({ consistent: true, originalErr }),
  'get (GetCommand)': async (e, at) => {
    await counted(e, at);
    return e.get({ page: at.page }).go({ consistent: true, originalErr });
  },
  'put, answering the old item (PutCommand)': async (e, at) => {
    await counted(e, at);
    return e
      .put({ page: at.page, site: at.site, views: 5, bots: 1 })
      .go({ response: 'all_old', originalErr });
  },
  'create, then create again (PutCommand with a condition)': async (e, at) => [
    await e.create({ page: at.page, site: at.site, views: 1 }).go({ originalErr }),
    await settle(e.create({ page: at.page, site: at.site, views: 9 }).go({ originalErr })),
  ],
  'upsert with add, answering the new item (UpdateCommand)': (e, at) =>
    e
      .upsert({ page: at.page, site: at.site })
      .add({ views: 3, visitors: 1 })
      .go({ response: 'all_new', originalErr }),
  'update with set, subtract and remove (UpdateCommand)': async (e, at) => {
    await counted(e, at, 7);
    await e.update({ page: at.page }).add({ bots: 4 }).go({ originalErr });
    return e
      .update({ page: at.page })
      .set({ visitors: 3 })
      .subtract({ views: 2 })
      .remove(['bots'])
      .go({ response: 'updated_old', originalErr });
  },
  'patch of a page never counted (UpdateCommand, failed condition)': (e, at) =>
    settle(e.patch({ page: at.page }).add({ views: 1 }).go({ originalErr })),
  'delete, answering the old item (DeleteCommand)': async (e, at) => {
    await counted(e, at);
    return e.delete({ page: at.page }).go({ response: 'all_old', originalErr });
  },
  'query, a page at a time with the cursor (QueryCommand)': async (e, at) => {
    for (const n of [1, 2, 3]) {
      await counted(e, { page: `${at.page}/${n}`, site: at.site }, n);
    }
    const pages = [];
    let cursor: string | null = null;
    do {
      const result: { data: unknown[]; cursor: string | null } = await e.query
        .bySite({ site: at.site })
        .go({ limit: 2, cursor, originalErr });
      pages.push(result.data);
      cursor = result.cursor;
    } while (cursor !== null);
    return pages;
  },
  'query between two keys, all pages (QueryCommand)': async (e, at) => {
    for (const n of [1, 2, 3, 4]) {
      await counted(e, { page: `${at.page}/${n}`, site: at.site }, n);
    }
    return e.query
      .bySite({ site: at.site })
      .between({ page: `${at.page}/2` }, { page: `${at.page}/3` })
      .go({ pages: 'all', originalErr });
  },
  'scan with a filter, all pages (ScanCommand)': async (e, at) => {
    await counted(e, at, 4);
    await counted(e, { page: `${at.page}/2`, site: at.site }, 5);
    const { data } = await e.scan
      .where(({ site }, { eq }) => eq(site, at.site))
      .go({ pages: 'all', originalErr });
    return data.toSorted((a, b) => a.page.localeCompare(b.page));
  },
};

describe('electroClient, operation by operation', () => {
  test.each(Object.keys(operations))('%s answers and stores as stock ElectroDB', async (name) => {
    const operation = operations[name] as Operation;
    const at = { ours: place('electro-ours'), theirs: place('electro-theirs') };
    const answers = {
      ours: await operation(ours, at.ours),
      theirs: await operation(stock, at.theirs),
    };
    expect(named(answers.ours, at.ours)).toEqual(named(answers.theirs, at.theirs));
    expect(named(await stored(at.ours), at.ours)).toEqual(
      named(await stored(at.theirs), at.theirs),
    );
  });

  test('a scan sends back the key its last page ended at (ExclusiveStartKey)', async () => {
    // The table is shared, so what a page holds is not known: what travels is checked instead.
    const sent: { input: Record<string, unknown> }[] = [];
    const answered: Record<string, unknown>[] = [];
    const recording = {
      send: async (command: { input: Record<string, unknown> }) => {
        sent.push(command);
        const answer = await client.send(command as never);
        answered.push(answer as unknown as Record<string, unknown>);
        return answer;
      },
    } as unknown as DynamoDBClient;
    const entity = createDatabase({ client: recording, table: tableName() }).entities.counter;
    for (const n of [1, 2, 3]) await counted(entity, place(`scan-${n}`));
    const first = await entity.scan.go({ limit: 2, originalErr });
    expect(first.cursor).toEqual(expect.any(String));
    const before = sent.length;
    await entity.scan.go({ limit: 2, cursor: first.cursor, originalErr });
    const lastKey = answered[before - 1]?.LastEvaluatedKey;
    expect(lastKey).toEqual({
      [table.partitionKey]: { S: expect.any(String) },
      [table.sortKey]: { S: expect.any(String) },
    });
    expect(sent[before]?.input.ExclusiveStartKey).toEqual(lastKey);
  });

  test('every plain command keeps the client’s cached middleware', async () => {
    // A fresh client, so the cache starts empty.
    const fresh = createDynamoDBClient({
      endpoint: endpoint(),
      region: localRegion,
      credentials: localCredentials,
    });
    const plain = [
      GetItemCommand,
      PutItemCommand,
      UpdateItemCommand,
      DeleteItemCommand,
      PlainQueryCommand,
      PlainScanCommand,
    ];
    const spies = plain.map((Command) => vi.spyOn(Command.prototype, 'resolveMiddleware'));
    try {
      const entity = createDatabase({ client: fresh, table: tableName() }).entities.counter;
      for (const label of ['cached-a', 'cached-b']) {
        const at = place(label);
        await entity.put({ page: at.page, site: at.site, views: 1 }).go({ originalErr });
        await counted(entity, at);
        await entity.get({ page: at.page }).go({ consistent: true, originalErr });
        await entity.query.bySite({ site: at.site }).go({ originalErr });
        await entity.scan.go({ limit: 1, originalErr });
        await entity.delete({ page: at.page }).go({ originalErr });
      }
      for (const spy of spies) expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      for (const spy of spies) spy.mockRestore();
      fresh.destroy();
    }
  });
});

describe('electroClient converts values exactly as lib-dynamodb does', () => {
  const values = {
    text: 'naïve 日本語 🎉',
    empty: '',
    integer: 42,
    negative: -7,
    fraction: 0.125,
    yes: true,
    no: false,
    nothing: null,
    list: [1, 'two', [3], { four: 4 }, null],
    emptyList: [],
    map: { nested: { deeper: ['x', 1] }, blank: '' },
    emptyMap: {},
    strings: new Set(['a', 'b']),
    numbers: new Set([1, 2.5]),
    bytes: new Uint8Array([0, 1, 254, 255]),
    byteSet: new Set([new Uint8Array([1]), new Uint8Array([2])]),
    dropped: undefined,
  };

  test('an item put, read, updated, queried and deleted', async () => {
    const document = electroClient(client);
    // One key, each side in turn (each ends by deleting the item), so the answers are equal.
    const pk = uniquePage('values');
    const key = { [table.partitionKey]: pk, [table.sortKey]: 'values' };
    const steps = async (send: (command: object) => Promise<unknown>) => [
      await send(new PutCommand({ TableName: tableName(), Item: { ...key, ...values } })),
      await send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true })),
      await send(
        new UpdateCommand({
          TableName: tableName(),
          Key: key,
          UpdateExpression: 'SET #list = list_append(#list, :more), #map.#added = :added',
          ConditionExpression: '#text = :text',
          ExpressionAttributeNames: {
            '#list': 'list',
            '#map': 'map',
            '#added': 'added',
            '#text': 'text',
          },
          ExpressionAttributeValues: {
            ':more': [{ five: new Set(['5']) }],
            ':added': { bytes: new Uint8Array([9]) },
            ':text': values.text,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
      await send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': table.partitionKey },
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: true,
        }),
      ),
      await send(new DeleteCommand({ TableName: tableName(), Key: key, ReturnValues: 'ALL_OLD' })),
    ];
    const withoutMetadata = (answers: unknown[]) =>
      answers.map(
        (answer): Record<string, unknown> => ({ ...(answer as object), $metadata: null }),
      );
    const theirs = withoutMetadata(await steps((command) => plainClient.send(command as never)));
    const answers = withoutMetadata(await steps((command) => document.send(command)));
    expect(answers).toEqual(theirs);
    const Item = answers[1]?.Item as Record<string, unknown>;
    const { dropped: _, ...sent } = values;
    expect(Item).toEqual({ ...key, ...sent });
    expect(Item).not.toHaveProperty('dropped');
    expect(Item.numbers).toEqual(new Set([1, 2.5]));
    expect(Item.bytes).toEqual(new Uint8Array([0, 1, 254, 255]));
  });
});

describe('electroClient refuses what it does not know, before sending anything', () => {
  const sent = vi.fn();
  const recording = electroClient({ send: sent } as unknown as DynamoDBClient);
  const key = { pk: 'x', sk: 'y' };

  test.each([
    ['a batch get', new BatchGetCommand({ RequestItems: { t: { Keys: [key] } } })],
    ['a batch write', new BatchWriteCommand({ RequestItems: { t: [] } })],
    ['a transaction', new TransactWriteCommand({ TransactItems: [] })],
    ['a transactional get', new TransactGetCommand({ TransactItems: [] })],
    ['a plain command', new GetItemCommand({ TableName: 't', Key: {} })],
    ['a look-alike', { input: { TableName: 't', Key: key } }],
    ['nothing', undefined],
    ['null', null],
  ])('%s', async (_name, command) => {
    await expect(recording.send(command)).rejects.toThrow(TypeError);
    await expect(recording.send(command)).rejects.toThrow(/sends only lib-dynamodb's GetCommand/);
    expect(sent).not.toHaveBeenCalled();
  });

  test.each([
    [
      'an unknown field',
      new GetCommand({ TableName: 't', Key: key, Surprise: 1 } as never),
      'Surprise',
    ],
    [
      'a legacy condition',
      new UpdateCommand({
        TableName: 't',
        Key: key,
        AttributeUpdates: { views: { Action: 'ADD', Value: 1 } },
      }),
      'AttributeUpdates',
    ],
    [
      'a legacy key condition',
      new QueryCommand({
        TableName: 't',
        KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: ['x'] } },
      }),
      'KeyConditions',
    ],
    [
      'item collection metrics (their answer holds values one level down)',
      new PutCommand({ TableName: 't', Item: key, ReturnItemCollectionMetrics: 'SIZE' }),
      'ReturnItemCollectionMetrics',
    ],
    [
      'a field named like an Object member',
      new GetCommand({ TableName: 't', Key: key, toString: 1 } as never),
      'toString',
    ],
  ])('%s in the input', async (_name, command, field) => {
    await expect(recording.send(command)).rejects.toThrow(TypeError);
    await expect(recording.send(command)).rejects.toThrow(`input field "${field}"`);
    expect(sent).not.toHaveBeenCalled();
  });

  test('an unknown field in the answer', async () => {
    const answering = electroClient({
      send: async () => ({ $metadata: {}, Item: { pk: { S: 'x' } }, Surprise: { S: 'y' } }),
    } as unknown as DynamoDBClient);
    await expect(answering.send(new GetCommand({ TableName: 't', Key: key }))).rejects.toThrow(
      new TypeError('electroClient does not carry GetCommand\'s output field "Surprise"'),
    );
  });

  test('ElectroDB’s batch get, sent by an entity', async () => {
    await expect(
      ours
        .get([{ page: uniquePage('batch-a') }, { page: uniquePage('batch-b') }])
        .go({ originalErr }),
    ).rejects.toThrow(TypeError);
  });
});

import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { endpoint, tableName, testClient, uniquePage } from '../../test/support/index.js';
import { createDynamoDBClient } from '../src/db/client.js';
import { electroClient } from '../src/db/electro-client.js';
import { counterEntity } from '../src/db/entities/counter.js';
import { createDatabase } from '../src/db/index.js';
import { localCredentials, localRegion } from '../src/dev/local-dynamodb.js';

// The data layer: footfall's entities sent through `electroClient` on the bounded client, held
// against ElectroDB exactly as it comes (lib-dynamodb's document client on a plain SDK client).
const client = testClient();
const database = createDatabase({ client, table: tableName() });
const { counter } = database.entities;
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

const tricky = [
  '/',
  '/About',
  '/about/',
  '/a#b$c_d',
  '/日本語/🎉',
  '/with space?and=query',
  '/\'quote"',
  '/%2F',
];
const raw = async (page: string) =>
  (await stock.get({ page }).go({ data: 'raw', consistent: true })).data as {
    Item?: Record<string, unknown>;
  };

describe('the counter entity through electroClient', () => {
  test.each(tricky)(
    'writes %j exactly as stock ElectroDB does, and reads it back',
    async (tail) => {
      const ours = uniquePage('ours') + tail;
      const theirs = uniquePage('theirs') + tail;
      await counter.upsert({ page: ours, site: '*' }).add({ views: 2 }).go();
      await stock.upsert({ page: theirs, site: '*' }).add({ views: 2 }).go();

      const a = (await raw(ours)).Item;
      const b = (await raw(theirs)).Item;
      expect(a).toMatchObject({ page: ours, views: 2, __edb_e__: 'counter', __edb_v__: '1' });
      const keyOf = (page: string) => counter.get({ page }).params<{ Key: object }>().Key;
      expect(a).toMatchObject(keyOf(ours));
      // Attribute for attribute the same, apart from the page that names it (and keys made of it).
      const named = { pk: null, page: null, gsi1sk: null };
      expect({ ...a, ...named }).toEqual({ ...b, ...named });

      expect((await counter.get({ page: theirs }).go({ consistent: true })).data).toEqual({
        page: theirs,
        site: '*',
        views: 2,
      });
      expect((await stock.get({ page: ours }).go({ consistent: true })).data).toEqual({
        page: ours,
        site: '*',
        views: 2,
      });
    },
  );

  test('an upsert returns the new total, and a page never counted reads as nothing', async () => {
    const page = uniquePage('totals');
    expect((await counter.get({ page }).go({ consistent: true })).data).toBeNull();
    for (const expected of [1, 2, 3]) {
      const { data } = await counter
        .upsert({ page })
        .add({ views: 1 })
        .go({ response: 'updated_new' });
      expect(data.views).toBe(expected);
    }
  });

  test('a query converts every item of the answer', async () => {
    const page = uniquePage('query');
    await counter.upsert({ page }).add({ views: 7 }).go();
    const { data } = await counter.query.byPage({ page }).go();
    expect(data).toEqual([{ page, views: 7 }]);
  });

  test('commands keep the client’s cached middleware, and each carries its own input', async () => {
    // A fresh client, so the cache starts empty.
    const fresh = createDynamoDBClient({
      endpoint: endpoint(),
      region: localRegion,
      credentials: localCredentials,
    });
    const spy = vi.spyOn(UpdateItemCommand.prototype, 'resolveMiddleware');
    try {
      const entity = createDatabase({ client: fresh, table: tableName() }).entities.counter;
      const pages = [uniquePage('cached-a'), uniquePage('cached-b'), uniquePage('cached-c')];
      for (const page of [...pages, ...pages]) {
        await entity.upsert({ page }).add({ views: 1 }).go();
      }
      // Resolved once for six writes; a document command resolved per call (or a cache keyed
      // on it) would show here, as would every visit landing on the first page.
      expect(spy).toHaveBeenCalledTimes(1);
      for (const page of pages) {
        expect((await stock.get({ page }).go({ consistent: true })).data?.views).toBe(2);
      }
    } finally {
      spy.mockRestore();
      fresh.destroy();
    }
  });

  test('electroClient refuses anything but a lib-dynamodb command', async () => {
    await expect(electroClient(client).send({ input: {} })).rejects.toThrow(TypeError);
  });
});

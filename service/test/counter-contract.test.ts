import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, test } from 'vitest';
import { counterItem, createCounterStore } from '../src/counter.js';
import { createCounterEntity } from '../src/counter-model.js';
import { tableName, testClient, uniquePage } from './support.js';

// The Lambda's store speaks DynamoDB directly; the ElectroDB model is the definition of record.
// These tests keep the two byte-for-byte compatible.
const client = testClient();
afterAll(() => client.destroy());
const store = createCounterStore({ client, table: tableName() });
const model = createCounterEntity({ client, table: tableName() });

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

describe('the store and the ElectroDB model', () => {
  test.each(tricky)('key the page %j identically', (page) => {
    const electro = model
      .upsert({ page })
      .add({ views: 1 })
      .params<{ Key: Record<string, string> }>();
    expect(electro.Key).toEqual({ pk: counterItem.partitionKey(page), sk: counterItem.sortKey });
    const read = model.get({ page }).params<{ Key: Record<string, string> }>();
    expect(read.Key).toEqual(electro.Key);
  });

  test('ElectroDB reads what the store wrote', async () => {
    const page = uniquePage('Store Wrote');
    await store.increment(page);
    await store.increment(page);
    const { data } = await model.get({ page }).go({ consistent: true });
    expect(data).toEqual({ page, views: 2 });
  });

  test('the store reads, and keeps counting, what ElectroDB wrote', async () => {
    const page = uniquePage('Electro Wrote');
    await model.upsert({ page }).add({ views: 5 }).go();
    expect(await store.views(page)).toBe(5);
    expect(await store.increment(page)).toBe(6);
    expect((await model.get({ page }).go({ consistent: true })).data?.views).toBe(6);
  });

  test('both write the same item, attribute for attribute', async () => {
    const ours = uniquePage('ours');
    const theirs = uniquePage('theirs');
    await store.increment(ours);
    await model.upsert({ page: theirs }).add({ views: 1 }).go();
    const item = async (page: string) =>
      (
        await client.send(
          new GetItemCommand({
            TableName: tableName(),
            Key: { pk: { S: counterItem.partitionKey(page) }, sk: { S: counterItem.sortKey } },
          }),
        )
      ).Item;
    const a = await item(ours);
    const b = await item(theirs);
    expect(Object.keys(a ?? {}).sort()).toEqual(Object.keys(b ?? {}).sort());
    expect({ ...a, pk: null, page: null }).toEqual({ ...b, pk: null, page: null });
    expect(a?.__edb_e__).toEqual({ S: 'counter' });
    expect(a?.__edb_v__).toEqual({ S: '1' });
  });
});

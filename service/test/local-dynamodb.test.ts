import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, expect, test } from 'vitest';
import { testClient } from '../../test/support/index.js';
import { createDatabase } from '../src/db/index.js';
import { createTableInput, table } from '../src/db/table.js';
import { ensureTable } from '../src/dev/local-dynamodb.js';

const client = testClient();
afterAll(() => client.destroy());

test('ensureTable adds the by-site index to a dev table made before it existed, keeping its items', async () => {
  const name = `footfall-old-${randomUUID()}`;
  const { GlobalSecondaryIndexes: _, ...older } = createTableInput(name);
  await client.send(
    new CreateTableCommand({
      ...older,
      AttributeDefinitions: older.AttributeDefinitions?.slice(0, 2),
    }),
  );
  // Counters as an earlier version wrote them: no site, so no by-site keys.
  const { counter } = createDatabase({ client, table: name }).entities;
  for (let i = 0; i < 30; i++)
    await counter
      .upsert({ page: `/kept/${i}` })
      .add({ views: i })
      .go();
  expect(await ensureTable(client, name)).toBe('exists');
  const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
  const { Items } = await client.send(new ScanCommand({ TableName: name, ConsistentRead: true }));
  expect(Items?.length).toBe(30);
  expect(new Set(Items?.map((item) => Number(item.views?.N)))).toEqual(
    new Set(Array.from({ length: 30 }, (_, i) => i)),
  );
  expect((await counter.get({ page: '/kept/7' }).go({ consistent: true })).data?.views).toBe(7);
  expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([
    table.bySiteIndex.name,
  ]);
  // And again: nothing left to do.
  expect(await ensureTable(client, name)).toBe('exists');
});

test('ensureTable creates a missing table with the index', async () => {
  const name = `footfall-new-${randomUUID()}`;
  expect(await ensureTable(client, name)).toBe('created');
  const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
  expect(Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe(table.bySiteIndex.name);
});

import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { counterEntity } from '../../service/src/db/entities/counter.js';
import { createDatabase } from '../../service/src/db/index.js';
import type { BenchContext } from './context.js';
import { step } from './format.js';

/**
 * ElectroDB's own work per call: the entity and electroClient on a client that answers at once
 * with what DynamoDB answered, so no SDK, network or server time is in the figure.
 */
export async function electrodbCost(ctx: BenchContext) {
  step('ElectroDB cost per call');
  const page = '/bench-own';
  const real = counterEntity({ client: ctx.raw, table: ctx.tableName });
  await real.upsert({ page }).add({ views: 1 }).go();
  const stored = await ctx.raw.send(
    new GetItemCommand({
      TableName: ctx.tableName,
      Key: marshall(real.get({ page }).params<{ Key: object }>().Key),
    }),
  );
  const instant = {
    send: async (command: unknown) =>
      command instanceof GetItemCommand
        ? { Item: stored.Item, $metadata: {} }
        : { Attributes: { views: stored.Item?.views }, $metadata: {} },
  } as unknown as DynamoDBClient;
  const own = createDatabase({ client: instant, table: ctx.tableName }).entities.counter;
  const perCall = async (call: () => Promise<unknown>) => {
    for (let i = 0; i < 2_000; i++) await call();
    const runs = 20_000;
    const started = performance.now();
    for (let i = 0; i < runs; i++) await call();
    return ((performance.now() - started) / runs) * 1000;
  };
  return {
    upsert: await perCall(() =>
      own.upsert({ page }).add({ views: 1 }).go({ response: 'updated_new', originalErr: true }),
    ),
    get: await perCall(() => own.get({ page }).go({ consistent: true, originalErr: true })),
  };
}

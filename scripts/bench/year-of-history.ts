import {
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { createDatabase } from '../../service/src/db/index.js';
import { httpApiEventViaCloudFront } from '../../test/support/lambda-events.js';
import { type BenchContext, loadHandler } from './context.js';
import { stats, step, timed } from './format.js';
import { startLatencyProxy } from './latency-proxy.js';

/**
 * A year of history through the handler (`GET /api/stats?days=366`: the query, zero-filling,
 * totals, JSON) against one raw `Query` of the same items, on the plain link.
 */
export async function yearOfHistory(ctx: BenchContext, samples: number) {
  step(`a year of history (${samples} each)`);
  const page = '/bench-history';
  const { daily } = createDatabase({ client: ctx.raw, table: ctx.tableName }).entities;
  const today = Date.now();
  const days = Array.from({ length: 366 }, (_, i) =>
    new Date(today - i * 86_400_000).toISOString().slice(0, 10),
  );
  for (let i = 0; i < days.length; i += 50) {
    await Promise.all(
      days.slice(i, i + 50).map((day, j) =>
        daily
          .upsert({ page, day })
          .add({ views: j + 1, visitors: 1, bots: 0 })
          .go(),
      ),
    );
  }
  const handler = await loadHandler(ctx.bundles.ours, ctx.endpoint, 'history');
  const event = httpApiEventViaCloudFront({
    method: 'GET',
    path: '/api/stats',
    rawQueryString: `page=${encodeURIComponent(page)}&days=366`,
  });
  const viaHandler = async () => {
    const result = await handler(event, {});
    if (result.statusCode !== 200) throw new Error(`stats answered ${result.statusCode}`);
  };
  // The same Query ElectroDB sends, made once with the document client.
  const params = daily.query
    .byPage({ page })
    .between({ day: days.at(-1) ?? '' }, { day: days[0] ?? '' })
    .params<QueryCommandInput>({ consistent: true });
  const document = DynamoDBDocumentClient.from(ctx.raw);
  const rawQuery = () => document.send(new QueryCommand(params));
  for (let i = 0; i < 20; i++) await Promise.all([viaHandler(), rawQuery()]);
  const ours: number[] = [];
  const reference: number[] = [];
  for (let i = 0; i < samples; i++) {
    ours.push(await timed(viaHandler));
    reference.push(await timed(rawQuery));
  }
  // DynamoDB requests one such GET makes, counted on the wire by a proxy that adds no delay
  // (a handler of its own, so the timings above never went through it).
  const counting = await startLatencyProxy(ctx.endpoint, 0);
  try {
    const counted = await loadHandler(ctx.bundles.ours, counting.endpoint, 'history-requests');
    const answer = await counted(event, {});
    if (answer.statusCode !== 200) throw new Error(`stats answered ${answer.statusCode}`);
    const before = counting.requests;
    await counted(event, {});
    return {
      ours: stats(ours),
      reference: stats(reference),
      requests: counting.requests - before,
    };
  } finally {
    await counting.close();
  }
}

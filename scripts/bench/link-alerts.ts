import { randomUUID } from 'node:crypto';
import { ALERT_WAIT_MS, type Tell } from '../../service/src/alerts/link-alerts.js';
import { compose } from '../../service/src/compose.js';
import { createDynamoDBClient } from '../../service/src/db/client.js';
import { localCredentials, localRegion } from '../../service/src/dev/local-dynamodb.js';
import { countingLimits } from '../../service/src/domain/counting-limits.js';
import { AddressList } from '../../service/src/domain/visitor.js';
import type { BenchContext } from './context.js';
import { ms, type Row, stats, step, table } from './format.js';
import { atMost, type Check, type Section, targetText, verdict } from './targets.js';

const PERSON =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAMPLES = 40;

/**
 * What telling the owner costs a visitor (ADR 14): the answer time of a link's first open of a
 * day (which tells) against a later open of the same kind (which does not), interleaved, with
 * the owner told through a stand-in for SNS that answers in 5 ms, and one that takes 300 ms.
 * The app is the Lambda's, in this process, answering as the Lambda entry does: the response,
 * then at most ALERT_WAIT_MS for alerts under way.
 */
export async function linkAlerts(ctx: BenchContext): Promise<Section> {
  step('link alerts: first opens against later opens');
  const rows: Row[] = [];
  const checks: Check[] = [];
  for (const snsMs of [5, 300]) {
    const tell: Tell = () => new Promise((resolve) => setTimeout(resolve, snsMs));
    const client = createDynamoDBClient({
      endpoint: ctx.endpoint,
      region: localRegion,
      credentials: localCredentials,
    });
    const site = compose(
      {
        tableName: ctx.tableName,
        visitsTableName: ctx.visitsTableName,
        dynamodbEndpoint: ctx.endpoint,
        allowedOrigins: [],
        viewsPerAddressPerDay: 0,
        viewsPerNetworkPerDay: 0,
        newPagesPerAddressPerDay: 0,
        maxPagesPerSite: countingLimits.maxPagesPerSite.max,
        excludedAddresses: new AddressList([]),
      },
      (c) => c.req.header('x-bench-address'),
      { client, tell, log: () => {} },
    );
    await site.ready;
    let visitor = 0;
    const open = async (slug: string) => {
      visitor++;
      const started = performance.now();
      const res = await site.app.request(`/api/count?page=%2Fbench-links&via=${slug}`, {
        method: 'POST',
        headers: {
          'user-agent': `${PERSON} v/${visitor}`,
          'x-bench-address': `198.18.${(visitor >> 8) & 255}.${visitor & 255}`,
        },
      });
      await res.arrayBuffer();
      const answered = performance.now();
      await site.alerts.settle(ALERT_WAIT_MS);
      const done = performance.now();
      return { total: done - started, telling: done - answered };
    };
    const first: { total: number; telling: number }[] = [];
    const later: { total: number; telling: number }[] = [];
    for (let i = 0; i < SAMPLES + 5; i++) {
      const slug = `bench-${randomUUID().slice(0, 8)}`;
      await site.database.entities.link
        .create({ slug, page: '/bench-links', createdAt: new Date().toISOString() })
        .go();
      // Both are a new visitor's open (two round trips; the first also reads the link, in the
      // first of them): only the link's first of the day tells.
      const told = await open(slug);
      const quiet = await open(slug);
      if (i >= 5) {
        first.push(told);
        later.push(quiet);
      }
    }
    await site.alerts.settle(1_000);
    client.destroy();
    const [a, b] = [stats(first.map((x) => x.total)), stats(later.map((x) => x.total))];
    const telling = stats(first.map((x) => x.telling));
    const delay = telling.median;
    rows.push([
      `SNS answering in ${snsMs} ms`,
      ms(a.median),
      ms(b.median),
      `${ms(telling.median)} (p95 ${ms(telling.p95)})`,
    ]);
    const check: Check = {
      measure: `a link's first open of the day: answer delayed by telling, median (SNS in ${snsMs} ms)`,
      target: atMost(ALERT_WAIT_MS + 5, 'ms'),
      measured: delay,
    };
    checks.push(check);
    rows[rows.length - 1]?.push(`${targetText(check.target)}: ${verdict(check)}`);
  }
  return {
    text: `## Telling the owner of a link's first open

The first open of a link on a day tells the owner (ADR 14); the visitor's answer waits at most
${ALERT_WAIT_MS} ms for it. ${SAMPLES} pairs of opens, in-process over the bench's dynalite: each
answer's median time, and the delay telling added to the first (from the response being ready
to the handler returning):

${table(['telling', 'first open (tells)', 'later open', 'delay telling added', 'target'], rows)}
`,
    checks,
  };
}

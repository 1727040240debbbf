import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type BenchContext, invoker, loadHandler, rawCalls, referenceKey } from './context.js';
import { ms, type Row, stats, step, table, timed } from './format.js';
import { type Check, exactly, type Section, targetText, verdict } from './targets.js';

const TOTAL = 500;
const LEVELS = [1, 10, 100, 500];

/** Increments of one page at each level of concurrency, against the design footfall replaces. */
export async function concurrency(ctx: BenchContext): Promise<Section> {
  step(`concurrency ${LEVELS.join(', ')}`);
  const invoke = invoker(await loadHandler(ctx.bundles.ours, ctx.endpoint, 'concurrency'));
  const raw = rawCalls(ctx.raw, ctx);
  const readThenWrite = async (id: string) => {
    const { Item } = await raw.get(id);
    const views = Number(Item?.views?.N ?? 0) + 1;
    await ctx.raw.send(
      new PutItemCommand({
        TableName: ctx.tableName,
        Item: { ...referenceKey(id), views: { N: String(views) } },
      }),
    );
  };
  const run = async (level: number, design: () => Promise<unknown>) => {
    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const worker = async () => {
      while (next++ < TOTAL) {
        try {
          latencies.push(await timed(design));
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: level }, worker));
    return { ...stats(latencies), errors };
  };

  const rows: Row[] = [];
  const checks: Check[] = [];
  for (const level of LEVELS) {
    const page = `/concurrency-${level}`;
    const ff = await run(level, () => invoke('POST', page));
    const ffCount = (await invoke('GET', page)).views;
    const rtw = await run(level, () => readThenWrite(`rtw-${level}`));
    const rtwCount = Number((await raw.get(`rtw-${level}`)).Item?.views?.N ?? 0);
    const check: Check = {
      measure: `increments lost at concurrency ${level}`,
      target: exactly(0, 'count'),
      measured: TOTAL - ffCount,
    };
    checks.push(check);
    rows.push([
      String(level),
      `${ms(ff.median)} / ${ms(ff.p95)}`,
      `${TOTAL - ffCount} (${ff.errors} errors)`,
      targetText(check.target),
      verdict(check),
      `${ms(rtw.median)} / ${ms(rtw.p95)}`,
      `${TOTAL - rtwCount} (${rtw.errors} errors)`,
    ]);
  }
  const text = `## Exactness under concurrency

${TOTAL} increments of one page at each level of concurrency, one person's POSTs: footfall's
handler (atomic \`ADD\`s to the page's counter, its day and the site's day) against the design it
replaces (\`GetItem\`, add one, \`PutItem\`). Latency is per request; "lost" is ${TOTAL} minus the
final count. Target: 0 lost at every level.

${table(['concurrency', 'footfall median / p95', 'footfall lost', 'target', 'met?', 'read-then-write median / p95', 'read-then-write lost'], rows)}`;
  return { text, checks };
}

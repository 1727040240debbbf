import { join } from 'node:path';
import type { BenchContext } from './context.js';
import { step, table } from './format.js';
import { loadTest } from './load.js';
import { startDevServerProcess } from './processes.js';
import { type Check, exactly, met, type Section } from './targets.js';

const CONNECTIONS = 50;

/** Load on the local dev server (dynalite on disk, as `npm run dev` runs it). */
export async function devServerLoad(
  ctx: BenchContext,
  workDir: string,
  seconds: number,
): Promise<Section> {
  step(`load: ${CONNECTIONS} connections for ${seconds} s`);
  const dev = await startDevServerProcess(ctx.root, {
    ...ctx.env,
    FOOTFALL_DATA_DIR: join(workDir, 'dev-data'),
    TABLE_NAME: 'footfall',
    DYNAMODB_ENDPOINT: '',
    // One browser's POSTs, every one a view: no daily limit.
    VIEWS_PER_ADDRESS_PER_DAY: '0',
  });
  try {
    const load = await loadTest(dev.url, { connections: CONNECTIONS, seconds, page: '/load' });
    const added = load.after - load.before;
    // As the short version in npm test (scripts/test/bench/load.test.ts) asserts.
    const checks: Check[] = [
      {
        measure: 'load on the dev server: errors',
        target: exactly(0, 'count'),
        measured: load.failed,
      },
      {
        measure: 'load on the dev server: requests sent but not counted (or counted twice)',
        target: exactly(0, 'count'),
        measured: Math.abs(load.sent - added),
      },
    ];
    const missed = checks.filter((check) => !met(check));
    const text = `## Load on the dev server

\`autocannon\`, ${CONNECTIONS} keep-alive connections POSTing one page for ${seconds} s against \`npm run dev\`
(dynalite on disk, in the server's process), then the count read back. Requests still in flight
when the clock stops are answered after it: they are counted by the server, not by autocannon.
Target: no errors, and every request sent counted exactly once.

${table(
  [
    'requests sent',
    '2xx',
    'errors (non-2xx, failed, timed out)',
    'requests/s',
    'latency p50 / p99 / max',
    'count added',
    'target',
    'met?',
  ],
  [
    [
      String(load.sent),
      String(load.ok),
      String(load.failed),
      load.requestsPerSecond.toFixed(0),
      `${load.latencyMs.p50} / ${load.latencyMs.p99} / ${load.latencyMs.max} ms`,
      String(added),
      '0 errors, count added = requests sent',
      missed.length === 0
        ? 'met'
        : `missed: ${[
            load.failed ? `${load.failed} errors` : '',
            added === load.sent ? '' : `count added off by ${added - load.sent}`,
          ]
            .filter(Boolean)
            .join(', ')}`,
    ],
  ],
)}`;
    return { text, checks };
  } finally {
    dev.child.kill('SIGINT');
  }
}

import { join } from 'node:path';
import { loadTest } from '../lib/load.js';
import type { BenchContext } from './context.js';
import { step, table } from './format.js';
import { startDevServerProcess } from './processes.js';

const CONNECTIONS = 50;

/** Load on the local dev server (dynalite on disk, as `npm run dev` runs it). */
export async function devServerLoad(
  ctx: BenchContext,
  workDir: string,
  seconds: number,
): Promise<string> {
  step(`load: ${CONNECTIONS} connections for ${seconds} s`);
  const dev = await startDevServerProcess(ctx.root, {
    ...process.env,
    FOOTFALL_DATA_DIR: join(workDir, 'dev-data'),
    TABLE_NAME: 'footfall',
    DYNAMODB_ENDPOINT: '',
  });
  try {
    const load = await loadTest(dev.url, { connections: CONNECTIONS, seconds, page: '/load' });
    const added = load.after - load.before;
    return `## Load on the dev server

\`autocannon\`, ${CONNECTIONS} keep-alive connections POSTing one page for ${seconds} s against \`npm run dev\`
(dynalite on disk, in the server's process), then the count read back. Requests still in flight
when the clock stops are answered after it: they are counted by the server, not by autocannon.

${table(
  [
    'requests sent',
    '2xx',
    'errors (non-2xx, failed, timed out)',
    'requests/s',
    'latency p50 / p99 / max',
    'count added',
    'exact',
  ],
  [
    [
      String(load.sent),
      String(load.ok),
      String(load.failed),
      load.requestsPerSecond.toFixed(0),
      `${load.latencyMs.p50} / ${load.latencyMs.p99} / ${load.latencyMs.max} ms`,
      String(added),
      added === load.sent && load.failed === 0 ? 'yes' : 'NO',
    ],
  ],
)}`;
  } finally {
    dev.child.kill('SIGINT');
  }
}

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { compileChildren, runChild, startDevServerProcess } from '../../bench/processes.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

// The benchmark waits for `npm run dev` by its readiness message, not by reading its log.
test('the dev server tells a parent with an IPC channel when it is ready, then serves', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'footfall-ready-'));
  const dev = await startDevServerProcess(root, {
    ...process.env,
    FOOTFALL_DATA_DIR: join(dir, 'data'),
    DYNAMODB_ENDPOINT: '',
  });
  try {
    expect(dev.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${dev.url}/api/health`);
    expect(await res.json()).toEqual({ ok: true });
    // The channel is closed once the message is sent: it never keeps the server alive.
    await expect.poll(() => dev.child.connected).toBe(false);
  } finally {
    const exited = new Promise((resolve) => dev.child.once('exit', resolve));
    dev.child.kill('SIGINT');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
});

test('a dev server that cannot start ends the wait with an error', async () => {
  // A data folder that is a file: the server cannot start, and the wait ends with an error.
  await expect(
    startDevServerProcess(root, { ...process.env, FOOTFALL_DATA_DIR: '/dev/null' }, 20_000),
  ).rejects.toThrow(/dev server (exited|was not ready)/);
});

// getrusage's maxRSS keeps the forking parent's peak across execve on Linux: the memory section
// would report the benchmark's own size for every child.
test('the memory child reports its own peak RSS, not the peak of the process that started it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'footfall-serve-'));
  // 200 MiB resident in this process, the parent, while it starts the child.
  const ballast = Buffer.alloc(200 * 2 ** 20, 1);
  try {
    const children = await compileChildren(root);
    const bundle = join(dir, 'empty.mjs');
    await writeFile(bundle, 'export const handler = async () => ({ statusCode: 200 });\n');
    const served = runChild<{ ok: number; maxRssKiB: number }>(children.serve, [bundle, '0'], {
      ...process.env,
      BENCH_EVENT: 'null',
    });
    expect(process.memoryUsage().rss).toBeGreaterThan(200 * 2 ** 20);
    // A Node process importing an empty module: tens of MiB, far under the parent's 200.
    expect(served.maxRssKiB).toBeGreaterThan(0);
    expect(served.maxRssKiB / 1024).toBeLessThan(150);
  } finally {
    ballast.fill(0);
    await rm(dir, { recursive: true, force: true });
  }
});

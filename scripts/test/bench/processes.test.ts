import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { startDevServerProcess } from '../../bench/processes.js';

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

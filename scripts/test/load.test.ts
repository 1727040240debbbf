import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../../service/src/config.js';
import { type DevServer, startDevServer } from '../../service/src/dev-server.js';
import { loadTest } from '../lib/load.js';

let scratch: string;
let server: DevServer;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'footfall-load-'));
  server = await startDevServer(
    loadConfig({ PORT: '0', FOOTFALL_DATA_DIR: join(scratch, 'data') }),
    {
      siteDir: join(scratch, 'site'),
      log: () => {},
    },
  );
});
afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

// A short version of the benchmark's 10 s load test: correctness under load, not speed.
test('POST /api/count under 50 connections for 2 s: no errors, every request counted exactly once', async () => {
  const result = await loadTest(server.url, { connections: 50, seconds: 2, page: '/load-test' });
  console.info(
    `load: ${result.sent} sent, ${result.ok} 2xx, ${result.failed} failed, ${Math.round(result.requestsPerSecond)} req/s`,
  );
  expect(result.failed).toBe(0);
  expect(result.sent).toBeGreaterThan(50);
  // Requests still in flight when the clock stopped were counted by the server, not by the client.
  expect(result.ok).toBeGreaterThanOrEqual(result.sent - 50);
  expect(result.after - result.before).toBe(result.sent);
});

test('the load test refuses to leave loopback', async () => {
  await expect(
    loadTest('http://192.0.2.1:8787', { connections: 1, seconds: 1, page: '/x' }),
  ).rejects.toThrow(/only run against loopback/);
});

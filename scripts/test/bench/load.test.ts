import { afterAll, beforeAll, expect, test } from 'vitest';
import { scratchDevServer } from '../../../test/support/index.js';
import { loadTest } from '../../bench/load.js';

let server: Awaited<ReturnType<typeof scratchDevServer>>;
beforeAll(async () => {
  // The dev server's own limits for its embedded dynalite, which a busy machine can starve.
  // Every POST a view: one browser at one address, counted without a daily limit.
  server = await scratchDevServer('load', { env: { VIEWS_PER_ADDRESS_PER_DAY: '0' } });
});
afterAll(async () => {
  await server?.close();
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

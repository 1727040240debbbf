import { describe, expect, onTestFinished, test } from 'vitest';
import { refusingEndpoint } from '../../test/support/fault-proxy.js';
import { testApp, testClient, visitor } from '../../test/support/index.js';
import { answerMetrics } from '../src/http/answer-metrics.js';
import { ORIGIN_VERIFY_HEADER } from '../src/http/cloudfront.js';

// What the deployment's canary alarms read (cdk/lib/delivery.ts): the new version's refusals of
// CloudFront and its 5xx answers, as CloudWatch metrics in the embedded metric format.

const SECRET = 'origin-secret-for-answer-metrics-0123456789';
const instance = { functionName: 'FootfallApiFunction', version: '7' };

/** The app behind CloudFront, on a clock the test moves. */
function behindCloudFront(options: Parameters<typeof testApp>[0] = {}) {
  let time = Date.parse('2025-03-01T12:00:00Z');
  const subject = testApp({
    originSecrets: [SECRET],
    instance,
    now: () => new Date(time),
    ...options,
  });
  onTestFinished(() => subject.client.destroy());
  const lines = () => subject.logs.filter((line) => line.msg === 'answers counted');
  /** The total of `metric` over every line written. */
  const total = (metric: string) =>
    lines().reduce((sum, line) => sum + (typeof line[metric] === 'number' ? line[metric] : 0), 0);
  return {
    ...subject,
    lines,
    total,
    advance: (ms: number) => {
      time += ms;
    },
    refused: () => subject.app.request('/api/health'),
    served: () =>
      subject.app.request('/api/health', { headers: { [ORIGIN_VERIFY_HEADER]: SECRET } }),
  };
}

describe('the answers the canary watches', () => {
  test('GET /api/health without CloudFront’s secret is refused, and counted as OriginRefused for this function and version', async () => {
    const s = behindCloudFront();
    expect((await s.refused()).status).toBe(403);
    expect(s.lines()).toEqual([
      {
        level: 'info',
        msg: 'answers counted',
        // EMF: the dimensions' values and the metric's value are members of the line itself.
        FunctionName: instance.functionName,
        ExecutedVersion: instance.version,
        OriginRefused: 1,
        _aws: {
          Timestamp: Date.parse('2025-03-01T12:00:00Z'),
          CloudWatchMetrics: [
            {
              Namespace: 'footfall',
              Dimensions: [['FunctionName', 'ExecutedVersion'], ['FunctionName']],
              Metrics: [{ Name: 'OriginRefused', Unit: 'Count' }],
            },
          ],
        },
      },
    ]);
    // A request CloudFront sent is served and counts as nothing.
    s.advance(5_000);
    expect((await s.served()).status).toBe(200);
    expect(s.lines()).toHaveLength(1);
  });

  test('10,000 refusals in one second write one line at once and one with the rest: none lost', async () => {
    const s = behindCloudFront();
    for (let i = 0; i < 10_000; i++) expect((await s.refused()).status).toBe(403);
    expect(s.lines()).toHaveLength(1);
    expect(s.total(answerMetrics.originRefused)).toBe(1);
    // The next request after the interval, whatever it is, writes what the burst left.
    s.advance(answerMetrics.flushIntervalMs);
    expect((await s.served()).status).toBe(200);
    expect(s.lines()).toHaveLength(2);
    expect(s.total(answerMetrics.originRefused)).toBe(10_000);
  });

  test('10,000 refusals over 20 seconds write at most one line a second', async () => {
    const s = behindCloudFront();
    for (let i = 0; i < 10_000; i++) {
      await s.refused();
      s.advance(2); // 500 refusals a second
    }
    s.advance(answerMetrics.flushIntervalMs);
    await s.served();
    // 20 seconds of refusals, and the line the next request wrote.
    expect(s.lines().length).toBeLessThanOrEqual(21);
    expect(s.total(answerMetrics.originRefused)).toBe(10_000);
    const times = s.lines().map((line) => (line._aws as { Timestamp: number }).Timestamp);
    for (const [i, time] of times.entries()) {
      if (i > 0) expect(time - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(1_000);
    }
  });

  test('POST /api/count answered 503 (DynamoDB unreachable) is counted as ServerErrors', async () => {
    const s = behindCloudFront({ client: testClient(await refusingEndpoint()), deadlineMs: 500 });
    const res = await s.app.request('/api/count', {
      method: 'POST',
      headers: { ...visitor(), [ORIGIN_VERIFY_HEADER]: SECRET },
    });
    expect(res.status).toBe(503);
    expect(s.lines()).toEqual([
      expect.objectContaining({
        FunctionName: instance.functionName,
        ExecutedVersion: instance.version,
        ServerErrors: 1,
        _aws: expect.objectContaining({
          CloudWatchMetrics: [
            expect.objectContaining({ Metrics: [{ Name: 'ServerErrors', Unit: 'Count' }] }),
          ],
        }),
      }),
    ]);
  });

  test('4xx answers other than the origin check count as nothing', async () => {
    const s = behindCloudFront();
    const headers = { [ORIGIN_VERIFY_HEADER]: SECRET };
    expect((await s.app.request('/api/count?page=bad', { headers })).status).toBe(400);
    expect((await s.app.request('/api/nowhere', { headers })).status).toBe(404);
    expect(s.lines()).toEqual([]);
  });
});

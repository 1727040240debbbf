import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { startLatencyProxy } from '../../bench/latency-proxy.js';
import { report } from '../../bench/report.js';
import {
  atMost,
  type Check,
  exactly,
  met,
  summary,
  targetText,
  under,
  verdict,
} from '../../bench/targets.js';

const check = (target: Check['target'], measured: number): Check => ({
  measure: 'something',
  target,
  measured,
});

describe('a target met or missed', () => {
  test.each([
    // ≤: the limit itself is met; over it, missed by the distance as printed.
    [atMost(1.5, 'ratio'), 1.5, 'met'],
    [atMost(1.5, 'ratio'), 1.2, 'met'],
    [atMost(1.5, 'ratio'), 2.0709, 'missed by 0.57x'],
    [atMost(1.75, 'ratio'), 2.2544, 'missed by 0.50x'],
    [atMost(560, 'KiB'), 670.4, 'missed by 110.4 KiB'],
    [atMost(560, 'KiB'), 559.96, 'met'],
    [atMost(300, 'µs'), 92, 'met'],
    [atMost(300, 'µs'), 301, 'missed by 1 µs'],
    // Judged as printed: 1.104 prints as 1.10x, which meets ≤ 1.1x; 1.106 prints as 1.11x.
    [atMost(1.1, 'ratio'), 1.104, 'met'],
    [atMost(1.1, 'ratio'), 1.106, 'missed by 0.01x'],
    // <: the limit itself is missed.
    [under(128, 'MiB'), 126.7, 'met'],
    [under(128, 'MiB'), 128, 'missed (at the limit)'],
    [under(128, 'MiB'), 179.3, 'missed by 51.3 MiB'],
    // =: anything else is missed, either way.
    [exactly(0, 'count'), 0, 'met'],
    [exactly(0, 'count'), 21, 'missed by 21'],
    [exactly(2, 'mean'), 2, 'met'],
    [exactly(2, 'mean'), 2.5, 'missed by 0.5'],
    [exactly(2, 'mean'), 1, 'missed by 1.0'],
    // Dollars, to the cent: $2.995 prints as $3.00, which is not under $3.
    [under(3, 'USD'), 2.9, 'met'],
    [under(3, 'USD'), 2.995, 'missed (at the limit)'],
    [under(3, 'USD'), 3.4375, 'missed by $0.44'],
    // No figure is never a pass.
    [atMost(1.5, 'ratio'), Number.NaN, 'missed (no figure)'],
    [exactly(0, 'count'), Number.POSITIVE_INFINITY, 'missed (no figure)'],
  ] as const)('%j with %d: %s', (target, measured, expected) => {
    expect(verdict(check(target, measured))).toBe(expected);
    expect(met(check(target, measured))).toBe(expected === 'met');
  });

  test('targets read as the docs write them', () => {
    expect(targetText(atMost(1.5, 'ratio'))).toBe('≤ 1.5x');
    expect(targetText(atMost(1.1, 'ratio'))).toBe('≤ 1.1x');
    expect(targetText(atMost(560, 'KiB'))).toBe('≤ 560 KiB');
    expect(targetText(atMost(300, 'µs'))).toBe('≤ 300 µs');
    expect(targetText(under(128, 'MiB'))).toBe('< 128 MiB');
    expect(targetText(exactly(0, 'count'))).toBe('= 0');
    expect(targetText(under(3, 'USD'))).toBe('< $3');
  });

  test('the summary lists every check with its target, figure and verdict, and counts the misses', () => {
    const text = summary([
      { measure: 'cold import, median', target: atMost(1.5, 'ratio'), measured: 2.07 },
      { measure: 'bundle size', target: atMost(560, 'KiB'), measured: 670.4 },
      { measure: 'lost at 500', target: exactly(0, 'count'), measured: 0 },
    ]);
    expect(text).toContain('1 of 3 met, 2 missed.');
    expect(text).toContain('| measure | target | measured | met? |');
    expect(text).toContain('| cold import, median | ≤ 1.5x | 2.07x | missed by 0.57x |');
    expect(text).toContain('| bundle size | ≤ 560 KiB | 670.4 KiB | missed by 110.4 KiB |');
    expect(text).toContain('| lost at 500 | = 0 | 0 | met |');
    expect(summary([{ measure: 'x', target: exactly(0, 'count'), measured: 0 }])).toContain(
      '1 of 1 met.',
    );
  });

  test('the report puts the summary of every section’s checks before the sections', () => {
    const text = report(
      [
        {
          text: '## One',
          checks: [{ measure: 'a', target: atMost(1, 'ratio'), measured: 2 }],
        },
        { text: '## Two', checks: [{ measure: 'b', target: exactly(0, 'count'), measured: 0 }] },
      ],
      'a test machine',
      '2026-01-01',
    );
    expect(text).toContain('on 2026-01-01: a test machine.');
    const at = (heading: string) => text.indexOf(heading);
    expect(at('## Targets')).toBeGreaterThan(0);
    expect(at('## One')).toBeGreaterThan(at('## Targets'));
    expect(at('## Two')).toBeGreaterThan(at('## One'));
    expect(text).toContain('| a | ≤ 1x | 2.00x | missed by 1.00x |');
    expect(text).toContain('| b | = 0 | 0 | met |');
  });
});

test('the latency proxy counts requests sent together as one round trip', async () => {
  const upstream = createServer((_req, res) => setTimeout(() => res.end('{}'), 5));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const proxy = await startLatencyProxy(
    `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    2,
  );
  try {
    const call = async () => (await fetch(proxy.endpoint)).text();
    await call();
    expect({ requests: proxy.requests, roundTrips: proxy.roundTrips }).toEqual({
      requests: 1,
      roundTrips: 1,
    });
    // Three at once, then one after their answers: as a person's POST makes them.
    await Promise.all([call(), call(), call()]);
    await call();
    expect({ requests: proxy.requests, roundTrips: proxy.roundTrips }).toEqual({
      requests: 5,
      roundTrips: 3,
    });
  } finally {
    await proxy.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

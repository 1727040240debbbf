import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningDev, startDev } from '../../test/support/dev-process.js';
import { BROWSER_UA, query, uniquePage } from '../../test/support/index.js';

// Bursts from one address (a shared office, a NAT, one eager browser) against `npm run dev` in a
// process of its own, as a person runs it, with the per-address limit off: every POST answers
// 200 and every visit is counted exactly once (ADR 12).
let dir: string;
let dev: RunningDev;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'footfall-bursts-'));
  dev = await startDev({
    env: { FOOTFALL_DATA_DIR: join(dir, 'data'), VIEWS_PER_ADDRESS_PER_DAY: '0' },
  });
});
afterAll(async () => {
  await dev?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  views: number;
  visitors: number;
  counted: string;
}

async function post(page: string, userAgent: string) {
  // fetch opens as many connections as there are requests at once, as a NAT's browsers would.
  const res = await fetch(`${dev.url}/api/count${query(page)}`, {
    method: 'POST',
    headers: { 'user-agent': userAgent },
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

const get = async (page: string) =>
  (await (await fetch(`${dev.url}/api/count${query(page)}`)).json()) as Answer;

// The bursts take seconds on a busy machine; the dev server's own limits are what is tested.
describe('bursts on the dev server', { timeout: 120_000 }, () => {
  test('400 concurrent POSTs from one address and one browser: 400 × 200, views 1…400 once each', async () => {
    const page = uniquePage('burst-one');
    const answers = await Promise.all(Array.from({ length: 400 }, () => post(page, BROWSER_UA)));
    expect(answers.filter((a) => a.status !== 200).map((a) => a.body)).toEqual([]);
    const views = answers.map((a) => a.body.views).sort((a, b) => a - b);
    expect(views).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(answers.filter((a) => a.body.counted === 'visitor')).toHaveLength(1);
    expect(await get(page)).toMatchObject({ views: 400, visitors: 1 });
  });

  test('300 concurrent first visits of 300 browsers behind one address: 300 × 200, visitors +300', async () => {
    const page = uniquePage('burst-many');
    // The page exists first, as a shared network's popular page would.
    expect((await post(page, BROWSER_UA)).status).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => post(page, `${BROWSER_UA} office/${i}`)),
    );
    expect(answers.filter((a) => a.status !== 200).map((a) => a.body)).toEqual([]);
    expect(answers.every((a) => a.body.counted === 'visitor')).toBe(true);
    expect(await get(page)).toMatchObject({ views: 301, visitors: 301 });
  });
});

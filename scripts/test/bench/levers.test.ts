import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { lambdaEnvironment } from '../../../test/support/index.js';
import { levers } from '../../bench/levers.js';
import { compileChildren } from '../../bench/processes.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('the levers section has a row per variant, from the bundle before issue 24 to the one shipped, each smaller at init than the one before', async () => {
  const work = await mkdtemp(join(tmpdir(), 'footfall-levers-'));
  try {
    const section = await levers(
      {
        root,
        // Every POST comes from one address: no per-address limit, as in the benchmark.
        env: { ...process.env, ...lambdaEnvironment({ VIEWS_PER_ADDRESS_PER_DAY: '0' }) },
        children: await compileChildren(root),
      },
      work,
      1,
    );
    expect(section.checks).toEqual([]);
    const rows = section.text
      .split('\n')
      .filter((line) => line.startsWith('| ') && !/^\| (variant|---) \|/.test(line))
      .map((line) =>
        line
          .split('|')
          .map((cell) => cell.trim())
          .slice(1, -1),
      );
    expect(rows.map(([name]) => name)).toEqual([
      expect.stringMatching(/^before: one file/),
      expect.stringMatching(/credentials from the environment/),
      expect.stringMatching(/chunks/),
      expect.stringMatching(/hono\/quick.*shipped/),
    ]);
    const figure = /^\d+\.\d+ ms \(\d+\.\d+ ms\)$/;
    for (const [, loaded, imported, post, stats, ratio] of rows) {
      expect({ loaded, imported, post, stats, ratio }).toEqual({
        loaded: expect.stringMatching(/^\d+\.\d KiB$/),
        imported: expect.stringMatching(figure),
        post: expect.stringMatching(figure),
        stats: expect.stringMatching(figure),
        ratio: expect.stringMatching(/^\d+\.\d\dx$/),
      });
    }
    expect(rows[0]?.[5]).toBe('1.00x');
    // Each lever takes bytes off what a cold start reads.
    const loaded = rows.map((row) => Number.parseFloat(row[1] ?? ''));
    for (let i = 1; i < loaded.length; i++) {
      expect(loaded[i], rows[i]?.[0]).toBeLessThan(loaded[i - 1] as number);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { bundleLambda } from '../../../service/build/bundle.js';
import { lambdaEntry } from '../../../service/build/options.js';
import { lambdaEnvironment } from '../../../test/support/index.js';
import { hasCompileCache, importCosts } from '../../bench/imports.js';
import { compileChildren } from '../../bench/processes.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('the import-cost section has a row of figures for each dependency, the full bundle and the compile cache', async () => {
  const work = await mkdtemp(join(tmpdir(), 'footfall-imports-'));
  try {
    const built = await bundleLambda(join(root, lambdaEntry), join(work, 'footfall'));
    const section = await importCosts(
      {
        root,
        // The full bundle fetches the day's salt at import: the test run's dynalite.
        env: { ...process.env, ...lambdaEnvironment() },
        bundles: { ours: built.entry, reference: built.entry },
        built: { ours: built, reference: built },
        children: await compileChildren(root),
      },
      2,
    );
    expect(section.checks).toEqual([]);
    const rows = new Map(
      section.text
        .split('\n')
        .filter((line) => line.startsWith('| ') && !/^\| (module|---) \|/.test(line))
        .map((line) => line.split('|').map((cell) => cell.trim()))
        .map((cells) => [cells[1], cells.slice(2, -1)] as const),
    );
    const measured = [
      'empty module',
      'isbot',
      'jsonschema',
      'electrodb (with the SDK and jsonschema it requires)',
      '@aws-sdk/client-dynamodb + @aws-sdk/lib-dynamodb',
      'hono (what the app imports of it)',
      "hono with the app's routes (createApp)",
      "footfall's Lambda bundle (full)",
    ];
    for (const name of measured) {
      const [bundle, median, p95, toEmpty, share] = rows.get(name) ?? [];
      expect({ name, bundle, median, p95, toEmpty, share }).toEqual({
        name,
        bundle: expect.stringMatching(/^\d+\.\d KiB$/),
        median: expect.stringMatching(/^\d+\.\d+ ms$/),
        p95: expect.stringMatching(/^\d+\.\d+ ms$/),
        toEmpty: expect.stringMatching(/^\d+\.\d\dx$/),
        share: expect.stringMatching(/^\d+%$/),
      });
    }
    expect(rows.get('empty module')?.[3]).toBe('1.00x');
    expect(rows.get("footfall's Lambda bundle (full)")?.[4]).toBe('100%');
    // Measured where Node has it; otherwise the row says why not, with no figure.
    const cache = rows.get('full bundle, V8 compile cache built beforehand');
    if (hasCompileCache()) {
      expect(cache?.[1]).toMatch(/^\d+\.\d+ ms$/);
    } else {
      expect(cache?.[1]).toMatch(
        /^not measured: Node \d+\.\d+\.\d+ lacks module\.enableCompileCache/,
      );
    }
    expect(rows.size).toBe(measured.length + 1);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

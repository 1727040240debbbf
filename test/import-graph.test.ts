import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

// Imports run one way (README, "Structure"): cdk/ may import plain
// definitions from service/ and web/; scripts/ may import anything; nothing imports scripts/;
// runtime code never imports cdk/; an area's tests import their own area and test/, never
// another area's test folder.
const root = fileURLToPath(new URL('../', import.meta.url));

/** What cdk/ may import from outside cdk/: data and pure functions, nothing that runs. */
const PLAIN_DEFINITIONS = new Set([
  'service/src/db/table.ts',
  'service/src/db/limits.ts',
  'service/src/pre-traffic/limits.ts',
  'service/src/http/cloudfront.ts',
  'service/src/config.ts',
  'service/build/options.ts',
  'web/build/csp.ts',
  'web/build/embed.ts',
]);

const area = (file: string) => file.split('/')[0] ?? '';
const isTestFolder = (file: string) => /^[^/]+\/test\//.test(file);

/** Why `from` may not import `to`, or undefined when it may. */
function forbidden(from: string, to: string): string | undefined {
  if (area(to) === 'scripts' && area(from) !== 'scripts') return 'nothing imports scripts/';
  if (from.startsWith('service/') && area(to) === 'cdk') return 'runtime code never imports cdk/';
  if (area(from) === 'cdk' && area(to) !== 'cdk' && !PLAIN_DEFINITIONS.has(to)) {
    return 'cdk/ imports only plain definitions from other areas';
  }
  if (isTestFolder(to) && area(to) !== area(from) && area(from) !== 'test') {
    return "another area's test folder (shared support lives in test/)";
  }
  return undefined;
}

/** Every relative import of the project's TypeScript, as repository paths. */
function importGraph(): [string, string][] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
  const edges: [string, string][] = [];
  const specifier = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const file of files) {
    const source = readFileSync(join(root, file), 'utf8');
    for (const [, path] of source.matchAll(specifier)) {
      if (!path) continue;
      edges.push([file, normalize(join(dirname(file), path)).replace(/\.js$/, '.ts')]);
    }
  }
  return edges;
}

describe('the import graph', () => {
  const edges = importGraph();

  test('is read from the sources (the check sees real imports)', () => {
    expect(edges).toContainEqual(['cdk/lib/counter-table.ts', 'service/src/db/table.ts']);
    expect(edges.length).toBeGreaterThan(100);
  });

  test('has no forbidden import', () => {
    const violations = edges
      .map(([from, to]) => ({ from, to, why: forbidden(from, to) }))
      .filter((edge) => edge.why !== undefined);
    expect(violations).toEqual([]);
  });

  test.each([
    ['cdk/lib/counter-api.ts', 'scripts/bench/load.ts', 'nothing imports scripts/'],
    ['service/src/http/app.ts', 'cdk/lib/deploy-config.ts', 'runtime code never imports cdk/'],
    ['cdk/lib/counter-api.ts', 'service/src/db/client.ts', 'cdk/ imports only plain definitions'],
    ['web/test/widget.test.ts', 'service/test/api.test.ts', "another area's test folder"],
  ])('refuses %s → %s', (from, to, why) => {
    expect(forbidden(from, to)).toContain(why);
  });

  test.each([
    ['scripts/bench.ts', 'service/src/db/index.ts'],
    ['scripts/deploy/bootstrap/main.ts', 'cdk/lib/deploy-config.ts'],
    ['cdk/lib/counter-api.ts', 'service/build/options.ts'],
    ['web/test/widget.test.ts', 'test/support/index.ts'],
    ['service/test/api.test.ts', 'service/src/http/app.ts'],
  ])('allows %s → %s', (from, to) => {
    expect(forbidden(from, to)).toBeUndefined();
  });
});

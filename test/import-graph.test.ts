import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

// Imports run one way (README, "Structure"). Between areas: cdk/ may import plain definitions
// and the Lambda bundler from service/ and web/; nothing outside scripts/ imports scripts/; runtime code never imports
// cdk/; an area's tests import their own area and test/, never another area's test folder.
// Inside the service (rule 1): domain ← db, http ← compose ← entry points, and only dev.ts imports
// dev/; nothing the Lambda bundles hold comes from dev/, scripts/, test/, cdk/ or the admin-only
// entities. Between the tools (rule 2): admin, deploy and bench import the service's modules and
// cdk's plain definitions, never each other's files; no folder is a lib/, utils/ or helpers/.
const root = fileURLToPath(new URL('../', import.meta.url));

/** What cdk/ may import from outside cdk/: data and pure functions, nothing that runs. */
const PLAIN_DEFINITIONS = new Set([
  'service/src/db/table.ts',
  'service/src/db/limits.ts',
  'service/src/domain/counting-limits.ts',
  'service/src/pre-traffic/limits.ts',
  'service/src/http/cloudfront.ts',
  'service/src/http/metric-names.ts',
  'service/src/config.ts',
  'service/build/options.ts',
  'web/build/csp.ts',
  'web/build/embed.ts',
]);

/**
 * What cdk/ may run from another area: the one Lambda bundler, so a deploy ships exactly what
 * `npm run build` builds (CDK's local bundling calls it).
 */
const CDK_BUILD_STEPS = new Set(['service/build/bundle.ts']);

/** What the tools in scripts/ may import from cdk/: plain data and functions, never a stack. */
const CDK_PLAIN_DEFINITIONS = new Set([
  'cdk/lib/defaults.ts',
  'cdk/lib/deploy-config.ts',
  'cdk/lib/deploy-names.ts',
  'cdk/lib/github-oidc.ts',
  'cdk/lib/origin-secret-versions.ts',
]);

/** The service's entry points: each runs at import, so nothing imports them (tests aside). */
const ENTRY_POINTS = new Set([
  'service/src/lambda.ts',
  'service/src/dev.ts',
  'service/src/pre-traffic-hook.ts',
]);

/** What is bundled and deployed: everything these import, transitively. */
const SHIPPED_ENTRIES = ['service/src/lambda.ts', 'service/src/pre-traffic-hook.ts'];

/** Where nothing shipped may come from. */
const NEVER_SHIPPED = [
  'service/src/dev/',
  'service/src/db/admin-entities/',
  'scripts/',
  'test/',
  'cdk/',
];

/** The tools in scripts/, each a folder of its own. */
const TOOLS = ['admin', 'deploy', 'bench'];

const area = (file: string) => file.split('/')[0] ?? '';
const isTestFolder = (file: string) => /^[^/]+\/test\//.test(file);
const isTest = (file: string) => isTestFolder(file) || area(file) === 'test';

/**
 * The service's layers, from the inside out: `domain` (what a page, a visit and the store are),
 * then `db` and `http` (each on the domain, neither on the other), then the composition (which
 * builds the app from both, with its settings and the pre-traffic checks), then `dev` (the local
 * stack) and the entry points.
 */
type Layer = 'domain' | 'db' | 'http' | 'composition' | 'dev' | 'entry';
function layerOf(file: string): Layer | undefined {
  if (!file.startsWith('service/src/')) return undefined;
  if (ENTRY_POINTS.has(file)) return 'entry';
  const [first] = file.slice('service/src/'.length).split('/');
  if (first === 'domain' || first === 'db' || first === 'http' || first === 'dev') return first;
  return 'composition';
}
/** Which layers each layer may import. */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  domain: ['domain'],
  db: ['domain', 'db'],
  http: ['domain', 'http'],
  composition: ['domain', 'db', 'http', 'composition'],
  dev: ['domain', 'db', 'http', 'composition', 'dev'],
  entry: ['domain', 'db', 'http', 'composition', 'dev'],
};

/** The tool a script belongs to (`scripts/admin/…` → `admin`), if any. */
const toolOf = (file: string) => {
  const [top, tool] = file.split('/');
  return top === 'scripts' && tool !== undefined && TOOLS.includes(tool) ? tool : undefined;
};

/** Why `from` may not import `to`, or undefined when it may. */
function forbidden(from: string, to: string): string | undefined {
  if (area(to) === 'scripts' && area(from) !== 'scripts') return 'nothing imports scripts/';
  if (from.startsWith('service/') && area(to) === 'cdk') return 'runtime code never imports cdk/';
  if (
    area(from) === 'cdk' &&
    area(to) !== 'cdk' &&
    !PLAIN_DEFINITIONS.has(to) &&
    !CDK_BUILD_STEPS.has(to)
  ) {
    return 'cdk/ imports only plain definitions from other areas';
  }
  if (isTestFolder(to) && area(to) !== area(from) && area(from) !== 'test') {
    return "another area's test folder (shared support lives in test/)";
  }
  if (isTest(from)) return undefined;

  // Rule 1: the service's layers.
  if (ENTRY_POINTS.has(to)) return 'nothing imports an entry point';
  const [fromLayer, toLayer] = [layerOf(from), layerOf(to)];
  if (fromLayer && toLayer === 'dev' && from !== 'service/src/dev.ts' && fromLayer !== 'dev') {
    return 'in the service, only dev.ts imports dev/';
  }
  if (fromLayer && toLayer && !MAY_IMPORT[fromLayer].includes(toLayer)) {
    return `layers import one way: ${fromLayer} does not import ${toLayer}`;
  }

  // Rule 2: the tools.
  const [fromTool, toTool] = [toolOf(from), toolOf(to)];
  if (fromTool && toTool && fromTool !== toTool) {
    return `the tools import none of each other's files: ${fromTool} imports ${toTool}`;
  }
  if (fromTool && area(to) === 'cdk' && !CDK_PLAIN_DEFINITIONS.has(to)) {
    return "the tools import only cdk's plain definitions";
  }
  return undefined;
}

/** Every tracked (or new, unignored) file. */
function files(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => file !== '');
}

/** Every relative import of the project's TypeScript, as repository paths. */
function importGraph(): [string, string][] {
  const sources = files().filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
  const edges: [string, string][] = [];
  const specifier = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const file of sources) {
    const source = readFileSync(join(root, file), 'utf8');
    for (const [, path] of source.matchAll(specifier)) {
      if (!path) continue;
      edges.push([file, normalize(join(dirname(file), path)).replace(/\.js$/, '.ts')]);
    }
  }
  return edges;
}

/** Every file `entries` import, directly or not, the entries included. */
function reachable(edges: readonly [string, string][], entries: readonly string[]): Set<string> {
  const seen = new Set(entries);
  const queue = [...entries];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const [from, to] of edges) {
      if (from === file && !seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

/** A folder named for no job: lib/, utils/, helpers/ (cdk/lib/ is CDK's own layout). */
const grabBag = (file: string) =>
  !file.startsWith('cdk/lib/') && /(^|\/)(lib|utils|helpers)\//.test(file);

describe('the import graph', () => {
  const edges = importGraph();

  test('is read from the sources (the check sees real imports)', () => {
    expect(edges).toContainEqual(['cdk/lib/counter-table.ts', 'service/src/db/table.ts']);
    expect(edges).toContainEqual(['service/src/compose.ts', 'service/src/http/app.ts']);
    expect(edges.length).toBeGreaterThan(100);
  });

  test('has no forbidden import', () => {
    const violations = edges
      .map(([from, to]) => ({ from, to, why: forbidden(from, to) }))
      .filter((edge) => edge.why !== undefined);
    expect(violations).toEqual([]);
  });

  test('brings nothing into the Lambda bundles from dev/, scripts/, test/, cdk/ or admin entities', () => {
    const shipped = [...reachable(edges, SHIPPED_ENTRIES)];
    // The closure is real: the app, the store and the hook's checks are in it.
    expect(shipped).toEqual(
      expect.arrayContaining([
        'service/src/http/app.ts',
        'service/src/db/counter-store/store.ts',
        'service/src/pre-traffic/checks.ts',
      ]),
    );
    expect(shipped.filter((file) => NEVER_SHIPPED.some((path) => file.startsWith(path)))).toEqual(
      [],
    );
  });

  test('has no lib/, utils/ or helpers/ folder', () => {
    expect(files().filter(grabBag)).toEqual([]);
    expect(grabBag('scripts/lib/load.ts')).toBe(true);
    expect(grabBag('cdk/lib/footfall-stack.ts')).toBe(false);
  });

  test.each([
    ['cdk/lib/counter-api.ts', 'scripts/bench/load.ts', 'nothing imports scripts/'],
    ['service/src/http/app.ts', 'cdk/lib/deploy-config.ts', 'runtime code never imports cdk/'],
    ['cdk/lib/counter-api.ts', 'service/src/db/client.ts', 'cdk/ imports only plain definitions'],
    ['web/test/widget.test.ts', 'service/test/api.test.ts', "another area's test folder"],
    // Rule 1.
    ['service/src/domain/store.ts', 'service/src/db/index.ts', 'domain does not import db'],
    ['service/src/domain/scope.ts', 'service/src/http/http.ts', 'domain does not import http'],
    [
      'service/src/db/counter-store/store.ts',
      'service/src/http/http.ts',
      'db does not import http',
    ],
    ['service/src/http/app.ts', 'service/src/db/index.ts', 'http does not import db'],
    ['service/src/http/app.ts', 'service/src/compose.ts', 'http does not import composition'],
    ['service/src/db/index.ts', 'service/src/config.ts', 'db does not import composition'],
    ['service/src/compose.ts', 'service/src/dev/server.ts', 'only dev.ts imports dev/'],
    ['service/src/lambda.ts', 'service/src/dev/local-dynamodb.ts', 'only dev.ts imports dev/'],
    ['service/src/compose.ts', 'service/src/lambda.ts', 'nothing imports an entry point'],
    ['scripts/screenshots.ts', 'service/src/dev.ts', 'nothing imports an entry point'],
    // Rule 2.
    ['scripts/bench/main.ts', 'scripts/admin/target.ts', 'bench imports admin'],
    ['scripts/admin/dispatch.ts', 'scripts/deploy/problems.ts', 'admin imports deploy'],
    ['scripts/deploy/bootstrap/main.ts', 'scripts/bench/load.ts', 'deploy imports bench'],
    [
      'scripts/deploy/bootstrap/plan.ts',
      'cdk/lib/deploy-access-stack.ts',
      "only cdk's plain definitions",
    ],
    ['scripts/admin/dispatch.ts', 'cdk/lib/footfall-app.ts', "only cdk's plain definitions"],
  ])('refuses %s → %s', (from, to, why) => {
    expect(forbidden(from, to)).toContain(why);
  });

  test.each([
    ['scripts/bench/warm.ts', 'service/src/db/index.ts'],
    ['scripts/deploy/bootstrap/main.ts', 'cdk/lib/deploy-config.ts'],
    ['scripts/admin/dispatch.ts', 'cdk/lib/deploy-names.ts'],
    ['scripts/admin/target.ts', 'service/src/dev/local-dynamodb.ts'],
    ['scripts/bench/main.ts', 'scripts/outputs.ts'],
    ['scripts/screenshots.ts', 'service/src/dev/server.ts'],
    ['cdk/lib/counter-api.ts', 'service/build/options.ts'],
    ['cdk/lib/counter-api.ts', 'service/build/bundle.ts'],
    ['web/test/widget.test.ts', 'test/support/index.ts'],
    ['service/test/api.test.ts', 'service/src/http/app.ts'],
    ['service/test/lambda.test.ts', 'service/src/lambda.ts'],
    ['service/src/db/counter-store/store.ts', 'service/src/domain/store.ts'],
    ['service/src/http/routes/count.ts', 'service/src/domain/scope.ts'],
    ['service/src/compose.ts', 'service/src/db/index.ts'],
    ['service/src/pre-traffic/events.ts', 'service/src/http/cloudfront.ts'],
    ['service/src/dev/server.ts', 'service/src/compose.ts'],
    ['service/src/dev.ts', 'service/src/dev/server.ts'],
  ])('allows %s → %s', (from, to) => {
    expect(forbidden(from, to)).toBeUndefined();
  });
});

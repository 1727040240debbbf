import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleLambda, bytesLoadedAtInit } from '../../service/build/bundle.js';
import { coldStartMs } from './cold.js';
import type { BenchContext } from './context.js';
import { kib, ms, type Row, ratio, stats, step, table } from './format.js';
import type { Section } from './targets.js';

/**
 * What each heavy dependency costs at import, bundled alone exactly as the Lambda is
 * (`bundleLambda`: same esbuild options, same credentials alias) and imported cold by the
 * benchmark's cold-start child, as whole processes taking turns with an empty module and the
 * full bundle. Each entry exports the names footfall imports, so tree-shaking keeps what the
 * function keeps. Informational: no targets.
 */
const ENTRIES = {
  'empty module': () => 'export {};',
  isbot: () => "export { isbot } from 'isbot';",
  jsonschema: () => "export { Validator } from 'jsonschema';",
  // ElectroDB require()s lib-dynamodb (and so client-dynamodb, whole) and jsonschema: this row
  // holds them too.
  'electrodb (with the SDK and jsonschema it requires)': () =>
    "export { Entity, Service } from 'electrodb';",
  '@aws-sdk/client-dynamodb + @aws-sdk/lib-dynamodb': () =>
    [
      'export { DynamoDBClient, DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand,',
      "  ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';",
      'export { DeleteCommand, GetCommand, PutCommand, QueryCommand as DocumentQueryCommand,',
      "  ScanCommand as DocumentScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';",
    ].join('\n'),
  'hono (what the app imports of it)': () =>
    [
      "export { Hono } from 'hono';",
      "export { handle } from 'hono/aws-lambda';",
      "export { bodyLimit } from 'hono/body-limit';",
      "export { cors } from 'hono/cors';",
      "export { HTTPException } from 'hono/http-exception';",
      "export { secureHeaders } from 'hono/secure-headers';",
      "export { validator } from 'hono/validator';",
    ].join('\n'),
  // The app's routes as the Lambda imports them: hono, the routes, the domain code (isbot
  // among it); no data layer (the store is a port).
  "hono with the app's routes (createApp)": (root: string) =>
    `export { createApp } from ${JSON.stringify(join(root, 'service/src/http/app.ts'))};\nexport { handle } from 'hono/aws-lambda';`,
} as const;
type EntryName = keyof typeof ENTRIES;

const FULL = "footfall's Lambda bundle (full)";
const CACHED = 'full bundle, V8 compile cache built beforehand';

/** Whether the running Node has Node's module compile cache (22.1 and later). */
export const hasCompileCache = () =>
  typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

export async function importCosts(
  ctx: Pick<BenchContext, 'root' | 'env' | 'bundles' | 'built' | 'children'>,
  runs: number,
): Promise<Section> {
  // Under node_modules, where the entries' imports of packages resolve.
  const entryDir = join(ctx.root, 'node_modules/.cache/footfall-bench/imports');
  const work = await mkdtemp(join(tmpdir(), 'footfall-bench-imports-'));
  try {
    step(`bundling each dependency alone (${Object.keys(ENTRIES).length})`);
    await mkdir(entryDir, { recursive: true });
    const bundles: Record<string, string> = {};
    const sizes: Record<string, number> = {};
    for (const [index, [name, source]] of Object.entries(ENTRIES).entries()) {
      const entry = join(entryDir, `entry-${index}.ts`);
      await writeFile(entry, `${source(ctx.root)}\n`);
      const bundle = await bundleLambda(entry, join(work, `entry-${index}`));
      bundles[name] = bundle.entry;
      sizes[name] = bytesLoadedAtInit(bundle);
    }
    bundles[FULL] = ctx.bundles.ours;
    sizes[FULL] = bytesLoadedAtInit(ctx.built.ours);

    // Node's compile cache, where the running Node has it: filled by one import of the full
    // bundle, then read by every measured one (the cache a build step would ship in the asset).
    const cacheDir = join(work, 'compile-cache');
    const envOf = (name: string) => (name === CACHED ? { NODE_COMPILE_CACHE: cacheDir } : {});
    const cache = hasCompileCache();
    if (cache) {
      bundles[CACHED] = ctx.bundles.ours;
      sizes[CACHED] = sizes[FULL] as number;
    }

    const names = Object.keys(bundles);
    const once = (name: string) =>
      coldStartMs(ctx, bundles[name] as string, undefined, envOf(name));
    step(`cold imports of each (${runs} rounds of ${names.length})`);
    for (const name of names) once(name); // the file cache, and the compile cache's one fill
    const samples = Object.fromEntries(names.map((name) => [name, [] as number[]]));
    for (let i = 0; i < runs; i++) {
      // Whole rounds, each starting one further along, so drift falls on every row alike.
      for (let j = 0; j < names.length; j++) {
        const name = names[(i + j) % names.length] as string;
        samples[name]?.push(once(name));
      }
    }
    const figures = Object.fromEntries(
      names.map((name) => [name, stats(samples[name] as number[])]),
    );
    const empty = figures['empty module' satisfies EntryName] as ReturnType<typeof stats>;
    const full = figures[FULL] as ReturnType<typeof stats>;
    const rows: Row[] = [];
    for (const name of names) {
      const { median, p95 } = figures[name] as ReturnType<typeof stats>;
      rows.push([
        name,
        kib(sizes[name] as number),
        ms(median),
        ms(p95),
        ratio(median, empty.median),
        `${((100 * median) / full.median).toFixed(0)}%`,
      ]);
    }
    if (!cache) {
      const missing = `not measured: Node ${process.versions.node} lacks module.enableCompileCache; Lambda's Node 22 has it`;
      rows.push([CACHED, '', missing, '', '', '']);
    }

    const text = `## What each dependency costs at import

Each heavy dependency bundled alone with the Lambda's esbuild options (\`bundleLambda\`), exporting
the names footfall imports, and imported by a fresh Node process (${runs} rounds, every row once
a round, in turn; time inside the process from before the import to its end). The full bundle's
import includes fetching the day's salt from dynalite (ADR 12). The share is of the full
bundle's median; the rows overlap (ElectroDB holds the SDK and jsonschema; the app's routes hold
hono and isbot). No targets: these say where the rest of the cold start goes (ADR 6, issue 24).

${table(['module', 'bundle', 'cold import, median', 'p95', 'ratio to empty', 'share of full'], rows)}`;
    return { text, checks: [] };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

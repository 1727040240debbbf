/**
 * `npm run bench`: footfall's speed, exactness and memory as figures against references
 * measured in the same run, interleaved so machine noise falls on both sides alike. Prints
 * tables, each target marked met or missed, and writes them to .cache/bench/benchmarks.md
 * (ignored by git); `npm run bench -- --update-docs` writes docs/benchmarks.md instead. It fails
 * on nothing: a missed target is reported, for people to read.
 *
 * Bounded: about four minutes on a 2-core machine. Everything stays on loopback.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { bundleLambda } from '../../service/build/bundle.js';
import { lambdaEntry } from '../../service/build/options.js';
import { visitsTable } from '../../service/src/db/table.js';
import {
  ensureTable,
  ensureVisitsTable,
  localCredentials,
  localRegion,
} from '../../service/src/dev/local-dynamodb.js';
import { outputFor } from '../outputs.js';
import { coldStart } from './cold.js';
import { concurrency } from './concurrency.js';
import type { BenchContext } from './context.js';
import { devServerLoad } from './dev-server-load.js';
import { step } from './format.js';
import { importCosts } from './imports.js';
import { levers } from './levers.js';
import { linkAlerts } from './link-alerts.js';
import { memory } from './memory.js';
import { compileChildren, startDynaliteProcess } from './processes.js';
import { publish, report } from './report.js';
import { warmRequests } from './warm.js';
import { writeUnits } from './write-units.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = fileURLToPath(new URL('../../', import.meta.url));
let output: ReturnType<typeof outputFor>;
try {
  output = outputFor(root, 'bench', process.argv.slice(2));
} catch (error) {
  console.error(`${(error as Error).message}\nusage: npm run bench [-- --update-docs]`);
  process.exit(2);
}
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 31);
const WARM_SAMPLES = Number(process.env.BENCH_WARM_SAMPLES ?? 1000);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const IMPORT_RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 21);
const LEVER_RUNS = Number(process.env.BENCH_LEVER_RUNS ?? 15);

const work = await mkdtemp(join(tmpdir(), 'footfall-bench-'));
const children = await compileChildren(root);
const dynalite = await startDynaliteProcess(children.dynalite, root);
const tableName = 'footfall-bench';
const visitsTableName = visitsTable.defaultNameFor(tableName);
const raw = new DynamoDBClient({
  endpoint: dynalite.endpoint,
  region: localRegion,
  credentials: localCredentials,
});
try {
  await ensureTable(raw, tableName);
  await ensureVisitsTable(raw, visitsTableName);
  const env = {
    ...process.env,
    TABLE_NAME: tableName,
    VISITS_TABLE_NAME: visitsTableName,
    DYNAMODB_ENDPOINT: dynalite.endpoint,
    AWS_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    // Cold start, concurrency and memory send every POST from one address: no per-address
    // limit, or the 21st would be "limited". The warm requests and the write units run with the
    // function's default limits, a visitor of their own per sample.
    VIEWS_PER_ADDRESS_PER_DAY: '0',
  };
  Object.assign(process.env, env);

  step('bundling');
  const built = {
    ours: await bundleLambda(join(root, lambdaEntry), join(work, 'footfall')),
    // Built as footfall is, but with the SDK's default credential chain, as a bare SDK handler is
    // (ADR 6, issue 24).
    reference: await bundleLambda(
      join(root, 'scripts/bench/reference-handler.ts'),
      join(work, 'reference'),
      { sdkDefaultCredentials: true },
    ),
  };
  const bundles = { ours: built.ours.entry, reference: built.reference.entry };

  const ctx: BenchContext = {
    root,
    env,
    tableName,
    visitsTableName,
    endpoint: dynalite.endpoint,
    raw,
    bundles,
    built,
    children,
  };
  const sections = [
    await coldStart(ctx, COLD_RUNS),
    await levers(ctx, work, LEVER_RUNS),
    await importCosts(ctx, IMPORT_RUNS),
    await warmRequests(ctx, WARM_SAMPLES),
    await writeUnits(ctx),
    await concurrency(ctx),
    await memory(ctx),
    await linkAlerts(ctx),
    await devServerLoad(ctx, work, LOAD_SECONDS),
  ];
  await publish(report(sections), output.path, output.note);
} finally {
  raw.destroy();
  dynalite.child.kill();
  await rm(work, { recursive: true, force: true });
}

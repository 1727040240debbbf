/**
 * `npm run bench`: footfall's speed, exactness and memory as figures against references
 * measured in the same run, interleaved so machine noise falls on both sides alike. Prints
 * tables and writes docs/benchmarks.md. It asserts nothing: figures are for people to read.
 *
 * Bounded: about a minute on a 2-core machine. Everything stays on loopback.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { arch, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { bundleLambda } from '../service/build/bundle.js';
import { lambdaEntry } from '../service/build/options.js';
import { counterEntity } from '../service/src/db/counter.js';
import { createDatabase } from '../service/src/db/index.js';
import { ensureTable, localCredentials, localRegion } from '../service/src/local-dynamodb.js';
import { startLatencyProxy } from './lib/latency-proxy.js';
import { loadTest } from './lib/load.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = fileURLToPath(new URL('../', import.meta.url));
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 31);
const WARM_SAMPLES = Number(process.env.BENCH_WARM_SAMPLES ?? 1000);
/** Added to every DynamoDB request in the second warm run: real DynamoDB is 3-6 ms away. */
const LINK_LATENCY_MS = 4;
const RSS_REQUESTS = 20_000;
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);

type Row = string[];
const stats = (samples: number[]) => {
  const sorted = samples.toSorted((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p95: at(0.95) };
};
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const table = (header: Row, rows: Row[]) =>
  [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
const timed = async (fn: () => Promise<unknown>) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};
const step = (what: string) => console.error(`… ${what}`);

/** dynalite in its own process, like a remote DynamoDB: it does not share our event loop. */
async function startDynalite(): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      "require('dynalite')({createTableMs:0}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})",
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (data) => resolve(String(data).trim())),
  );
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

const work = await mkdtemp(join(tmpdir(), 'footfall-bench-'));
const dynalite = await startDynalite();
const sections: string[] = [];
try {
  const tableName = 'footfall-bench';
  const env = {
    ...process.env,
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: dynalite.endpoint,
    AWS_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  };
  const raw = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: localRegion,
    credentials: localCredentials,
  });
  await ensureTable(raw, tableName);

  // 1. Both bundles, built the same way.
  step('bundling');
  const ours = join(work, 'footfall.mjs');
  const reference = join(work, 'reference.mjs');
  await bundleLambda(join(root, lambdaEntry), ours);
  await bundleLambda(join(root, 'scripts/reference/bare-sdk-handler.ts'), reference);
  const sizes = { ours: (await stat(ours)).size, reference: (await stat(reference)).size };

  const event = (method: 'GET' | 'POST', page: string) => ({
    version: '2.0',
    routeKey: '$default',
    rawPath: '/api/count',
    rawQueryString: `page=${encodeURIComponent(page)}`,
    headers: { host: 'bench.example' },
    requestContext: {
      domainName: 'bench.example',
      http: {
        method,
        path: '/api/count',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bench',
      },
      requestId: 'bench',
      routeKey: '$default',
      stage: '$default',
    },
    isBase64Encoded: false,
  });
  // 2. Cold start, each in a fresh Node process, alternating: the import alone, and the import
  // plus the first request (what the first visitor of a new Lambda environment waits for).
  step(`cold starts (${COLD_RUNS} each)`);
  const firstEvent = JSON.stringify(event('POST', '/cold'));
  const coldRun = (file: string, firstCall: boolean) =>
    Number(
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const t=performance.now();const m=await import(${JSON.stringify(pathToFileURL(file).href)});` +
            (firstCall
              ? `const r=await m.handler(${firstEvent},{});if(r.statusCode!==200)throw new Error(r.body);`
              : '') +
            'process.stdout.write(String(performance.now()-t));process.exit(0)',
        ],
        { env },
      ),
    );
  coldRun(ours, true); // warm the file cache
  coldRun(reference, true);
  const cold = {
    ours: [] as number[],
    reference: [] as number[],
    oursFirst: [] as number[],
    referenceFirst: [] as number[],
  };
  for (let i = 0; i < COLD_RUNS; i++) {
    cold.ours.push(coldRun(ours, false));
    cold.reference.push(coldRun(reference, false));
    cold.oursFirst.push(coldRun(ours, true));
    cold.referenceFirst.push(coldRun(reference, true));
  }
  const c = {
    ours: stats(cold.ours),
    reference: stats(cold.reference),
    oursFirst: stats(cold.oursFirst),
    referenceFirst: stats(cold.referenceFirst),
  };
  const coldRow = (
    name: string,
    a: number,
    b: number,
    target: string,
    format: (value: number) => string = ms,
  ) => [name, format(a), format(b), ratio(a, b), target];
  sections.push(`## Cold start

A fresh Node process importing the bundle, and importing it then answering one POST against
dynalite (${COLD_RUNS} runs of each, alternating). The reference is a bare AWS SDK handler doing
one \`UpdateItem\` with \`ADD\` (\`scripts/reference/bare-sdk-handler.ts\`), bundled exactly as
footfall is (\`service/build/options.ts\`).

${table(
  ['measure', 'footfall', 'reference', 'ratio', 'target'],
  [
    coldRow('cold import, median', c.ours.median, c.reference.median, '≤ 1.5x'),
    coldRow('cold import, p95', c.ours.p95, c.reference.p95, ''),
    coldRow('import + first POST, median', c.oursFirst.median, c.referenceFirst.median, '≤ 1.75x'),
    coldRow('import + first POST, p95', c.oursFirst.p95, c.referenceFirst.p95, ''),
    coldRow('bundle size', sizes.ours, sizes.reference, '≤ 560 KiB', kib),
  ],
)}`);

  // 3. Warm requests through the bundled handler vs the raw SDK call, alternating: straight to
  // dynalite, then through a proxy that puts DynamoDB's real distance between them.
  type Handler = (
    event: unknown,
    context: unknown,
  ) => Promise<{ statusCode: number; body: string }>;
  const loadHandler = async (endpoint: string, tag: string) => {
    // A fresh copy of the module per link: the handler reads its endpoint once, at import.
    process.env.DYNAMODB_ENDPOINT = endpoint;
    return ((await import(`${pathToFileURL(ours).href}?${tag}`)) as { handler: Handler }).handler;
  };
  const invoker = (handler: Handler) => async (method: 'GET' | 'POST', page: string) => {
    const result = await handler(event(method, page), {});
    if (result.statusCode !== 200)
      throw new Error(`handler answered ${result.statusCode}: ${result.body}`);
    return JSON.parse(result.body) as { views: number };
  };
  const referenceKey = (id: string) => ({ pk: { S: `reference#${id}` }, sk: { S: 'reference' } });
  // The same two calls as the reference handler makes, written as anyone would with the SDK.
  const rawCalls = (client: DynamoDBClient) => ({
    update: (id: string) =>
      client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: referenceKey(id),
          UpdateExpression: 'ADD #views :one',
          ExpressionAttributeNames: { '#views': 'views' },
          ExpressionAttributeValues: { ':one': { N: '1' } },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    get: (id: string) =>
      client.send(
        new GetItemCommand({ TableName: tableName, Key: referenceKey(id), ConsistentRead: true }),
      ),
  });
  const warmRun = async (
    invoke: ReturnType<typeof invoker>,
    calls: ReturnType<typeof rawCalls>,
    samples: number,
  ) => {
    for (let i = 0; i < 100; i++)
      await Promise.all([
        invoke('POST', '/bench'),
        invoke('GET', '/bench'),
        calls.update('warm'),
        calls.get('warm'),
      ]);
    const warm = {
      post: [] as number[],
      update: [] as number[],
      get: [] as number[],
      getItem: [] as number[],
    };
    for (let i = 0; i < samples; i++) {
      warm.post.push(await timed(() => invoke('POST', '/bench')));
      warm.update.push(await timed(() => calls.update('warm')));
      warm.get.push(await timed(() => invoke('GET', '/bench')));
      warm.getItem.push(await timed(() => calls.get('warm')));
    }
    return {
      post: stats(warm.post),
      update: stats(warm.update),
      get: stats(warm.get),
      getItem: stats(warm.getItem),
    };
  };
  Object.assign(process.env, env);
  step(`warm requests on dynalite (${WARM_SAMPLES} each)`);
  const invoke = invoker(await loadHandler(dynalite.endpoint, 'direct'));
  const direct = await warmRun(invoke, rawCalls(raw), WARM_SAMPLES);
  const { get: rawGet } = rawCalls(raw);
  const LINK_SAMPLES = Math.min(WARM_SAMPLES, 400);
  step(
    `warm requests with ${LINK_LATENCY_MS} ms added to each DynamoDB request (${LINK_SAMPLES} each)`,
  );
  const proxy = await startLatencyProxy(dynalite.endpoint, LINK_LATENCY_MS);
  const far = new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: localRegion,
    credentials: localCredentials,
  });
  const linked = await warmRun(
    invoker(await loadHandler(proxy.endpoint, 'latency')),
    rawCalls(far),
    LINK_SAMPLES,
  );
  far.destroy();
  await proxy.close();
  process.env.DYNAMODB_ENDPOINT = dynalite.endpoint;
  const warmRows = (w: typeof direct, link: string, targets: [string, string]): Row[] => [
    [
      `POST /api/count vs raw UpdateItem, ${link}`,
      `${ms(w.post.median)} (${ms(w.post.p95)})`,
      `${ms(w.update.median)} (${ms(w.update.p95)})`,
      ratio(w.post.median, w.update.median),
      targets[0],
    ],
    [
      `GET /api/count vs raw GetItem, ${link}`,
      `${ms(w.get.median)} (${ms(w.get.p95)})`,
      `${ms(w.getItem.median)} (${ms(w.getItem.p95)})`,
      ratio(w.get.median, w.getItem.median),
      targets[1],
    ],
  ];

  // ElectroDB's own work per call: the entity and electroClient on a client that answers at
  // once with what DynamoDB answered, so no SDK, network or server time is in the figure.
  step('ElectroDB cost per call');
  const ownPage = '/bench-own';
  const real = counterEntity({ client: raw, table: tableName });
  await real.upsert({ page: ownPage }).add({ views: 1 }).go();
  const stored = await raw.send(
    new GetItemCommand({
      TableName: tableName,
      Key: marshall(real.get({ page: ownPage }).params<{ Key: object }>().Key),
    }),
  );
  const instant = {
    send: async (command: unknown) =>
      command instanceof GetItemCommand
        ? { Item: stored.Item, $metadata: {} }
        : { Attributes: { views: stored.Item?.views }, $metadata: {} },
  } as unknown as DynamoDBClient;
  const own = createDatabase({ client: instant, table: tableName }).entities.counter;
  const perCall = async (call: () => Promise<unknown>) => {
    for (let i = 0; i < 2_000; i++) await call();
    const runs = 20_000;
    const started = performance.now();
    for (let i = 0; i < runs; i++) await call();
    return ((performance.now() - started) / runs) * 1000;
  };
  const ownCost = {
    upsert: await perCall(() =>
      own
        .upsert({ page: ownPage })
        .add({ views: 1 })
        .go({ response: 'updated_new', originalErr: true }),
    ),
    get: await perCall(() =>
      own.get({ page: ownPage }).go({ consistent: true, originalErr: true }),
    ),
  };
  const us = (value: number) => `${value.toFixed(0)} µs`;

  sections.push(`## Warm requests

One request at a time through the bundled Lambda handler (an HTTP API 2.0 event, the Hono app,
the ElectroDB entity) against the same call made directly with the AWS SDK, alternating, on
dynalite running in its own process: ${WARM_SAMPLES} samples each straight to it, then
${LINK_SAMPLES} each through a proxy that holds every DynamoDB request for ${LINK_LATENCY_MS} ms
(real DynamoDB is 3–6 ms from a Lambda; on dynalite alone fixed overheads look far larger).

${table(
  ['request', 'footfall median (p95)', 'reference median (p95)', 'ratio of medians', 'target'],
  [
    ...warmRows(direct, 'dynalite', ['', '']),
    ...warmRows(linked, `+${LINK_LATENCY_MS} ms`, ['≤ 1.15x', '≤ 1.10x']),
  ],
)}

ElectroDB's own work per call (building the request, \`electroClient\`'s conversion, formatting
the answer), measured on a client that answers at once: upsert-and-add ${us(ownCost.upsert)},
get ${us(ownCost.get)}. Target: ≤ 300 µs.`);

  // 4. Exactness under concurrency: footfall vs the read-then-write design it replaces.
  step('concurrency 1, 10, 100, 500');
  const readThenWrite = async (id: string) => {
    const { Item } = await rawGet(id);
    const views = Number(Item?.views?.N ?? 0) + 1;
    await raw.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...referenceKey(id), views: { N: String(views) } },
      }),
    );
  };
  const concurrencyRows: Row[] = [];
  const TOTAL = 500;
  for (const level of [1, 10, 100, 500]) {
    const run = async (design: (i: number) => Promise<unknown>) => {
      const latencies: number[] = [];
      let errors = 0;
      let next = 0;
      const worker = async () => {
        while (next < TOTAL) {
          const i = next++;
          try {
            latencies.push(await timed(() => design(i)));
          } catch {
            errors++;
          }
        }
      };
      await Promise.all(Array.from({ length: level }, worker));
      return { ...stats(latencies), errors };
    };
    const page = `/concurrency-${level}`;
    const ff = await run(() => invoke('POST', page));
    const ffCount = (await invoke('GET', page)).views;
    const rtw = await run(() => readThenWrite(`rtw-${level}`));
    const rtwCount = Number((await rawGet(`rtw-${level}`)).Item?.views?.N ?? 0);
    concurrencyRows.push([
      String(level),
      `${ms(ff.median)} / ${ms(ff.p95)}`,
      `${TOTAL - ffCount} (${ff.errors} errors)`,
      `${ms(rtw.median)} / ${ms(rtw.p95)}`,
      `${TOTAL - rtwCount} (${rtw.errors} errors)`,
    ]);
  }
  sections.push(`## Exactness under concurrency

${TOTAL} increments of one page at each level of concurrency: footfall's handler (one atomic
\`ADD\`) against the design it replaces (\`GetItem\`, add one, \`PutItem\`). Latency is per
request; "lost" is ${TOTAL} minus the final count. Target: 0 lost at every level.

${table(['concurrency', 'footfall median / p95', 'footfall lost', 'read-then-write median / p95', 'read-then-write lost'], concurrencyRows)}`);

  // 5. Peak memory of one process serving 20,000 requests.
  step(`peak RSS over ${RSS_REQUESTS} requests`);
  // A 128 MB Lambda cannot give V8 an unbounded heap; measure both ways, for both bundles.
  const serve = (bundle: string, nodeFlags: string[]) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          ...nodeFlags,
          '--input-type=module',
          '-e',
          `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
           const event = ${JSON.stringify(event('POST', '/memory'))};
           let next = 0, ok = 0, heap = 0;
           const worker = async () => { while (next++ < ${RSS_REQUESTS}) {
             const r = await handler(event, {}); if (r.statusCode === 200) ok++;
             if (next % 500 === 0) heap = Math.max(heap, process.memoryUsage().heapUsed);
           } };
           await Promise.all(Array.from({ length: 50 }, worker));
           process.stdout.write(JSON.stringify({ ok, maxRssKiB: process.resourceUsage().maxRSS, maxHeapKiB: heap / 1024 }));`,
        ],
        { env, maxBuffer: 1 << 20 },
      ).toString(),
    ) as { ok: number; maxRssKiB: number; maxHeapKiB: number };
  const imported = (bundle: string) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `await import(${JSON.stringify(pathToFileURL(bundle).href)}); process.stdout.write(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }))`,
        ],
        { env },
      ).toString(),
    ) as { maxRssKiB: number };
  const mib = (kiB: number) => `${(kiB / 1024).toFixed(1)} MiB`;
  const memoryRows: Row[] = [];
  const runs: [string, string[], boolean][] = [
    ['Node defaults', [], true],
    // The reference behaves the same under the cap; one run of it keeps the bench under 2 min.
    ['--max-old-space-size=90', ['--max-old-space-size=90'], false],
  ];
  for (const [name, flags, withReference] of runs) {
    const a = serve(ours, flags);
    const b = withReference ? serve(reference, flags) : undefined;
    memoryRows.push([
      `${RSS_REQUESTS.toLocaleString('en')} requests, ${name}`,
      `${mib(a.maxRssKiB)} (heap ${mib(a.maxHeapKiB)}; ${a.ok.toLocaleString('en')} ok)`,
      b
        ? `${mib(b.maxRssKiB)} (heap ${mib(b.maxHeapKiB)}; ${b.ok.toLocaleString('en')} ok)`
        : 'not run',
      b ? ratio(a.maxRssKiB, b.maxRssKiB) : '',
    ]);
  }
  const idle = { ours: imported(ours), reference: imported(reference) };
  memoryRows.unshift([
    'import only',
    mib(idle.ours.maxRssKiB),
    mib(idle.reference.maxRssKiB),
    ratio(idle.ours.maxRssKiB, idle.reference.maxRssKiB),
  ]);
  sections.push(`## Memory

Peak resident memory (RSS) of one Node process that imports a bundle and serves
${RSS_REQUESTS.toLocaleString('en')} POSTs through its handler, 50 at a time, with the largest V8 heap in use seen
while doing it; footfall against the bare-SDK reference. Node's default lets V8 grow its heap
lazily; a 128 MB Lambda has to cap it, so the second run caps the old generation at 90 MB.
Target: under 128 MB, the smallest Lambda size.

${table(['run', 'footfall peak RSS', 'reference peak RSS', 'ratio'], memoryRows)}`);

  // 6. Load on the local dev server (dynalite on disk, as npm run dev runs it).
  step(`load: 50 connections for ${LOAD_SECONDS} s`);
  const dataDir = join(work, 'dev-data');
  const dev = spawn(process.execPath, ['--import', 'tsx', 'service/src/dev.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      FOOTFALL_DATA_DIR: dataDir,
      TABLE_NAME: 'footfall',
      DYNAMODB_ENDPOINT: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const devUrl = await new Promise<string>((resolve) => {
    let output = '';
    dev.stdout?.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/running at (http:\/\/\S+?)\/? /);
      if (match?.[1]) resolve(match[1]);
    });
  });
  const load = await loadTest(devUrl, { connections: 50, seconds: LOAD_SECONDS, page: '/load' });
  dev.kill('SIGINT');
  sections.push(`## Load on the dev server

\`autocannon\`, 50 keep-alive connections POSTing one page for ${LOAD_SECONDS} s against \`npm run dev\`
(dynalite on disk, in the server's process), then the count read back. Requests still in flight
when the clock stops are answered after it: they are counted by the server, not by autocannon.

${table(
  [
    'requests sent',
    '2xx',
    'errors (non-2xx, failed, timed out)',
    'requests/s',
    'latency p50 / p99 / max',
    'count added',
    'exact',
  ],
  [
    [
      String(load.sent),
      String(load.ok),
      String(load.failed),
      load.requestsPerSecond.toFixed(0),
      `${load.latencyMs.p50} / ${load.latencyMs.p99} / ${load.latencyMs.max} ms`,
      String(load.after - load.before),
      load.after - load.before === load.sent && load.failed === 0 ? 'yes' : 'NO',
    ],
  ],
)}`);
  raw.destroy();

  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${arch()}), Node ${process.version}`;
  const report = `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}. Ratios compare
figures measured in the same run; absolute times depend on the machine (this one is a shared
2-vCPU VM, and dynalite is far slower than DynamoDB, which makes fixed overheads look larger).

${sections.join('\n\n')}
`;
  console.log(`\n${report}`);
  await writeFile(join(root, 'docs/benchmarks.md'), report);
  console.error('written to docs/benchmarks.md');
} finally {
  dynalite.child.kill();
  await rm(work, { recursive: true, force: true });
}

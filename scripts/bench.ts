/**
 * `npm run bench`: footfall's speed as ratios against references measured in the same run,
 * interleaved so that machine noise falls on both sides alike. Prints a table and writes
 * docs/benchmarks.md. It asserts nothing: figures are for people to read and compare.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { arch, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateTableCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  localCredentials,
  localRegion,
  startLocalDynamoDB,
} from '../service/src/local-dynamodb.js';
import { createTableInput } from '../service/src/table.js';
import { bundleLambda } from './lib/lambda-bundle.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = fileURLToPath(new URL('../', import.meta.url));
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 21);
const WARM_ROUNDS = Number(process.env.BENCH_WARM_ROUNDS ?? 40);
const WARM_BATCH = 25;

interface Stats {
  median: number;
  p95: number;
}
const stats = (samples: number[]): Stats => {
  const sorted = samples.toSorted((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p95: at(0.95) };
};
const ms = (value: number) => `${value.toFixed(value < 10 ? 3 : 1)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const work = await mkdtemp(join(tmpdir(), 'footfall-bench-'));
const dynamodb = await startLocalDynamoDB();
try {
  const tableName = 'footfall-bench';
  const env = {
    ...process.env,
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: dynamodb.endpoint,
    AWS_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  };

  // 1. Both bundles, built the same way.
  const ours = join(work, 'footfall.mjs');
  const reference = join(work, 'reference.mjs');
  await bundleLambda(join(root, 'service/src/lambda.ts'), ours);
  await bundleLambda(join(root, 'scripts/reference/bare-sdk-handler.ts'), reference);

  // 2. Cold import, each in a fresh Node process, alternating.
  const coldImport = (file: string) =>
    Number(
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const t=performance.now();await import(${JSON.stringify(pathToFileURL(file).href)});process.stdout.write(String(performance.now()-t))`,
        ],
        { env },
      ),
    );
  const cold = { ours: [] as number[], reference: [] as number[] };
  coldImport(ours); // warm the file cache before measuring
  coldImport(reference);
  for (let i = 0; i < COLD_RUNS; i++) {
    cold.ours.push(coldImport(ours));
    cold.reference.push(coldImport(reference));
  }

  // 3. A POST through the bundled handler vs a raw UpdateItem, on the same dynalite.
  Object.assign(process.env, env);
  const raw = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: localRegion,
    credentials: localCredentials,
  });
  await raw.send(new CreateTableCommand(createTableInput(tableName)));
  const { handler } = (await import(pathToFileURL(ours).href)) as {
    handler: (event: unknown, context: unknown) => Promise<{ statusCode: number }>;
  };
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/api/count',
    rawQueryString: 'page=%2Fbench',
    headers: { host: 'bench.example' },
    requestContext: {
      domainName: 'bench.example',
      http: {
        method: 'POST',
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
  };
  const post = async () => {
    const result = await handler(event, {});
    if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}`);
  };
  const update = () =>
    raw.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'reference#/bench' }, sk: { S: 'reference' } },
        UpdateExpression: 'ADD #views :one',
        ExpressionAttributeNames: { '#views': 'views' },
        ExpressionAttributeValues: { ':one': { N: '1' } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
  const time = async (fn: () => Promise<unknown>) => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
  for (let i = 0; i < 50; i++) await Promise.all([post(), update()]); // warm up JIT and sockets
  const warm = { ours: [] as number[], reference: [] as number[] };
  for (let round = 0; round < WARM_ROUNDS; round++) {
    for (let i = 0; i < WARM_BATCH; i++) {
      warm.ours.push(await time(post));
      warm.reference.push(await time(update));
    }
  }
  raw.destroy();

  const sizes = { ours: (await stat(ours)).size, reference: (await stat(reference)).size };
  const c = { ours: stats(cold.ours), reference: stats(cold.reference) };
  const w = { ours: stats(warm.ours), reference: stats(warm.reference) };
  const rows: [string, string, string, string, string][] = [
    [
      'cold import of the Lambda bundle (fresh process)',
      `${ms(c.ours.median)} (p95 ${ms(c.ours.p95)})`,
      `${ms(c.reference.median)} (p95 ${ms(c.reference.p95)})`,
      `${(c.ours.median / c.reference.median).toFixed(2)}x`,
      '≤ 1.30x',
    ],
    [
      'POST /api/count through the handler vs raw UpdateItem',
      `${ms(w.ours.median)} (p95 ${ms(w.ours.p95)})`,
      `${ms(w.reference.median)} (p95 ${ms(w.reference.p95)})`,
      `${(w.ours.median / w.reference.median).toFixed(2)}x`,
      '≤ 1.25x',
    ],
    [
      'bundle size',
      kib(sizes.ours),
      kib(sizes.reference),
      `${(sizes.ours / sizes.reference).toFixed(2)}x`,
      '',
    ],
  ];

  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${arch()}), Node ${process.version}`;
  const header = ['measure', 'footfall', 'reference', 'ratio', 'target'];
  const table = [header, header.map(() => '---'), ...rows]
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n');
  const report = `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}.
The reference is a bare AWS SDK handler doing one \`UpdateItem\` with \`ADD\`
(\`scripts/reference/bare-sdk-handler.ts\`), bundled exactly as footfall is. Samples alternate
between the two; cold imports: ${COLD_RUNS} fresh processes each; POSTs: ${WARM_ROUNDS * WARM_BATCH} each,
sequential, against one in-process dynalite.

${table}
`;
  console.log(`\n${machine}\n\n${table}\n`);
  await writeFile(join(root, 'docs/benchmarks.md'), report);
  console.log('written to docs/benchmarks.md');
} finally {
  await dynamodb.close();
  await rm(work, { recursive: true, force: true });
}

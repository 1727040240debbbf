// Child process: one cold start. Imports the bundle named by argv[2] and, with argv[3] equal to
// "first-call", answers BENCH_EVENT through its handler; prints {"ms":N} for all of it.
import { pathToFileURL } from 'node:url';
import type { Handler } from './handler.js';

const [bundle, mode] = process.argv.slice(2);
if (!bundle) throw new Error('usage: cold-start BUNDLE [first-call]');
const url = pathToFileURL(bundle).href;
const event = mode === 'first-call' ? JSON.parse(process.env.BENCH_EVENT ?? 'null') : undefined;

const started = performance.now();
const { handler } = (await import(url)) as { handler: Handler };
if (event) {
  const result = await handler(event, {});
  if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}`);
}
process.stdout.write(JSON.stringify({ ms: performance.now() - started }));
// The SDK's keep-alive sockets would hold the process open.
process.exit(0);

// Child process: memory of one Lambda-like process. Imports the bundle named by argv[2], sends
// BENCH_EVENT through its handler argv[3] times, 50 at a time, and prints how many were 200,
// the peak RSS and the largest V8 heap seen (argv[3] = 0: the import alone).
import { pathToFileURL } from 'node:url';
import type { Handler } from './handler.js';

const [bundle, count] = process.argv.slice(2);
if (!bundle) throw new Error('usage: serve BUNDLE REQUESTS');
const requests = Number(count ?? 0);
const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: Handler };
const event = JSON.parse(process.env.BENCH_EVENT ?? 'null');

let next = 0;
let ok = 0;
let heap = 0;
const worker = async () => {
  while (next++ < requests) {
    const result = await handler(event, {});
    if (result.statusCode === 200) ok++;
    if (next % 500 === 0) heap = Math.max(heap, process.memoryUsage().heapUsed);
  }
};
await Promise.all(Array.from({ length: Math.min(50, requests) }, worker));
process.stdout.write(
  JSON.stringify({ ok, maxRssKiB: process.resourceUsage().maxRSS, maxHeapKiB: heap / 1024 }),
);
process.exit(0);

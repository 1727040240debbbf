// Child process: memory of one Lambda-like process. Imports the bundle named by argv[2], sends
// BENCH_EVENT through its handler argv[3] times, 50 at a time, and prints how many were 200,
// the peak RSS and the largest V8 heap seen (argv[3] = 0: the import alone).
import { readFileSync } from 'node:fs';
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
let rss = 0;
const worker = async () => {
  while (next++ < requests) {
    const result = await handler(event, {});
    if (result.statusCode === 200) ok++;
    if (next % 500 === 0) {
      const now = process.memoryUsage();
      heap = Math.max(heap, now.heapUsed);
      rss = Math.max(rss, now.rss);
    }
  }
};
await Promise.all(Array.from({ length: Math.min(50, requests) }, worker));
/**
 * This process's own peak RSS, KiB. Linux's `VmHWM`, which `execve` starts afresh; not
 * getrusage's `maxRSS`, which on Linux keeps the forking parent's peak across `execve`: a child
 * of a 300 MiB benchmark reports at least 300 MiB however little it uses. Without /proc, the
 * largest RSS sampled (every 500 requests, and now).
 */
function peakRssKiB(): number {
  try {
    const peak = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (peak !== undefined) return Number(peak);
  } catch {
    // Not Linux: no /proc.
  }
  return Math.max(rss, process.memoryUsage().rss) / 1024;
}

process.stdout.write(JSON.stringify({ ok, maxRssKiB: peakRssKiB(), maxHeapKiB: heap / 1024 }));
process.exit(0);

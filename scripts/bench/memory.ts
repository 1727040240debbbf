import { type BenchContext, countEvent } from './context.js';
import { mib, type Row, ratio, step, table } from './format.js';
import { runChild } from './processes.js';
import { type Check, type Section, targetText, under, verdict } from './targets.js';

const REQUESTS = 20_000;

interface Served {
  ok: number;
  maxRssKiB: number;
  maxHeapKiB: number;
}

/** Peak memory of one process importing a bundle and serving 20,000 requests. */
export async function memory(ctx: BenchContext): Promise<Section> {
  step(`peak RSS over ${REQUESTS} requests`);
  const env = { ...ctx.env, BENCH_EVENT: JSON.stringify(countEvent('POST', '/memory')) };
  const serve = (bundle: string, requests: number, nodeFlags: string[] = []) =>
    runChild<Served>(ctx.children.serve, [bundle, String(requests)], env, nodeFlags);
  const { ours, reference } = ctx.bundles;
  const served = (s: Served) =>
    `${mib(s.maxRssKiB)} (heap ${mib(s.maxHeapKiB)}; ${s.ok.toLocaleString('en')} ok)`;

  const idle = { ours: serve(ours, 0), reference: serve(reference, 0) };
  const rows: Row[] = [
    [
      'import only',
      mib(idle.ours.maxRssKiB),
      mib(idle.reference.maxRssKiB),
      ratio(idle.ours.maxRssKiB, idle.reference.maxRssKiB),
      '',
      '',
    ],
  ];
  // A 128 MB Lambda cannot give V8 an unbounded heap; measure both ways.
  const defaults = { ours: serve(ours, REQUESTS), reference: serve(reference, REQUESTS) };
  rows.push([
    `${REQUESTS.toLocaleString('en')} requests, Node defaults`,
    served(defaults.ours),
    served(defaults.reference),
    ratio(defaults.ours.maxRssKiB, defaults.reference.maxRssKiB),
    '',
    '',
  ]);
  // The reference behaves the same under the cap; one run of it keeps the bench short.
  const capped = serve(ours, REQUESTS, ['--max-old-space-size=90']);
  const cappedName = `${REQUESTS.toLocaleString('en')} requests, --max-old-space-size=90`;
  // The run a 128 MB Lambda makes: the one held to the target.
  const check: Check = {
    measure: `peak RSS, ${cappedName}`,
    target: under(128, 'MiB'),
    measured: capped.maxRssKiB / 1024,
  };
  rows.push([cappedName, served(capped), 'not run', '', targetText(check.target), verdict(check)]);

  const text = `## Memory

Peak resident memory (RSS) of one Node process (its own high-water mark, Linux's \`VmHWM\`:
getrusage's would also hold the benchmark's, which started it) that imports a bundle and serves
${REQUESTS.toLocaleString('en')} POSTs through its handler, 50 at a time, with the largest V8 heap in use seen
while doing it; footfall against the bare-SDK reference. Node's default lets V8 grow its heap
lazily; a 128 MB Lambda has to cap it, so the second run caps the old generation at 90 MB.
Target: under 128 MiB, the smallest Lambda size (Lambda's "128 MB" is 128 MiB), for the capped run.

${table(['run', 'footfall peak RSS', 'reference peak RSS', 'ratio', 'target', 'met?'], rows)}`;
  return { text, checks: [check] };
}

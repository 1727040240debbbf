import { bytesLoadedAtInit } from '../../service/build/bundle.js';
import { type BenchContext, countEvent } from './context.js';
import { kib, ms, ratio, stats, step, table } from './format.js';
import { runChild } from './processes.js';
import { atMost, type Check, type Section, type Target, targetText, verdict } from './targets.js';

/**
 * One cold start in a fresh Node process: milliseconds to import `bundle` (its entry file) and,
 * given an event, to answer it too. `env` adds to the context's environment.
 */
export const coldStartMs = (
  ctx: Pick<BenchContext, 'env' | 'children'>,
  bundle: string,
  event?: unknown,
  env: NodeJS.ProcessEnv = {},
) =>
  runChild<{ ms: number }>(
    ctx.children['cold-start'],
    [bundle, ...(event === undefined ? [] : ['first-call'])],
    { ...ctx.env, ...env, BENCH_EVENT: JSON.stringify(event ?? null) },
  ).ms;

/**
 * Cold start, each in a fresh Node process, alternating: the import alone, and the import plus
 * the first request (what the first visitor of a new Lambda environment waits for).
 */
export async function coldStart(ctx: BenchContext, runs: number): Promise<Section> {
  step(`cold starts (${runs} each)`);
  const post = countEvent('POST', '/cold');
  const once = (bundle: string, firstCall: boolean) =>
    coldStartMs(ctx, bundle, firstCall ? post : undefined);
  const { ours, reference } = ctx.bundles;
  once(ours, true); // warm the file cache
  once(reference, true);
  const samples = { ours: [] as number[], reference: [] as number[] };
  const firstCall = { ours: [] as number[], reference: [] as number[] };
  for (let i = 0; i < runs; i++) {
    samples.ours.push(once(ours, false));
    samples.reference.push(once(reference, false));
    firstCall.ours.push(once(ours, true));
    firstCall.reference.push(once(reference, true));
  }
  const imported = { ours: stats(samples.ours), reference: stats(samples.reference) };
  const first = { ours: stats(firstCall.ours), reference: stats(firstCall.reference) };
  // What a cold start reads: the entry and the chunks it imports (the rest loads on first use).
  const sizes = {
    ours: bytesLoadedAtInit(ctx.built.ours),
    reference: bytesLoadedAtInit(ctx.built.reference),
  };
  const checks: Check[] = [];
  /** A row of the table; with a target, the check it makes, beside it. */
  const row = (
    name: string,
    a: number,
    b: number,
    target?: { readonly target: Target; readonly of: number },
    format: (value: number) => string = ms,
  ) => {
    const check = target && { measure: name, target: target.target, measured: target.of };
    if (check) checks.push(check);
    return [
      name,
      format(a),
      format(b),
      ratio(a, b),
      check ? targetText(check.target) : '',
      check ? verdict(check) : '',
    ];
  };
  const ratioOf = (a: number, b: number, limit: number) => ({
    target: atMost(limit, 'ratio'),
    of: a / b,
  });
  const rows = [
    row(
      'cold import, median',
      imported.ours.median,
      imported.reference.median,
      ratioOf(imported.ours.median, imported.reference.median, 1.6),
    ),
    row('cold import, p95', imported.ours.p95, imported.reference.p95),
    row(
      'import + first POST, median',
      first.ours.median,
      first.reference.median,
      ratioOf(first.ours.median, first.reference.median, 1.7),
    ),
    row('import + first POST, p95', first.ours.p95, first.reference.p95),
    row(
      'bundle on the POST path (loaded at init)',
      sizes.ours,
      sizes.reference,
      { target: atMost(560, 'KiB'), of: sizes.ours / 1024 },
      kib,
    ),
  ];

  const text = `## Cold start

A fresh Node process importing the bundle, and importing it then answering one POST against
dynalite (${runs} runs of each, alternating). The reference is a bare AWS SDK handler doing
one \`UpdateItem\` with \`ADD\` (\`scripts/bench/reference-handler.ts\`), bundled as
footfall is (\`bundleLambda\`, \`service/build/bundle.ts\`), but with the SDK's default credential
chain, as a bare handler has it (ADR 6). The bundle's size is what a cold start reads: the entry
file and the chunks it imports; the chunks loaded on first use (the stats, pages and badge
routes, the SNS client, the SDK's optional parts) are not in it. footfall's import includes
fetching the day's salt from DynamoDB (ADR 12: during init, so the first visit waits for none):
its cold import is an import and a round trip, and the import plus first POST the fairer
comparison.

${table(['measure', 'footfall', 'reference', 'ratio', 'target', 'met?'], rows)}`;
  return { text, checks };
}

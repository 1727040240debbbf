import { join } from 'node:path';
import {
  type BundleLambdaOptions,
  bundleLambda,
  bytesLoadedAtInit,
  type LambdaBundle,
} from '../../service/build/bundle.js';
import { lambdaEntry } from '../../service/build/options.js';
import { coldStartMs } from './cold.js';
import { type BenchContext, countEvent, statsEvent } from './context.js';
import { kib, ms, type Row, ratio, type Stats, stats, step, table } from './format.js';
import type { Section } from './targets.js';

/**
 * Issue 24's levers, each added to the one before, from the bundle as it was to the bundle
 * shipped: every variant built from today's source by `bundleLambda` with the lever off or on.
 */
const VARIANTS = [
  {
    name: 'before: one file, the SDK’s default credential chain, Hono’s default router',
    options: { splitting: false, sdkDefaultCredentials: true, honoDefaultRouter: true },
  },
  {
    name: '+ credentials from the environment only (lever 1)',
    options: { splitting: false, honoDefaultRouter: true },
  },
  {
    name: '+ chunks: what a visit never takes loads on first use (lever 2)',
    options: { honoDefaultRouter: true },
  },
  { name: '+ `hono/quick`, a router built fast (lever 2): shipped', options: {} },
] as const satisfies readonly { name: string; options: BundleLambdaOptions }[];

const MODES = ['cold import', 'import + first POST', 'import + first stats GET'] as const;
type Mode = (typeof MODES)[number];

/**
 * Each lever's gain, as whole processes: every variant's cold import, import and first POST, and
 * import and first stats request (a route in a chunk of its own), `runs` rounds taking turns.
 */
export async function levers(
  ctx: Pick<BenchContext, 'root' | 'env' | 'children'>,
  work: string,
  runs: number,
): Promise<Section> {
  step(`building the levers' variants (${VARIANTS.length})`);
  const built: LambdaBundle[] = [];
  for (const [index, variant] of VARIANTS.entries()) {
    built.push(
      await bundleLambda(
        join(ctx.root, lambdaEntry),
        join(work, `lever-${index}`),
        variant.options,
      ),
    );
  }
  const events: Record<Mode, unknown> = {
    'cold import': undefined,
    'import + first POST': countEvent('POST', '/cold'),
    'import + first stats GET': statsEvent('/cold'),
  };
  const once = (bundle: LambdaBundle, mode: Mode) => coldStartMs(ctx, bundle.entry, events[mode]);
  step(`cold starts of each variant (${runs} rounds of ${VARIANTS.length * MODES.length})`);
  for (const bundle of built) once(bundle, 'import + first POST'); // the file cache
  const samples = built.map(() => new Map<Mode, number[]>(MODES.map((mode) => [mode, []])));
  for (let i = 0; i < runs; i++) {
    // Whole rounds, each starting one further along, so drift falls on every variant alike.
    for (let j = 0; j < built.length; j++) {
      const v = (i + j) % built.length;
      for (const mode of MODES) samples[v]?.get(mode)?.push(once(built[v] as LambdaBundle, mode));
    }
  }
  const figures = samples.map(
    (variant) =>
      Object.fromEntries(MODES.map((mode) => [mode, stats(variant.get(mode) ?? [])])) as Record<
        Mode,
        Stats
      >,
  );
  const before = figures[0] as Record<Mode, Stats>;
  const cell = ({ median, p95 }: Stats) => `${ms(median)} (${ms(p95)})`;
  const rows: Row[] = VARIANTS.map((variant, index) => {
    const own = figures[index] as Record<Mode, Stats>;
    return [
      variant.name,
      kib(bytesLoadedAtInit(built[index] as LambdaBundle)),
      ...MODES.map((mode) => cell(own[mode])),
      ratio(own['import + first POST'].median, before['import + first POST'].median),
    ];
  });

  const text = `## Cold start, lever by lever (issue 24)

Each row adds one lever to the row above it; every variant is built from today's source by
\`bundleLambda\` with the levers above it on and the rest off, so the first row is the bundle as
it was before issue 24, less what the source itself changed. Whole processes as in "Cold start"
(${runs} rounds, every variant and measure once a round, in turn; medians, p95 in brackets).
"Loaded at init" is what a cold start reads; the stats GET reads its route's chunk on top.
Work done early (the day's salt, and with it DynamoDB's connection, fetched during init) is in
every row: ADR 12 measured it. What each dependency costs is the next section.

${table(
  [
    'variant',
    'loaded at init',
    ...MODES.map((mode) => `${mode}, median (p95)`),
    'first POST vs before',
  ],
  rows,
)}`;
  return { text, checks: [] };
}

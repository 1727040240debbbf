import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type BuildOptions, type BuildResult, build, buildSync, type Metafile } from 'esbuild';
import { lambdaAlias, lambdaBuildOptions, lambdaEntryFile, lambdaEntryName } from './options.js';

export interface BundleLambdaOptions {
  /**
   * The SDK's default credential chain rather than the environment's credentials only: for the
   * benchmark's bare-SDK reference and its "before" rows, never for a footfall function.
   * @default false
   */
  readonly sdkDefaultCredentials?: boolean;
  /**
   * What the code loads only by `import()` (the routes a visit never takes, the SNS client, the
   * SDK's own optional parts) in chunks of their own, read when first used: the visit's cold
   * start parses none of it. `false` puts everything in `index.mjs`: the benchmark's "before".
   * @default true
   */
  readonly splitting?: boolean;
  /**
   * Hono's default router (`hono`) wherever the app imports `hono/quick`: the benchmark's
   * "before" rows, never a footfall function.
   * @default false
   */
  readonly honoDefaultRouter?: boolean;
}

/** One bundle: its folder's files, and which of them a cold start reads. */
export interface LambdaBundle {
  readonly metafile: Metafile;
  /** The metafile's outputs by absolute path (the metafile's own keys are relative to the cwd). */
  readonly outputs: ReadonlyMap<string, Metafile['outputs'][string]>;
  /** `index.mjs` in the bundle's folder: Lambda's `index.handler`. */
  readonly entry: string;
  /** Every file written, with its size. */
  readonly files: readonly BundleFile[];
  /** The files loaded at import (the entry and what it imports statically), with their sizes. */
  readonly loadedAtInit: readonly BundleFile[];
}

export interface BundleFile {
  /** Absolute. */
  readonly path: string;
  readonly bytes: number;
}

/**
 * Bundles one Lambda entry point into `outdir` (`index.mjs`, and with splitting `chunks/`),
 * as `npm run build`, the benchmark and the tests do.
 */
export async function bundleLambda(
  entryPoint: string,
  outdir: string,
  options: BundleLambdaOptions = {},
): Promise<LambdaBundle> {
  // Written by this process, not esbuild's: a build stopped by a signal removes its folder, and
  // esbuild's own process would otherwise write on into it, bringing the folder back.
  const result = await build(buildOptions(entryPoint, outdir, options));
  for (const file of result.outputFiles) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.contents);
  }
  return described(result, outdir);
}

/**
 * `bundleLambda`, synchronously: CDK's local bundling (`ILocalBundling.tryBundle`) cannot wait,
 * and runs it for every function footfall deploys, so a deploy ships what `npm run build` builds.
 */
export function bundleLambdaSync(
  entryPoint: string,
  outdir: string,
  options: BundleLambdaOptions = {},
): LambdaBundle {
  const result = buildSync(buildOptions(entryPoint, outdir, options));
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.contents);
  }
  return described(result, outdir);
}

function buildOptions(
  entryPoint: string,
  outdir: string,
  {
    sdkDefaultCredentials = false,
    splitting = true,
    honoDefaultRouter = false,
  }: BundleLambdaOptions,
) {
  const alias = {
    ...(sdkDefaultCredentials ? {} : lambdaAlias),
    ...(honoDefaultRouter ? { 'hono/quick': 'hono' } : {}),
  };
  return {
    ...lambdaBuildOptions,
    alias,
    entryPoints: { [lambdaEntryName]: entryPoint },
    outdir,
    splitting,
    write: false,
  } as const satisfies BuildOptions;
}

function described(
  result: BuildResult<{ write: false; metafile: true }>,
  outdir: string,
): LambdaBundle {
  const { metafile } = result;
  // The metafile names outputs from esbuild's working directory.
  const outputs = new Map(
    Object.entries(metafile.outputs).map(([path, output]) => [resolve(path), output]),
  );
  const entry = join(resolve(outdir), lambdaEntryFile);
  const loaded = new Set<string>();
  const visit = (path: string) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const imported of outputs.get(path)?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(resolve(imported.path));
    }
  };
  visit(entry);
  const fileOf = (path: string): BundleFile => ({ path, bytes: outputs.get(path)?.bytes ?? 0 });
  return {
    metafile,
    outputs,
    entry,
    files: result.outputFiles.map((file) => fileOf(file.path)),
    loadedAtInit: [...loaded].map(fileOf),
  };
}

/** The bytes a cold start reads: the sum of `loadedAtInit`. */
export const bytesLoadedAtInit = (bundle: LambdaBundle) =>
  bundle.loadedAtInit.reduce((sum, file) => sum + file.bytes, 0);

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { lambdaAlias, lambdaBuildOptions } from './options.js';

export interface BundleLambdaOptions {
  /**
   * The SDK's default credential chain rather than the environment's credentials only: for the
   * benchmark's bare-SDK reference, never for a footfall function.
   * @default false
   */
  readonly sdkDefaultCredentials?: boolean;
}

/** Bundles one Lambda entry point to `outfile`; returns esbuild's metafile for size reports. */
export async function bundleLambda(
  entryPoint: string,
  outfile: string,
  { sdkDefaultCredentials = false }: BundleLambdaOptions = {},
): Promise<Metafile> {
  // Written by this process, not esbuild's: a build stopped by a signal removes its folder, and
  // esbuild's own process would otherwise write on into it, bringing the folder back.
  const result = await build({
    ...lambdaBuildOptions,
    ...(sdkDefaultCredentials ? {} : { alias: lambdaAlias }),
    entryPoints: [entryPoint],
    outfile,
    write: false,
  });
  await mkdir(dirname(outfile), { recursive: true });
  for (const file of result.outputFiles) await writeFile(file.path, file.contents);
  return result.metafile;
}

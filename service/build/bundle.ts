import { build, type Metafile } from 'esbuild';
import { lambdaBuildOptions } from './options.js';

/** Bundles one Lambda entry point to `outfile`; returns esbuild's metafile for size reports. */
export async function bundleLambda(entryPoint: string, outfile: string): Promise<Metafile> {
  const result = await build({ ...lambdaBuildOptions, entryPoints: [entryPoint], outfile });
  return result.metafile;
}

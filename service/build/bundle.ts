import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { lambdaBuildOptions } from './options.js';

/** Bundles one Lambda entry point to `outfile`; returns esbuild's metafile for size reports. */
export async function bundleLambda(entryPoint: string, outfile: string): Promise<Metafile> {
  // Written by this process, not esbuild's: a build stopped by a signal removes its folder, and
  // esbuild's own process would otherwise write on into it, bringing the folder back.
  const result = await build({
    ...lambdaBuildOptions,
    entryPoints: [entryPoint],
    outfile,
    write: false,
  });
  await mkdir(dirname(outfile), { recursive: true });
  for (const file of result.outputFiles) await writeFile(file.path, file.contents);
  return result.metafile;
}

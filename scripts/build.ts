import { mkdir, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleLambda, bytesLoadedAtInit } from '../service/build/bundle.js';
import { lambdaEntry, lambdaEntryFile } from '../service/build/options.js';
import { siteOrigin } from '../web/build/embed.js';
import { buildSite, describeBuildError } from '../web/build/site.js';
import {
  removeOwnStaging,
  removeStaleStaging,
  replaceDir,
  stagingDir,
} from '../web/build/staging.js';

/** A failure a person can fix: one line on stderr, no stack trace. */
function fail(line: string, exitCode: number): never {
  console.error(line);
  process.exit(exitCode);
}

// `npm run build -- --site-url https://me.example` puts the site's address in the embed snippet.
let args: ReturnType<typeof parseArgs<{ options: { 'site-url': { type: 'string' } } }>>;
try {
  args = parseArgs({ options: { 'site-url': { type: 'string' } } });
} catch (error) {
  fail((error as Error).message, 2);
}
let siteUrl: string | undefined;
try {
  siteUrl = args.values['site-url'] ? siteOrigin(args.values['site-url']) : undefined;
} catch (error) {
  fail(`--site-url: ${(error as Error).message}`, 2);
}

const root = fileURLToPath(new URL('../', import.meta.url));
const at = (path: string) => `${root}${path}`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`.padStart(10);
// FOOTFALL_WEB_DIR: build the site from another copy of web/ (the tests' scratch copies).
const webDir = process.env.FOOTFALL_WEB_DIR?.trim() || at('web');
// FOOTFALL_DIST_DIR: build into another folder than dist/ (the tests' scratch folders).
const dist = resolve(process.env.FOOTFALL_DIST_DIR?.trim() || at('dist'));
const siteOut = join(dist, 'web');
const lambdaOut = join(dist, 'lambda');
const shown = (path: string) => relative(root, path);

// Ctrl-C or a kill mid-build takes this build's half-written folders with it (only this
// process writes into them: esbuild hands its output back). A file operation already under way
// can finish after that and bring a folder back, so it is given a moment, with nothing else
// running, and the folders are cleared again. Whatever is still left, and what no signal reaches
// (SIGKILL, a power cut), the next build clears: it removes the folders of builds whose process
// is gone (web/build/staging.ts).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    removeOwnStaging([siteOut, lambdaOut]);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    removeOwnStaging([siteOut, lambdaOut]);
    process.exit(128 + constants.signals[signal]);
  });
}

// No finished output is deleted up front (only what interrupted builds left): each part is
// built beside it and swapped in, so a build that fails (an invalid resume.json, say) leaves the
// last good one, and a dev server or a deploy reading it, as they were. The site first: its
// resume is the likeliest to be wrong.
let site: Awaited<ReturnType<typeof buildSite>>;
try {
  site = await buildSite({ webDir, outDir: siteOut, siteUrl });
} catch (error) {
  const problem = describeBuildError(error);
  if (problem === undefined) throw error;
  fail(problem, 1);
}

await removeStaleStaging(lambdaOut);
const lambdaStaging = stagingDir(lambdaOut);
await mkdir(lambdaStaging, { recursive: true });
let lambda: Awaited<ReturnType<typeof bundleLambda>>;
try {
  lambda = await bundleLambda(at(lambdaEntry), lambdaStaging);
  await replaceDir(lambdaStaging, lambdaOut);
} catch (error) {
  await rm(lambdaStaging, { recursive: true, force: true });
  throw error;
}
const loaded = bytesLoadedAtInit(lambda);
const later = lambda.files.reduce((sum, file) => sum + file.bytes, 0) - loaded;
console.log(
  `${kib(loaded)}  ${shown(join(lambdaOut, lambdaEntryFile))}, with what it imports (a cold start reads this)`,
);
console.log(
  `${kib(later)}  ${shown(join(lambdaOut, 'chunks'))}/: ${lambda.files.length - lambda.loadedAtInit.length} more files, read only when first used`,
);
for (const [file, bytes] of Object.entries(site.files))
  console.log(`${kib(bytes)}  ${shown(join(siteOut, file))}`);

// Outside dist/web: it is for the owner to paste elsewhere, not part of the site.
await writeFile(join(dist, 'embed.html'), site.embedSnippet);
console.log(
  `\nTo show the count on another site, paste (also in ${shown(join(dist, 'embed.html'))}; it changes whenever the widget does):\n\n${site.embedSnippet}`,
);
if (!siteUrl)
  console.log('(Replace https://YOUR-SITE, or build with --site-url https://your-site.)');

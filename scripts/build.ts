import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleLambda } from '../service/build/bundle.js';
import { lambdaEntry } from '../service/build/options.js';
import { siteOrigin } from '../web/build/embed.js';
import { buildSite, describeBuildError, replaceDir } from '../web/build/site.js';

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

// Nothing in dist/ is deleted up front: each part is built beside it and swapped in, so a build
// that fails (an invalid resume.json, say) leaves the last good one, and a dev server or a
// deploy reading it, as they were. The site first: its resume is the likeliest to be wrong.
let site: Awaited<ReturnType<typeof buildSite>>;
try {
  site = await buildSite({ webDir, outDir: at('dist/web'), siteUrl });
} catch (error) {
  const problem = describeBuildError(error);
  if (problem === undefined) throw error;
  fail(problem, 1);
}

const lambda = at('dist/lambda/index.mjs');
await mkdir(at('dist'), { recursive: true });
const lambdaStaging = await mkdtemp(at('dist/lambda.building-'));
try {
  await bundleLambda(at(lambdaEntry), join(lambdaStaging, 'index.mjs'));
  await replaceDir(lambdaStaging, at('dist/lambda'));
} catch (error) {
  await rm(lambdaStaging, { recursive: true, force: true });
  throw error;
}
console.log(`${kib((await stat(lambda)).size)}  dist/lambda/index.mjs`);
for (const [file, bytes] of Object.entries(site.files))
  console.log(`${kib(bytes)}  dist/web/${file}`);

// Outside dist/web: it is for the owner to paste elsewhere, not part of the site.
await writeFile(at('dist/embed.html'), site.embedSnippet);
console.log(
  `\nTo show the count on another site, paste (also in dist/embed.html; it changes whenever the widget does):\n\n${site.embedSnippet}`,
);
if (!siteUrl)
  console.log('(Replace https://YOUR-SITE, or build with --site-url https://your-site.)');

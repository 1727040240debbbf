import { rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleLambda } from '../service/build/bundle.js';
import { lambdaEntry } from '../service/build/options.js';
import { siteOrigin } from '../web/build/embed.js';
import { buildSite } from '../web/build/site.js';

// `npm run build -- --site-url https://me.example` puts the site's address in the embed snippet.
const { values } = parseArgs({
  options: { 'site-url': { type: 'string' } },
});
let siteUrl: string | undefined;
try {
  siteUrl = values['site-url'] ? siteOrigin(values['site-url']) : undefined;
} catch (error) {
  console.error(`--site-url: ${(error as Error).message}`);
  process.exit(2);
}

const root = fileURLToPath(new URL('../', import.meta.url));
const at = (path: string) => `${root}${path}`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`.padStart(10);

await rm(at('dist'), { recursive: true, force: true });

const lambda = at('dist/lambda/index.mjs');
await bundleLambda(at(lambdaEntry), lambda);
console.log(`${kib((await stat(lambda)).size)}  dist/lambda/index.mjs`);

const site = await buildSite({ webDir: at('web'), outDir: at('dist/web'), siteUrl });
for (const [file, bytes] of Object.entries(site.files))
  console.log(`${kib(bytes)}  dist/web/${file}`);

// Outside dist/web: it is for the owner to paste elsewhere, not part of the site.
await writeFile(at('dist/embed.html'), site.embedSnippet);
console.log(
  `\nTo show the count on another site, paste (also in dist/embed.html; it changes whenever the widget does):\n\n${site.embedSnippet}`,
);
if (!siteUrl)
  console.log('(Replace https://YOUR-SITE, or build with --site-url https://your-site.)');

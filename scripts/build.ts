import { rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleLambda } from '../service/build/bundle.js';
import { lambdaEntry } from '../service/build/options.js';
import { buildSite } from '../web/build/site.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const at = (path: string) => `${root}${path}`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`.padStart(10);

await rm(at('dist'), { recursive: true, force: true });

const lambda = at('dist/lambda/index.mjs');
await bundleLambda(at(lambdaEntry), lambda);
console.log(`${kib((await stat(lambda)).size)}  dist/lambda/index.mjs`);

const site = await buildSite({ webDir: at('web'), outDir: at('dist/web') });
for (const [file, bytes] of Object.entries(site.files))
  console.log(`${kib(bytes)}  dist/web/${file}`);

import { cp, rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleLambda } from './lib/lambda-bundle.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const at = (path: string) => `${root}${path}`;

await rm(at('dist'), { recursive: true, force: true });

const lambda = at('dist/lambda/index.mjs');
await bundleLambda(at('service/src/lambda.ts'), lambda);
await cp(at('web'), at('dist/web'), { recursive: true });

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(`dist/lambda/index.mjs  ${kib((await stat(lambda)).size)}`);
console.log('dist/web/');

import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/**
 * The SDK clients' default credential chain, replaced in footfall's function bundles by
 * credentials from the environment (lambda-credentials.ts says why). Not in `lambdaBuildOptions`:
 * the benchmark's bare-SDK reference keeps the chain a bare SDK handler has. An absolute path:
 * esbuild resolves an alias from its working directory, which differs between `npm run build`,
 * the tests and CDK.
 */
export const lambdaAlias = {
  '@aws-sdk/credential-provider-node': fileURLToPath(
    new URL('./lambda-credentials.ts', import.meta.url),
  ),
} as const;

/**
 * How every Lambda bundle is built: ours (by `npm run build` and by CDK, both through
 * `bundleLambda`), and the bare-SDK reference the benchmark compares it with, so the comparison
 * is like for like. The AWS SDK is bundled rather than taken from the runtime: the runtime's copy
 * is a different version, and a bundled, tree-shaken client loads faster than the full SDK from
 * node_modules. footfall's own functions add `lambdaAlias` and code splitting (`bundleLambda`).
 */
export const lambdaBuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // Prefer packages' ESM builds, which tree-shake.
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require() for Node built-ins; ESM has no require of its own.
  banner: {
    js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
  },
  // `index.mjs` exports the handler (Lambda's `index.handler`); with splitting, what it loads
  // only by `import()` sits beside it in chunks/. `.mjs`: ESM without a package.json.
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  metafile: true,
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** The module Lambda loads first, in a bundle's folder (`index.handler`): it exports `handler`. */
export const lambdaEntryName = 'index';
/** Its file: `outExtension` above makes it `.mjs`. */
export const lambdaEntryFile = `${lambdaEntryName}.mjs`;

/** The Lambda's entry point, from the repository root. */
export const lambdaEntry = 'service/src/lambda.ts';

/** The CodeDeploy pre-traffic hook's entry point, from the repository root; built the same way. */
export const preTrafficHookEntry = 'service/src/pre-traffic-hook.ts';

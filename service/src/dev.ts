import { relative } from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { DevStartError } from './dev/errors.js';
import { type DevServer, startDevServer } from './dev/server.js';

// Before any AWS client exists, as in the other scripts: the SDK's notice about future Node
// versions is for deployers, not a dev loop.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** A start-up failure a person can fix: one line on stderr, no stack trace. */
function fail(line: string, exitCode: number): never {
  console.error(line);
  process.exit(exitCode);
}

const started = performance.now();
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  fail(error.message, 2);
}

// FOOTFALL_WEB_DIR: build the site from another copy of web/ (the tests' scratch copies).
const webDir = process.env.FOOTFALL_WEB_DIR?.trim() || undefined;
let server: DevServer;
try {
  server = await startDevServer(config, webDir ? { webDir } : {});
} catch (error) {
  if (!(error instanceof DevStartError)) throw error;
  fail(error.message, error.exitCode);
}

/** A folder as the developer would name it: relative to here when it is inside. */
function shown(dir: string): string {
  const here = relative(process.cwd(), dir);
  return here && !here.startsWith('..') ? `${here}/` : dir;
}

// A parent that started us with an IPC channel (the benchmark) learns we are ready from this;
// the channel is closed after it, so it never keeps the server alive.
process.send?.({ type: 'ready', url: server.url }, undefined, {}, () => process.disconnect?.());
console.log(
  `footfall is running at ${server.url}/ (ready in ${Math.round(performance.now() - started)} ms; ` +
    `counts in ${server.storage}; site served from ${shown(server.siteDir)}, rebuilt when ` +
    `${webDir ?? 'web/'} changes). Press Ctrl-C to stop.`,
);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) {
    // A second Ctrl-C: the user is done waiting for open connections to finish.
    console.log('stopping now.');
    process.exit(130);
  }
  stopping = true;
  console.log(`\n${signal}: stopping footfall…`);
  await server.close();
  console.log('stopped; counts are saved.');
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

import { ConfigError, loadConfig } from './config.js';
import { startDevServer } from './dev-server.js';

const started = performance.now();
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const server = await startDevServer(config);
// A parent that started us with an IPC channel (the benchmark) learns we are ready from this;
// the channel is closed after it, so it never keeps the server alive.
process.send?.({ type: 'ready', url: server.url }, undefined, {}, () => process.disconnect?.());
console.log(
  `footfall is running at ${server.url}/ (ready in ${Math.round(performance.now() - started)} ms; ` +
    `data in ${config.dataDir}). Press Ctrl-C to stop.`,
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

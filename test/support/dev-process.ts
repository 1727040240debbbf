import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface DevProcessOptions {
  /** More of the environment (FOOTFALL_DATA_DIR, FOOTFALL_WEB_DIR, …); PORT defaults to 0. */
  readonly env?: Record<string, string | undefined>;
  /** Node options before the entry point (a preloaded module, say). */
  readonly nodeArgs?: readonly string[];
}

/**
 * `npm run dev`'s entry point in a process of its own, run as the script runs it, from the
 * repository root. DYNAMODB_ENDPOINT is cleared unless given: a test's own must not leak in.
 */
export function spawnDev({ env = {}, nodeArgs = [] }: DevProcessOptions = {}): ChildProcess {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    DYNAMODB_ENDPOINT: '',
    PORT: '0',
    ...env,
  };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'service/src/dev.ts'], {
    cwd: root,
    env: merged as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface RunningDev {
  readonly child: ChildProcess;
  /** `http://HOST:PORT`, from the start-up line. */
  readonly url: string;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Ctrl-C, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the dev server and waits for its start-up line. */
export async function startDev(options: DevProcessOptions = {}): Promise<RunningDev> {
  const child = spawnDev(options);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const said = () => `\nstdout: ${stdout}\nstderr: ${stderr}`;
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`dev server not ready in 30 s:${said()}`));
    }, 30_000);
    child.stdout?.on('data', () => {
      const match = stdout.match(/running at (http:\/\/\S+?)\/? /);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dev server exited with ${code}:${said()}`));
    });
  });
  return {
    child,
    url,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: () => {
      if (child.exitCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      return exited;
    },
  };
}

export interface EndedDev {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a dev server that is expected not to start, until it exits (killed after 30 s). */
export function failedDevStart(options: DevProcessOptions = {}): Promise<EndedDev> {
  const child = spawnDev(options);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Polls `check` until it holds, or fails after `ms` naming `what`. */
export async function eventually(
  check: () => Promise<boolean>,
  what: string,
  ms = 15_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';

const CHILDREN = ['dynalite', 'cold-start', 'serve'] as const;
export type ChildName = (typeof CHILDREN)[number];

/**
 * Compiles the child programs (`children/*.ts`) to plain ESM, so that the figures they measure
 * carry no TypeScript loader. Written under node_modules/.cache, where their imports of
 * packages still resolve.
 */
export async function compileChildren(root: string): Promise<Record<ChildName, string>> {
  const outdir = join(root, 'node_modules/.cache/footfall-bench');
  await build({
    entryPoints: CHILDREN.map((name) => join(root, `scripts/bench/children/${name}.ts`)),
    outdir,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
  return Object.fromEntries(CHILDREN.map((name) => [name, join(outdir, `${name}.mjs`)])) as Record<
    ChildName,
    string
  >;
}

/** Runs a compiled child to its end and parses the JSON it prints. */
export function runChild<T>(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  nodeFlags: string[] = [],
): T {
  const output = execFileSync(process.execPath, [...nodeFlags, file, ...args], {
    env,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(output.toString()) as T;
}

/** Starts the dynalite child; resolves with its endpoint once it listens. */
export async function startDynaliteProcess(
  file: string,
  cwd: string,
  timeoutMs = 30_000,
): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [file], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`dynalite did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
    child.stdout?.once('data', (data) => {
      clearTimeout(timer);
      resolve((JSON.parse(String(data)) as { port: number }).port);
    });
  });
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

/**
 * Starts `npm run dev`'s entry on a free port and waits for its readiness message (sent over
 * the IPC channel when it has one), or fails after `timeoutMs`.
 */
export async function startDevServerProcess(
  root: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'service/src/dev.ts'], {
    cwd: root,
    env: { ...env, PORT: '0' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the dev server was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => reject(new Error(`the dev server exited with ${code}`)));
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message.type !== 'ready' || !message.url) return;
      clearTimeout(timer);
      resolve(message.url);
    });
  });
  return { url, child };
}

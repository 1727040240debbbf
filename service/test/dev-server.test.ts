import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BROWSER_UA } from '../../test/support/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'footfall-dev-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  url: string;
  readyMs: number;
  output: () => string;
}

/** `npm run dev`'s entry point, run as the script runs it. */
const spawnDev = (env: Record<string, string>) =>
  spawn(process.execPath, ['--import', 'tsx', 'service/src/dev.ts'], {
    cwd: root,
    env: { ...process.env, FOOTFALL_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** Starts the dev server on a free port and waits for it to print its URL. */
async function startDev(): Promise<Running> {
  const started = performance.now();
  const child = spawnDev({ PORT: '0' });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev server not ready:\n${output}`)), 20_000);
    child.stdout?.on('data', () => {
      const match = output.match(/running at (http:\/\/\S+?)\/? /);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`dev server exited with ${code}:\n${output}`)));
  });
  return { child, url, readyMs: performance.now() - started, output: () => output };
}

async function stop({ child }: Running, signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill(signal);
  return exited;
}

describe('npm run dev', () => {
  test('serves the API and the page, stops cleanly on Ctrl-C, and keeps counts across restarts', async () => {
    const first = await startDev();
    console.info(
      `dev server ready in ${Math.round(first.readyMs)} ms (process start to URL printed)`,
    );
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const page = await fetch(`${first.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="visitor-count"');

    for (const expected of [1, 2, 3]) {
      const res = await fetch(`${first.url}/api/count?page=/dev-test`, {
        method: 'POST',
        headers: { 'user-agent': BROWSER_UA },
      });
      // The socket's peer is the visitor: one visitor, three views.
      expect(await res.json()).toEqual({
        page: '/dev-test',
        views: expected,
        visitors: 1,
        bots: 0,
        counted: expected === 1 ? 'visitor' : 'view',
      });
    }
    // Node's own fetch announces no browser: a bot.
    const bot = await fetch(`${first.url}/api/count?page=/dev-test`, { method: 'POST' });
    expect(await bot.json()).toMatchObject({ views: 3, bots: 1, counted: 'bot' });
    const missing = await fetch(`${first.url}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');

    expect(await stop(first)).toBe(0);
    expect(first.output()).toContain('stopped');

    const second = await startDev();
    const res = await fetch(`${second.url}/api/count?page=/dev-test`);
    expect(await res.json()).toEqual({ page: '/dev-test', views: 3, visitors: 1, bots: 1 });
    expect(await stop(second, 'SIGTERM')).toBe(0);
  });

  test('refuses a bad configuration with a message naming the variable', async () => {
    const child = spawnDev({ PORT: 'eighty' });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('PORT');
  });
});

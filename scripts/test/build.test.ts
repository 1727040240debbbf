import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// npm run build's entry (`tsx scripts/build.ts`), run as node with tsx's loader so that a signal
// reaches the build itself, not a wrapper. Each build writes to a scratch folder of its own
// (FOOTFALL_DIST_DIR): the repository's dist/ is left to the tests that read it.
const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = join(root, 'node_modules/tsx/dist/loader.mjs');
const script = join(root, 'scripts/build.ts');

let scratch: string;
/** Every file a build from scratch writes, with its size: what "complete" means below. */
let complete: Record<string, number>;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'footfall-build-'));
  const reference = join(scratch, 'reference');
  const { code, stderr } = await finished(startBuild(reference));
  expect(code, stderr).toBe(0);
  complete = await files(reference);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const startBuild = (dist: string) =>
  spawn(process.execPath, ['--import', tsx, script], {
    cwd: root,
    env: { ...process.env, FOOTFALL_DIST_DIR: dist },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

function finished(child: ChildProcess) {
  let stderr = '';
  child.stdout?.resume();
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stderr }));
    },
  );
}

const leftovers = async (dist: string) =>
  (await readdir(dist).catch(() => [] as string[])).filter((name) =>
    /\.(building|old)-/.test(name),
  );

async function files(dist: string): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const file of await readdir(dist, { recursive: true })) {
    const info = await stat(join(dist, file));
    if (info.isFile()) found[file] = info.size;
  }
  return found;
}

/**
 * Starts a build into `dist` and sends it `signal` once its Lambda's building folder appears
 * (the bundling, the longest step): polled, so a slow machine only makes the wait longer.
 */
async function interrupted(dist: string, signal: NodeJS.Signals) {
  const child = startBuild(dist);
  const done = finished(child);
  let ended = false;
  void done.then(() => {
    ended = true;
  });
  for (;;) {
    if ((await readdir(dist).catch(() => [])).some((name) => name.startsWith('lambda.building-'))) {
      child.kill(signal);
      break;
    }
    if (ended) throw new Error('the build finished before its building folder was seen');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return done;
}

describe('npm run build, interrupted', () => {
  test('killed outright (SIGKILL) mid-build: the next build clears what it left and is complete', async () => {
    const dist = join(scratch, 'sigkill');
    const { signal } = await interrupted(dist, 'SIGKILL');
    expect(signal).toBe('SIGKILL');
    expect(await leftovers(dist)).not.toEqual([]);
    const { code, stderr } = await finished(startBuild(dist));
    expect(code, stderr).toBe(0);
    expect(await leftovers(dist)).toEqual([]);
    expect(await files(dist)).toEqual(complete);
  });

  test.each(['SIGTERM', 'SIGINT'] as const)(
    'stopped by %s mid-build: it exits as stopped, and the next build leaves nothing behind and is complete',
    async (sent) => {
      const dist = join(scratch, sent);
      const { code } = await interrupted(dist, sent);
      expect(code).toBe(128 + constants.signals[sent]);
      const next = await finished(startBuild(dist));
      expect(next.code, next.stderr).toBe(0);
      expect(await leftovers(dist)).toEqual([]);
      expect(await files(dist)).toEqual(complete);
    },
  );

  test("a build running at the same moment keeps its folder: only a finished process's are removed", async () => {
    const dist = join(scratch, 'concurrent');
    // This test's own process stands for the other build: it is running.
    const other = join(dist, `lambda.building-${process.pid}-0000aaaa`);
    await mkdir(other, { recursive: true });
    await writeFile(join(other, 'index.mjs'), 'half-written');
    const { code, stderr } = await finished(startBuild(dist));
    expect(code, stderr).toBe(0);
    expect(await leftovers(dist)).toEqual([`lambda.building-${process.pid}-0000aaaa`]);
    await rm(other, { recursive: true });
    expect(await files(dist)).toEqual(complete);
  });
});

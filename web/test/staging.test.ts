import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { removeOwnStaging, removeStaleStaging } from '../build/staging.js';

let scratch: string;
// A process that has ended (an interrupted build), and one that is running (a build under way).
let gone: number;
const running = process.ppid;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'footfall-staging-'));
  const ended = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
  if (ended.pid === undefined) throw new Error('could not start a process');
  gone = ended.pid;
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** A folder `dir/name` holding one file that says which it is. */
async function folder(dir: string, name: string) {
  await mkdir(join(dir, name), { recursive: true });
  await writeFile(join(dir, name, 'which'), name);
}
const which = (dir: string, name: string) => readFile(join(dir, name, 'which'), 'utf8');

describe('removeStaleStaging', () => {
  test("removes what interrupted builds left, keeps what a running build is using, and nothing else's", async () => {
    const dir = join(scratch, 'stale');
    await folder(dir, 'web');
    await folder(dir, `web.building-${gone}-0000aaaa`);
    await folder(dir, 'web.building-Xy12Zw'); // the PID-less name earlier builds used
    await folder(dir, `web.old-${gone}-0000bbbb`);
    await folder(dir, `web.building-${running}-0000cccc`);
    await folder(dir, `web.old-${running}-0000dddd`);
    await folder(dir, `lambda.building-${gone}-0000eeee`); // another target's: its own build's
    await folder(dir, 'website');
    await removeStaleStaging(join(dir, 'web'));
    expect((await readdir(dir)).sort()).toEqual([
      `lambda.building-${gone}-0000eeee`,
      'web',
      `web.building-${running}-0000cccc`,
      `web.old-${running}-0000dddd`,
      'website',
    ]);
    expect(await which(dir, 'web')).toBe('web');
  });

  test('puts a set-aside output back when an interruption between the two renames left none', async () => {
    const dir = join(scratch, 'between');
    await folder(dir, `web.old-${gone}-0000aaaa`);
    await folder(dir, `web.building-${gone}-0000bbbb`);
    await removeStaleStaging(join(dir, 'web'));
    expect(await readdir(dir)).toEqual(['web']);
    expect(await which(dir, 'web')).toBe(`web.old-${gone}-0000aaaa`);
  });

  test('a folder that does not exist yet is nothing to clear', async () => {
    await expect(removeStaleStaging(join(scratch, 'nowhere', 'web'))).resolves.toBeUndefined();
  });
});

describe('removeOwnStaging', () => {
  test("removes this process's staging folders for each target and leaves other processes' alone", async () => {
    const dir = join(scratch, 'own');
    await folder(dir, 'lambda');
    await folder(dir, `web.building-${process.pid}-0000aaaa`);
    await folder(dir, `lambda.building-${process.pid}-0000bbbb`);
    await folder(dir, `lambda.old-${process.pid}-0000cccc`);
    await folder(dir, `web.building-${running}-0000dddd`);
    // Stopped between the two renames: the set-aside web is the only one there is.
    await folder(dir, `web.old-${process.pid}-0000eeee`);
    removeOwnStaging([join(dir, 'web'), join(dir, 'lambda')]);
    expect((await readdir(dir)).sort()).toEqual([
      'lambda',
      'web',
      `web.building-${running}-0000dddd`,
    ]);
    expect(await which(dir, 'lambda')).toBe('lambda');
    expect(await which(dir, 'web')).toBe(`web.old-${process.pid}-0000eeee`);
  });
});

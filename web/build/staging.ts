/**
 * Build outputs are written beside their place and swapped in: `web.building-PID-RANDOM` becomes
 * `web`, the old `web` is moved to `web.old-PID-RANDOM` for a moment and removed. The PID in
 * those names says which process a folder belongs to, so a build can clear what an interrupted
 * one left (its process is gone) without touching a folder that a build running at the same
 * moment is writing (its process is alive).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

type Kind = 'building' | 'old';

const named = (target: string, kind: Kind, pid = process.pid) =>
  `${target}.${kind}-${pid}-${randomUUID().slice(0, 8)}`;

/** A fresh name to build `target` under, beside it; nothing is created. */
export const stagingDir = (target: string): string => named(target, 'building');

/**
 * Puts the folder `staging` in place of `target` by renames, so `target` is never half-written
 * and never missing for longer than between two renames; the old one is then removed. Safe
 * against another process doing the same at once (the last one in wins).
 */
export async function replaceDir(staging: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const aside = named(target, 'old');
  for (let attempt = 1; ; attempt++) {
    const moved = await rename(target, aside).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    try {
      await rename(staging, target);
      break;
    } catch (error) {
      // Another build put its folder in between our two renames: move that one aside too.
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || attempt === 5) {
        // Whatever went wrong, the last site stays where it was.
        if (moved) await rename(aside, target).catch(() => {});
        throw error;
      }
      if (moved) await rm(aside, { recursive: true, force: true });
    }
  }
  await rm(aside, { recursive: true, force: true });
}

/** The staging and set-aside folders beside `target` (names only), with their owner's PID. */
function leftovers(target: string, names: readonly string[]) {
  const prefix = `${basename(target)}.`;
  return names.flatMap((name) => {
    if (!name.startsWith(prefix)) return [];
    const match = /^(building|old)-(?:(\d+)-)?[^/]+$/.exec(name.slice(prefix.length));
    if (!match) return [];
    // No PID: the name an earlier version of the build used, when nothing else could be running.
    const pid = match[2] === undefined ? undefined : Number(match[2]);
    return [{ path: join(dirname(target), name), kind: match[1] as Kind, pid }];
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Clears what interrupted builds of `target` left beside it: their staging folders are removed,
 * and a set-aside `target` is put back if an interruption between the two renames left none.
 * Folders of processes still running (another build, at this moment) are left alone.
 */
export async function removeStaleStaging(target: string): Promise<void> {
  const names = await readdir(dirname(target)).catch(() => [] as string[]);
  for (const { path, kind, pid } of leftovers(target, names)) {
    if (pid !== undefined && (pid === process.pid || alive(pid))) continue;
    if (kind === 'old' && !existsSync(target)) {
      await rename(path, target).catch(() => {});
    }
    await rm(path, { recursive: true, force: true });
  }
}

/**
 * This process's own staging folders for each of `targets`, removed at once (synchronously, for
 * a signal handler that exits straight after); a set-aside target is put back if it is missing.
 */
export function removeOwnStaging(targets: readonly string[]): void {
  for (const target of targets) {
    let names: string[];
    try {
      names = readdirSync(dirname(target));
    } catch {
      continue;
    }
    for (const { path, kind, pid } of leftovers(target, names)) {
      if (pid !== process.pid) continue;
      try {
        if (kind === 'old' && !existsSync(target)) renameSync(path, target);
        // Retried: a file being created at this moment makes a folder not empty yet.
        rmSync(path, { recursive: true, force: true, maxRetries: 3, retryDelay: 10 });
      } catch {
        // Best effort: the next build clears whatever is left.
      }
    }
  }
}

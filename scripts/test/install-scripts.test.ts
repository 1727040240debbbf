import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  allowScripts: Record<string, boolean>;
  devEngines: { packageManager: { name: string; version: string; onFail: string } };
};
const npmrc = readFileSync(join(root, '.npmrc'), 'utf8');

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** npm in `cwd`, offline, with no user config of its own: only the project's settings count. */
function npm(cwd: string, args: string[]) {
  const home = join(cwd, '.home');
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, '.npmrc'), '');
  return spawnSync('npm', [...args, '--offline', '--no-audit', '--no-fund'], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      npm_config_userconfig: join(home, '.npmrc'),
      npm_config_cache: join(home, 'cache'),
    },
  });
}

/**
 * A project with this repository's npm settings (.npmrc, allowScripts, devEngines) and one
 * local dependency whose postinstall would leave a mark.
 */
function scratchProject(allowed: Record<string, boolean>) {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-install-scripts-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'dep'));
  writeFileSync(
    join(dir, 'dep', 'package.json'),
    JSON.stringify({
      name: 'has-postinstall',
      version: '1.0.0',
      scripts: { postinstall: `node -e "require('fs').writeFileSync('../postinstall-ran', '')"` },
    }),
  );
  writeFileSync(join(dir, '.npmrc'), npmrc);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'scratch',
      version: '1.0.0',
      private: true,
      devEngines: pkg.devEngines,
      dependencies: { 'has-postinstall': 'file:dep' },
      allowScripts: { ...pkg.allowScripts, ...allowed },
    }),
  );
  const lock = npm(dir, ['install', '--package-lock-only', '--ignore-scripts']);
  expect(lock.status, lock.stderr).toBe(0);
  return dir;
}

describe('the install-script allow-list is enforced', () => {
  test('.npmrc makes an unlisted install script an error; devEngines refuses an npm that would ignore it', () => {
    expect(npmrc).toMatch(/^strict-allow-scripts=true$/m);
    expect(npmrc).not.toMatch(/dangerously-allow-all-scripts|^ignore-scripts/m);
    expect(pkg.devEngines.packageManager).toEqual({
      name: 'npm',
      version: '>=11.19.0',
      onFail: 'error',
    });
  });

  test('npm ci fails when a dependency has an install script not in allowScripts, and the script never runs', () => {
    const dir = scratchProject({});
    const result = npm(dir, ['ci']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('ESTRICTALLOWSCRIPTS');
    expect(result.stderr).toContain('has-postinstall@1.0.0');
    expect(existsSync(join(dir, 'postinstall-ran'))).toBe(false);
    // npm install too.
    expect(npm(dir, ['install']).status).not.toBe(0);
    expect(existsSync(join(dir, 'postinstall-ran'))).toBe(false);
  });

  test('once allowed, the same install succeeds and runs the script', () => {
    // A local dependency is allowed by its source, not by the name it claims for itself.
    const dir = scratchProject({ 'file:dep': true });
    const result = npm(dir, ['ci']);
    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(join(dir, 'postinstall-ran'))).toBe(true);
  });

  test("this repository's own lock file: every package with an install script is on the list", () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { hasInstallScript?: boolean; optional?: boolean }>;
    };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.split('node_modules/').pop() ?? path);
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect(pkg.allowScripts[name], name).toBe(true);
    // And nothing is allowed that needs no allowing.
    expect(Object.keys(pkg.allowScripts).sort()).toEqual([...new Set(withScripts)].sort());
  });
});

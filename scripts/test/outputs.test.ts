import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { type OutputCommand, outputFor, UPDATE_DOCS } from '../outputs.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Whether git ignores `path` (a file that need not exist). */
const ignored = (path: string) =>
  spawnSync('git', ['check-ignore', '--quiet', '--no-index', relative(root, path)], { cwd: root })
    .status === 0;
/** Files git tracks at or under `path`. */
const tracked = (path: string) =>
  execFileSync('git', ['ls-files', '--', relative(root, path)], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

/** What each command writes under its output: one report, or one picture per view. */
const written: Record<OutputCommand, (path: string) => string[]> = {
  bench: (file) => [file],
  screenshots: (dir) =>
    ['desktop', 'phone', 'dark', 'stats'].map((name) => join(dir, `${name}.png`)),
};

describe.each(['bench', 'screenshots'] as const)('npm run %s', (command) => {
  test('by default writes only paths git ignores, and says so', () => {
    const output = outputFor(root, command, []);
    expect(output.committed).toBe(false);
    expect(output.path.startsWith(join(root, '.cache'))).toBe(true);
    for (const file of written[command](output.path)) {
      expect(ignored(file), file).toBe(true);
      expect(tracked(file), file).toEqual([]);
    }
    expect(output.note).toContain(output.relative);
    expect(output.note).toContain(`npm run ${command} -- ${UPDATE_DOCS}`);
  });

  test(`with ${UPDATE_DOCS} writes the committed copy in docs/`, () => {
    const output = outputFor(root, command, [UPDATE_DOCS]);
    expect(output.committed).toBe(true);
    expect(output.relative.startsWith('docs/')).toBe(true);
    for (const file of written[command](output.path)) {
      expect(ignored(file), file).toBe(false);
      expect(tracked(file), file).toEqual([relative(root, file)]);
    }
  });

  test('refuses anything else on its command line rather than guess', () => {
    for (const args of [['--update-doc'], ['docs/'], ['--update-docs=no']]) {
      expect(() => outputFor(root, command, args), args.join(' ')).toThrow();
    }
  });

  test('the command takes its output from here', () => {
    // The scripts run everything at import, so they are read, not imported.
    const script = command === 'bench' ? 'scripts/bench/main.ts' : 'scripts/screenshots.ts';
    const source = readFileSync(join(root, script), 'utf8');
    expect(source).toContain(`outputFor(root, '${command}', process.argv.slice(2))`);
    expect(source).not.toMatch(/['"]docs\//);
  });
});

/**
 * `npm run test:renamed`: lint and every test (`npm run lint`, then `npm test`) on a copy of the
 * repository whose web/resume.json names someone else and is laid out as Biome never would
 * (tabs, every list spread over lines), as a fork's may be. A test that reads or expects the
 * sample's words fails here, and so does a lint that judges the owner's resume as code: the
 * build alone validates it. CI runs the suite this way (.ci/run says why once is enough).
 *
 * The copy holds the tracked files as the working tree has them (edits included) in a git
 * repository of its own, node_modules linked to this one's. The tests must leave its working
 * tree as they found it. It is removed afterwards, whatever happened; this checkout is only
 * read. Arguments go to vitest: `npm run test:renamed -- --project web`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkResume } from '../web/build/resume.js';

/**
 * Someone who is not the sample: a name, label and email no test can have been written against,
 * with characters HTML escapes (`&`, `'`) and letters beyond ASCII.
 */
const SOMEONE_ELSE = {
  name: 'Zoë O’Brien-Ødegård & Renamed',
  label: "Staff Engineer & Tester's Label",
  email: 'zoe.renamed@example.org',
};

const root = fileURLToPath(new URL('../', import.meta.url));

/** Ctrl-C and the like: passed to the running step, then the copy is removed all the same. */
let running: ChildProcess | undefined;
let stopped: NodeJS.Signals | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    stopped = signal;
    running?.kill(signal);
  });
}

/** `command` in `cwd`, its output shown as it comes; resolves to its exit status. */
function step(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<number>((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
    running = child;
    child.once('error', (error) => {
      console.error(`${command}: ${error.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      running = undefined;
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

/** The tracked files, as the working tree has them, copied to `copy` (symbolic links as such). */
async function copyTracked(copy: string): Promise<void> {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = join(root, file);
    const info = await lstat(from).catch(() => undefined);
    if (!info) continue; // deleted in the working tree, not yet in git
    const to = join(copy, file);
    await mkdir(dirname(to), { recursive: true });
    if (info.isSymbolicLink()) await symlink(await readlink(from), to);
    else await copyFile(from, to);
  }
}

const git = (copy: string, args: string[]) =>
  execFileSync('git', ['-c', 'core.hooksPath=/dev/null', ...args], {
    cwd: copy,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'footfall',
      GIT_AUTHOR_EMAIL: 'footfall@localhost',
      GIT_COMMITTER_NAME: 'footfall',
      GIT_COMMITTER_EMAIL: 'footfall@localhost',
    },
  });

const scratch = await mkdtemp(join(tmpdir(), 'footfall-renamed-'));
let status = 1;
try {
  const copy = join(scratch, 'footfall');
  await copyTracked(copy);
  // node_modules/ in .gitignore matches folders only: the link needs naming.
  await symlink(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');

  const original = checkResume(
    JSON.parse(await readFile(join(root, 'web/resume.json'), 'utf8')),
    'web/resume.json',
  );
  const renamed = checkResume(
    { ...original, basics: { ...original.basics, ...SOMEONE_ELSE } },
    'the renamed resume.json',
  );
  await writeFile(join(copy, 'web/resume.json'), `${JSON.stringify(renamed, null, '\t')}\n`);

  // A repository of its own: tests read git (the import graph, what is ignored), and what
  // the tests leave behind shows against this commit.
  git(copy, ['init', '--quiet']);
  await writeFile(join(copy, '.git/info/exclude'), '/node_modules\n');
  git(copy, ['add', '--all']);
  git(copy, ['commit', '--quiet', '--no-verify', '--no-gpg-sign', '-m', 'renamed copy']);

  console.log(
    `test:renamed: npm run lint and npm test on a copy of the repository (${copy}) whose ` +
      `web/resume.json names ${JSON.stringify(renamed.basics.name)}, not ` +
      `${JSON.stringify(original.basics.name)}, indented with tabs, every list on its own lines`,
  );
  const env = { ...process.env };
  // The copy's own web/, whatever this shell points the build at.
  delete env.FOOTFALL_WEB_DIR;
  status = await step('npm', ['run', 'lint'], copy, env);
  if (status === 0 && !stopped) {
    const extra = process.argv.slice(2);
    status = await step('npm', ['test', ...(extra.length ? ['--', ...extra] : [])], copy, env);
  }
  if (status === 0 && !stopped) {
    const changed = git(copy, ['status', '--porcelain', '--untracked-files=all']);
    if (changed) {
      console.error(`test:renamed: the tests changed the copy's working tree:\n${changed}`);
      status = 1;
    }
  }
  if (stopped) status = 128 + constants.signals[stopped];
} finally {
  await rm(scratch, { recursive: true, force: true });
}
process.exit(status);

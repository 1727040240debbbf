/**
 * `npm run test:renamed`: the web tests (rendering, the build, the dev server, the browser)
 * once more, on a copy of web/ whose resume.json names someone else, as every fork's does. A test
 * that expects the sample's words fails here. CI runs it after `npm test`.
 *
 * Tests that read nothing of the resume skip in this run (web/test/sources.ts), and the widget's
 * and the embed snippet's test files are left out. Arguments, if any, go to vitest instead of that
 * list of files (`web/test/browser.test.ts --reporter=verbose`).
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
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

/** The web tests that render the resume or read the page it makes. */
const RESUME_TESTS = [
  'web/test/render.test.ts',
  'web/test/site.test.ts',
  'web/test/dev-site.test.ts',
  'web/test/browser.test.ts',
];

const root = fileURLToPath(new URL('../', import.meta.url));
const web = join(root, 'web');
const scratch = await mkdtemp(join(tmpdir(), 'footfall-renamed-'));
let status = 1;
try {
  // The site's sources, not its tests: the tests run from the repository, on this copy.
  const copy = join(scratch, 'web');
  await cp(web, copy, {
    recursive: true,
    filter: (source) => relative(web, source).split(sep)[0] !== 'test',
  });
  const original = checkResume(JSON.parse(await readFile(join(web, 'resume.json'), 'utf8')));
  const renamed = checkResume(
    { ...original, basics: { ...original.basics, ...SOMEONE_ELSE } },
    'the renamed resume.json',
  );
  await writeFile(join(copy, 'resume.json'), JSON.stringify(renamed, null, 2));
  console.error(
    `web tests on a copy of web/ whose resume names ${JSON.stringify(renamed.basics.name)} ` +
      `(${JSON.stringify(renamed.basics.label)}, ${renamed.basics.email}), not ` +
      `${JSON.stringify(original.basics.name)}`,
  );
  const vitest = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--project',
      'web',
      ...(process.argv.length > 2 ? process.argv.slice(2) : RESUME_TESTS),
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, FOOTFALL_WEB_DIR: copy } },
  );
  status = vitest.status ?? 1;
} finally {
  await rm(scratch, { recursive: true, force: true });
}
process.exit(status);

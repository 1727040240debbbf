import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyFixtureSite, FIXTURE_RESUME } from '../../test/support/fixture-site.js';
import { findJsonSyntaxError } from '../build/json-error.js';
import { checkResume, loadResume, ResumeError } from '../build/resume.js';
import { buildSite } from '../build/site.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'footfall-build-errors-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** loadResume's message for a file holding `text`. */
async function refusal(text: string): Promise<string> {
  const file = join(scratch, 'resume.json');
  await writeFile(file, text);
  const error = await loadResume(file).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ResumeError);
  return (error as Error).message;
}

describe('a resume.json that is not JSON', () => {
  test.each([
    // A comma missing at the end of line 2: the next property, line 3, column 3.
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, 'a comma is missing before this property'],
    ['{"a": 1,}', 1, 9, 'a comma before } is not allowed in JSON: remove it'],
    ['{"a": [1, 2,]}', 1, 13, 'a comma before ] is not allowed in JSON: remove it'],
    ['{"a": [1 2]}', 1, 10, 'a comma is missing before this item'],
    ['{"a": tru}', 1, 7, "'tru' is not a value: write text in double quotes"],
    ["{'a': 1}", 1, 2, 'property names must be in double quotes, not single quotes'],
    ['{"a": \'x\'}', 1, 7, 'text must be in double quotes, not single quotes'],
    ['{"a" 1}', 1, 6, "expected : after the property name, found '1'"],
    ['{\n  "a": "one\ntwo"\n}', 2, 12, 'a line break or control character inside quoted text'],
    ['{\n  "a": "open', 2, 8, 'this text has no closing double quote'],
    ['{"a": "\\q"}', 1, 8, '\\q is not an escape JSON knows'],
    ['{"a": 01}', 1, 8, 'this number is not written as JSON allows'],
    ['{"a": 1}}', 1, 9, "'}' after the end of the JSON: remove it"],
    ['{"a": 1', 1, 8, "expected , or } after the property's value, found the end of the file"],
    ['', 1, 1, 'the file is empty'],
  ])('%j: line %i, column %i: %s', async (text, line, column, problem) => {
    const message = await refusal(text);
    expect(message).toContain(`resume.json line ${line}, column ${column}: ${problem}`);
    expect(message).not.toMatch(/position|\n/);
    // The scanner agrees with JSON.parse on what is valid.
    expect(() => JSON.parse(text)).toThrow();
  });

  test('valid JSON is never reported, whatever its shape', () => {
    for (const text of [
      '{}',
      ' [ ] ',
      '{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n\\"", {"b": {}}]}',
      '"text"',
      '0',
    ]) {
      expect(findJsonSyntaxError(text), text).toBeUndefined();
    }
  });

  test('a byte-order mark, which some editors write, is not an error', async () => {
    const file = join(scratch, 'bom.json');
    await writeFile(file, `\uFEFF${JSON.stringify({ basics: { name: 'Ada' } })}`);
    await expect(loadResume(file)).resolves.toEqual({ basics: { name: 'Ada' } });
  });

  test('the file is named as given: relative to the working folder inside it, else in full', async () => {
    await expect(loadResume('web/no-such-resume.json')).rejects.toThrow(
      'web/no-such-resume.json not found: the site is built from it (FOOTFALL_WEB_DIR names its folder, web/ by default)',
    );
    expect(await refusal('{')).toMatch(
      new RegExp(`^${scratch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/resume\\.json line 1`),
    );
  });
});

describe('a resume that breaks the schema', () => {
  const refused = (data: unknown) => {
    try {
      checkResume(data, 'web/resume.json');
    } catch (error) {
      expect(error).toBeInstanceOf(ResumeError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  test('a bad date names the format, not the pattern', () => {
    const message = refused({ basics: { name: 'A' }, work: [{ startDate: 'March 2020' }] });
    expect(message).toBe(
      'web/resume.json is not a valid resume: work[0].startDate must be a date written YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2021-03 (it is "March 2020")',
    );
  });

  test('every problem is named on one line, each with what the field must be', () => {
    const message = refused({
      basics: { name: 'A', email: 'no-at-sign', url: 'example.com', profiles: {} },
      skills: [{ keywords: 'aws' }],
      education: [{ endDate: 2019 }],
    });
    expect(message).not.toContain('\n');
    expect(message.split('; ')).toEqual([
      'web/resume.json is not a valid resume: basics.email must be an email address like name@example.com (it is "no-at-sign")',
      'basics.url must be a full URL like https://example.com (it is "example.com")',
      'basics.profiles must be a list: [ … ] (it is {})',
      'education[0].endDate must be text in double quotes (it is 2019)',
      'skills[0].keywords must be a list: [ … ] (it is "aws")',
    ]);
  });

  test('a link that is not http(s) is named once, with its value', () => {
    expect(refused({ basics: { name: 'A', url: 'javascript:alert(1)' } })).toBe(
      'web/resume.json is not a valid resume: basics.url must be an http:// or https:// URL (it is "javascript:alert(1)")',
    );
  });

  test('the tests’ resume is valid, read as the build reads it', async () => {
    const text = await readFile(FIXTURE_RESUME, 'utf8');
    expect(findJsonSyntaxError(text)).toBeUndefined();
    await expect(loadResume(FIXTURE_RESUME)).resolves.toBeDefined();
  });
});

/** A copy of web/, with the tests' resume, to break: never the repository's own. */
const webCopy = (name: string): Promise<string> => copyFixtureSite(join(scratch, name));

async function editResume(
  webDir: string,
  edit: (resume: { work: { startDate?: string }[] }) => void,
) {
  const file = join(webDir, 'resume.json');
  const resume = JSON.parse(await readFile(file, 'utf8'));
  edit(resume);
  await writeFile(file, JSON.stringify(resume, null, 2));
}

/** `npm run build` on `webDir` (FOOTFALL_WEB_DIR), as a person runs it. */
function npmRunBuild(
  webDir: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('npm', ['run', 'build'], {
    cwd: root,
    env: { ...process.env, FOOTFALL_WEB_DIR: webDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** Every file under dist/ with its modification time: what a failed build must leave alone. */
async function distState(): Promise<Record<string, number>> {
  const dist = join(root, 'dist');
  const files = await readdir(dist, { recursive: true }).catch(() => [] as string[]);
  const state: Record<string, number> = {};
  for (const file of files) state[file] = (await stat(join(dist, file))).mtimeMs;
  return state;
}

/** The failure is one line on stderr, no stack trace or code frame, and nothing else said. */
function expectOneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line !== '');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0] as string;
}

describe('npm run build with a broken site', () => {
  test('a resume that fails validation: exit 1, the one clear line the dev server prints, dist/ untouched', async () => {
    const web = await webCopy('invalid');
    await editResume(web, (resume) => {
      resume.work = [{ ...resume.work[0], startDate: 'March 2020' }, ...resume.work.slice(1)];
    });
    const before = await distState();
    const { code, stderr } = await npmRunBuild(web);
    expect(code).toBe(1);
    expect(expectOneLine(stderr)).toBe(
      `${web}/resume.json is not a valid resume: work[0].startDate must be a date written YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2021-03 (it is "March 2020")`,
    );
    expect(await distState()).toEqual(before);
  });

  test('a JSON mistake: exit 1, its line and column', async () => {
    const web = await webCopy('not-json');
    const file = join(web, 'resume.json');
    const lines = (await readFile(file, 'utf8')).split('\n');
    // Drop the comma ending line 4 (`"name": "…",`): the mistake shows where line 5 goes on.
    expect(lines[3]).toMatch(/^\s*"name": ".*",$/);
    lines[3] = (lines[3] as string).replace(/,$/, '');
    await writeFile(file, lines.join('\n'));
    const column = (lines[4] as string).indexOf('"') + 1;
    const { code, stderr } = await npmRunBuild(web);
    expect(code).toBe(1);
    expect(expectOneLine(stderr)).toBe(
      `${file} line 5, column ${column}: a comma is missing before this property`,
    );
  });

  test('a widget that does not compile: exit 1, the file, line and column', async () => {
    const web = await webCopy('bad-source');
    const main = join(web, 'src', 'main.ts');
    await writeFile(main, `${await readFile(main, 'utf8')}\nconst broken = ;\n`);
    const { code, stderr } = await npmRunBuild(web);
    expect(code).toBe(1);
    expect(expectOneLine(stderr)).toMatch(
      new RegExp(
        `^the site does not build: ${main.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:16: `,
      ),
    );
  });
});

describe('a build swaps the whole site in', () => {
  test('builds racing into one folder both finish and leave one whole site, nothing beside it', async () => {
    const out = join(scratch, 'raced', 'site');
    const web = await webCopy('raced-web');
    await buildSite({ webDir: web, outDir: out });
    await Promise.all([1, 2, 3].map(() => buildSite({ webDir: web, outDir: out })));
    expect((await readFile(join(out, 'index.html'), 'utf8')).length).toBeGreaterThan(1000);
    expect(await readdir(join(scratch, 'raced'))).toEqual(['site']);
  });
});

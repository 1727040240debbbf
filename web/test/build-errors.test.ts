import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findJsonSyntaxError } from '../build/json-error.js';
import { checkResume, loadResume, ResumeError } from '../build/resume.js';

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

  test('the sample resume is still valid, read as the build reads it', async () => {
    const text = await readFile('web/resume.json', 'utf8');
    expect(findJsonSyntaxError(text)).toBeUndefined();
    await expect(loadResume('web/resume.json')).resolves.toBeDefined();
  });
});

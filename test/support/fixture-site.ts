import { copyFile, cp, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { html } from 'hono/html';
import { checkResume, type Resume } from '../../web/build/resume.js';

/**
 * The site the tests build, serve and break: web/'s sources with a resume of the tests' own in
 * place of web/resume.json. That file is the owner's (every fork edits it first), so no test
 * reads or expects what it says; the build and `npm run synth` validate it, and
 * `npm run test:renamed` runs the suite on a copy whose resume names someone else.
 */
const web = fileURLToPath(new URL('../../web/', import.meta.url));

/**
 * The tests' resume: every section, unicode, text that looks like HTML (it must show as text),
 * and words and addresses too long for a phone's width.
 */
export const FIXTURE_RESUME = fileURLToPath(new URL('../fixtures/resume.json', import.meta.url));

export const fixtureResume = async (): Promise<Resume> =>
  checkResume(JSON.parse(await readFile(FIXTURE_RESUME, 'utf8')), FIXTURE_RESUME);

/** Copies web/'s sources (not its tests) to `to`, with the tests' resume as resume.json. */
export async function copyFixtureSite(to: string): Promise<string> {
  await cp(web, to, {
    recursive: true,
    filter: (source) => {
      const [first] = relative(web, source).split(sep);
      return first !== 'test' && first !== 'resume.json';
    },
  });
  await copyFile(FIXTURE_RESUME, join(to, 'resume.json'));
  return to;
}

/** `text` as the page's HTML holds it: escaped. */
export const escaped = (text: string): string => String(html`${text}`);

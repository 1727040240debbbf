import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { html } from 'hono/html';
import { checkResume, loadResume, type Resume } from '../build/resume.js';

/**
 * The site's sources that the rendering and browser tests build: the repository's web/, or the
 * folder `FOOTFALL_WEB_DIR` names. CI runs those tests a second time on a copy whose resume.json
 * names someone else (`npm run test:renamed`), so no test may expect the sample's words: a test
 * that needs what the resume says reads it from here.
 */
export const webDir = resolve(
  process.env.FOOTFALL_WEB_DIR || fileURLToPath(new URL('..', import.meta.url)),
);

/**
 * Whether this is that second run. Tests that read nothing of the resume (the API failing, the
 * widget's timeout, the tests' own fixture) skip in it, to keep it short: they ran in the first.
 */
export const onAnotherResume = Boolean(process.env.FOOTFALL_WEB_DIR);

/** The resume the site is built from, validated (whoever it names). */
export const currentResume = (): Promise<Resume> => loadResume(join(webDir, 'resume.json'));

/**
 * A resume of the tests' own, with what a real one may hold: every section, unicode, text that
 * looks like HTML (it must show as text), and words and addresses too long for a phone's width.
 */
export const FIXTURE_RESUME = fileURLToPath(new URL('fixtures/resume.json', import.meta.url));
export const fixtureResume = async (): Promise<Resume> =>
  checkResume(JSON.parse(await readFile(FIXTURE_RESUME, 'utf8')), FIXTURE_RESUME);

/**
 * Copies the site's sources (not their tests) to `to`, to build or edit there; with `resume`,
 * that is the copy's resume.json.
 */
export async function copyWeb(to: string, resume?: unknown): Promise<void> {
  await cp(webDir, to, {
    recursive: true,
    filter: (source) => relative(webDir, source).split(sep)[0] !== 'test',
  });
  if (resume !== undefined) await writeFile(join(to, 'resume.json'), JSON.stringify(resume));
}

/** `text` as the page's HTML holds it: escaped. */
export const escaped = (text: string): string => String(html`${text}`);

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { eventually, type RunningDev, startDev } from '../../test/support/dev-process.js';
import { copyFixtureSite, escaped, fixtureResume } from '../../test/support/fixture-site.js';
import {
  BROWSER_UA,
  endpoint,
  query,
  tableName,
  testApp,
  uniquePage,
} from '../../test/support/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let scratch: string;
const running: RunningDev[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'footfall-dev-loop-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((dev) => dev.stop()));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** A copy of web/, with the tests' resume, for the dev server to watch and the test to edit. */
const webCopy = (name: string): Promise<string> => copyFixtureSite(join(scratch, name));

/** The heading of the page built from the tests' resume. */
const fixtureHeading = async () => `<h1>${escaped((await fixtureResume()).basics.name)}</h1>`;

async function dev(name: string, env: Record<string, string | undefined>): Promise<RunningDev> {
  const started = await startDev({
    env: { FOOTFALL_DATA_DIR: join(scratch, name, 'data'), ...env },
  });
  running.push(started);
  return started;
}

const page = async (url: string) => {
  const res = await fetch(`${url}/`);
  return { status: res.status, html: await res.text() };
};

type Resume = { basics: { name: string; email?: string } };

/**
 * Writes resume.json as `sed -i` and editors that save atomically do: a new file beside it,
 * renamed over it at once (the temp file lives for microseconds, as theirs does).
 */
async function saveAtomically(webDir: string, edit: (resume: Resume) => void) {
  const file = join(webDir, 'resume.json');
  const resume = JSON.parse(await readFile(file, 'utf8')) as Resume;
  edit(resume);
  const temp = join(webDir, `sed${randomBytes(3).toString('hex')}`);
  writeFileSync(temp, JSON.stringify(resume, null, 2));
  renameSync(temp, file);
}

const rebuilt = (output: string) => output.match(/^site rebuilt \(\d+ ms\)$/gm)?.length ?? 0;

describe('the dev loop', () => {
  test('resume.json replaced by rename three times: each change is served, each rebuild said', async () => {
    const web = await webCopy('atomic-web');
    const server = await dev('atomic', { FOOTFALL_WEB_DIR: web });
    expect((await page(server.url)).html).toContain(await fixtureHeading());

    for (const [i, name] of ['Renamed One', 'Renamed Two', 'Renamed Three'].entries()) {
      await saveAtomically(web, (resume) => {
        resume.basics.name = name;
      });
      await eventually(
        async () => (await page(server.url)).html.includes(`<h1>${name}</h1>`),
        `${name} served (dev server said: ${server.stdout()})`,
      );
      // Its output comes down another pipe than the page: it may arrive a moment later.
      await eventually(
        async () => rebuilt(server.stdout()) >= i + 1,
        `rebuild ${i + 1} said (dev server said: ${server.stdout()})`,
      );
    }
    expect(server.stderr()).toBe('');
  });

  test('npm run build with a broken resume while the dev server runs: the last good page is still served', async () => {
    const web = await webCopy('shared-web');
    const server = await dev('shared', { FOOTFALL_WEB_DIR: web });
    const good = await page(server.url);
    expect(good.status).toBe(200);
    expect(good.html).toContain(await fixtureHeading());

    await saveAtomically(web, (resume) => {
      resume.basics.email = 'someone-at-example';
    });
    const build = spawn('npm', ['run', 'build'], {
      cwd: root,
      env: { ...process.env, FOOTFALL_WEB_DIR: web },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    build.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => build.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('basics.email must be an email address');

    // The dev server saw the same edit: it says why it did not rebuild, on one line …
    await eventually(
      async () => server.stdout().includes('site not rebuilt: '),
      `the dev server's word on the broken resume (it said: ${server.stdout()})`,
    );
    const [said] = server.stdout().match(/^site not rebuilt: .*$/m) ?? [];
    expect(said).toBe(
      `site not rebuilt: ${web}/resume.json is not a valid resume: basics.email must be an email address like name@example.com (it is "someone-at-example")`,
    );
    // … and still serves the last good page, whole.
    expect(await page(server.url)).toEqual(good);
    const script = good.html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect((await fetch(`${server.url}${script}`)).status).toBe(200);

    // Fixed: rebuilt and served again.
    await saveAtomically(web, (resume) => {
      resume.basics.email = 'someone@example.com';
      resume.basics.name = 'Someone Mended';
    });
    await eventually(
      async () => (await page(server.url)).html.includes('<h1>Someone Mended</h1>'),
      'the mended page',
    );
  });

  test('a folder created under web/ after start-up is watched too', async () => {
    const web = await webCopy('new-folder-web');
    const server = await dev('new-folder', { FOOTFALL_WEB_DIR: web });
    const before = rebuilt(server.stdout());
    const folder = join(web, 'src', 'later');
    await mkdir(folder);
    await writeFile(join(folder, 'extra.css'), 'p { color: blue }');
    await eventually(async () => rebuilt(server.stdout()) > before, 'the rebuild for the folder');
    const settled = rebuilt(server.stdout());
    // A file changed inside the new folder, after it appeared.
    await writeFile(join(folder, 'extra.css'), 'p { color: red }');
    await eventually(
      async () => rebuilt(server.stdout()) > settled,
      `a rebuild for a file in it (dev server said: ${server.stdout()})`,
    );
  });
});

describe('DYNAMODB_ENDPOINT', () => {
  test('the dev server counts in the DynamoDB it names, says so, starts no dynalite, and prints no SDK warning', async () => {
    const data = join(scratch, 'endpoint', 'data');
    const server = await startDev({
      env: {
        FOOTFALL_DATA_DIR: data,
        DYNAMODB_ENDPOINT: endpoint(),
        TABLE_NAME: tableName(),
        AWS_REGION: 'local',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        // The SDK warns on a Node older than it likes: the dev server silences it itself.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined,
      },
      // Any Node looks old to the SDK: the warning would show whatever Node runs the test.
      nodeArgs: [
        '--import',
        `data:text/javascript,Object.defineProperty(process,'version',{value:'v18.0.0'})`,
      ],
    });
    running.push(server);
    expect(server.stdout()).toContain(
      `counts in DynamoDB at ${endpoint()} (DYNAMODB_ENDPOINT), table ${tableName()}`,
    );

    const key = uniquePage('dev-endpoint');
    const res = await fetch(`${server.url}/api/count${query(key)}`, {
      method: 'POST',
      headers: { 'user-agent': BROWSER_UA },
    });
    expect(await res.json()).toMatchObject({ views: 1, counted: 'visitor' });
    // Read straight from that DynamoDB, not through the dev server.
    const direct = await testApp().app.request(`/api/count${query(key)}`);
    expect(await direct.json()).toEqual({ page: key, views: 1, visitors: 1, bots: 0 });

    // The data folder holds the site and no database.
    expect(await readdir(data)).toEqual(['site']);
    expect(await server.stop()).toBe(0);
    expect(server.stderr()).toBe('');
  });
});

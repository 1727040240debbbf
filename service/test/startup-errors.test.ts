import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type DevProcessOptions,
  type EndedDev,
  failedDevStart,
  startDev,
} from '../../test/support/dev-process.js';
import { copyFixtureSite, fixtureResume } from '../../test/support/fixture-site.js';

let scratch: string;
let serial = 0;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'footfall-startup-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** A data folder of its own for each start. */
const dataDir = () => join(scratch, `data-${++serial}`);

/** The dev server's start, which must fail: its exit code and its single line on stderr. */
async function refusal(env: Record<string, string | undefined>, options: DevProcessOptions = {}) {
  const ended: EndedDev = await failedDevStart({
    ...options,
    env: { FOOTFALL_DATA_DIR: dataDir(), ...env },
  });
  // Nothing but the one line: no stack trace, no code frame, no start-up line.
  expect(ended.stderr, ended.stderr).not.toMatch(/^\s+at /m);
  expect(
    ended.stderr.split('\n').filter((line) => line !== ''),
    ended.stderr,
  ).toHaveLength(1);
  expect(ended.stdout).toBe('');
  return { code: ended.code, line: ended.stderr.trimEnd() };
}

/** A port something else is listening on. */
async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}

/** A copy of web/ whose resume.json, the tests' own, the test may break. */
async function webWith(edit: (text: string) => string): Promise<string> {
  const dir = await copyFixtureSite(join(scratch, `web-${++serial}`));
  const file = join(dir, 'resume.json');
  await writeFile(file, edit(await readFile(file, 'utf8')));
  return dir;
}

describe('npm run dev refuses to start with one line that says what to do', () => {
  test('the port is in use: exit 1, suggest another PORT', async () => {
    const { port, server } = await occupiedPort();
    try {
      expect(await refusal({ PORT: String(port) })).toEqual({
        code: 1,
        line: `port ${port} is in use: stop what is using it, or run PORT=${port + 1} npm run dev`,
      });
    } finally {
      server.close();
    }
  });

  test('a second dev server on the same data folder: exit 1, and the first one keeps serving', async () => {
    const shared = dataDir();
    const first = await startDev({ env: { FOOTFALL_DATA_DIR: shared } });
    try {
      expect(await refusal({ FOOTFALL_DATA_DIR: shared })).toEqual({
        code: 1,
        line: `${shared} is in use by another dev server: stop it (Ctrl-C in its terminal), or set FOOTFALL_DATA_DIR to another folder`,
      });
      const page = await fetch(`${first.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('id="visitor-count"');
    } finally {
      expect(await first.stop()).toBe(0);
    }
  });

  test('FOOTFALL_DATA_DIR is a file: exit 2', async () => {
    const file = join(scratch, 'a-file');
    await writeFile(file, 'not a folder');
    expect(await refusal({ FOOTFALL_DATA_DIR: file })).toEqual({
      code: 2,
      line: `FOOTFALL_DATA_DIR=${file} is not a folder: set FOOTFALL_DATA_DIR to a folder for the dev server's data (it is created if missing)`,
    });
  });

  test('HOST does not resolve: exit 2, suggest 127.0.0.1', async () => {
    // No name lookup leaves this machine: names under .invalid fail in the process itself,
    // exactly as the resolver fails them (RFC 6761 reserves .invalid for this).
    const offline = [
      "import dns from 'node:dns';",
      'const lookup = dns.lookup;',
      'dns.lookup = (host, ...rest) => {',
      "  if (!String(host).endsWith('.invalid')) return lookup(host, ...rest);",
      "  const error = Object.assign(new Error('getaddrinfo ENOTFOUND ' + host), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: host });",
      '  process.nextTick(rest.at(-1), error);',
      '};',
    ].join('\n');
    expect(
      await refusal(
        { HOST: 'footfall.invalid' },
        { nodeArgs: ['--import', `data:text/javascript,${encodeURIComponent(offline)}`] },
      ),
    ).toEqual({
      code: 2,
      line: 'HOST=footfall.invalid does not resolve to an address: use HOST=127.0.0.1, or a name or address of this machine',
    });
  });

  test('HOST is not an address of this machine: exit 2, suggest 127.0.0.1', async () => {
    // TEST-NET-1: never assigned to a machine.
    expect(await refusal({ HOST: '192.0.2.1' })).toEqual({
      code: 2,
      line: 'HOST=192.0.2.1 is not an address of this machine: use HOST=127.0.0.1 (this machine only) or HOST=0.0.0.0 (every network interface)',
    });
  });

  test.each([
    ['blog.example.com', 'https://blog.example.com'],
    ['https://blog.example.com/path', 'https://blog.example.com'],
  ])('ALLOWED_ORIGINS=%s: exit 2, suggest %s', async (entry, meant) => {
    expect(await refusal({ ALLOWED_ORIGINS: entry })).toEqual({
      code: 2,
      line: `invalid configuration: ALLOWED_ORIGINS: "${entry}" is not an origin: write ${meant}`,
    });
  });

  test('resume.json is not JSON: exit 1, its line and column', async () => {
    // `"name": "…",` loses its comma: the mistake is where the next line's property begins.
    const name = `"name": ${JSON.stringify((await fixtureResume()).basics.name)}`;
    const web = await webWith((text) => text.replace(`${name},`, name));
    const lines = (await readFile(join(web, 'resume.json'), 'utf8')).split('\n');
    const at = lines.findIndex((line) => line.trim() === name) + 1;
    expect(at).toBeGreaterThan(0);
    const column = (lines[at] as string).indexOf('"') + 1;
    expect(await refusal({ FOOTFALL_WEB_DIR: web })).toEqual({
      code: 1,
      line: `${web}/resume.json line ${at + 1}, column ${column}: a comma is missing before this property`,
    });
  });

  test('a bad date in resume.json: exit 1, the field and the accepted format', async () => {
    const web = await webWith((text) => {
      const resume = JSON.parse(text);
      resume.education[0].endDate = '2019/06';
      return JSON.stringify(resume, null, 2);
    });
    expect(await refusal({ FOOTFALL_WEB_DIR: web })).toEqual({
      code: 1,
      line: `${web}/resume.json is not a valid resume: education[0].endDate must be a date written YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2021-03 (it is "2019/06")`,
    });
  });

  test('DYNAMODB_ENDPOINT that nothing answers: exit 1, start it or unset it', async () => {
    const { port, server } = await occupiedPort();
    await new Promise((resolve) => server.close(resolve));
    const endpoint = `http://127.0.0.1:${port}`;
    expect(
      await refusal({
        DYNAMODB_ENDPOINT: endpoint,
        AWS_REGION: 'local',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      }),
    ).toEqual({
      code: 1,
      line: `cannot reach DynamoDB at DYNAMODB_ENDPOINT=${endpoint} (ECONNREFUSED): start it, or unset DYNAMODB_ENDPOINT to use the built-in dynalite`,
    });
  });

  test('DYNAMODB_ENDPOINT with no AWS region anywhere: exit 2, set AWS_REGION', async () => {
    const nowhere = join(scratch, 'no-aws-config');
    expect(
      await refusal({
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: undefined,
        AWS_PROFILE: undefined,
        AWS_CONFIG_FILE: nowhere,
        AWS_SHARED_CREDENTIALS_FILE: nowhere,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      }),
    ).toEqual({
      code: 2,
      line: 'DYNAMODB_ENDPOINT=http://127.0.0.1:8000 is set but the AWS SDK has no region: set AWS_REGION (any value does for DynamoDB Local)',
    });
  });

  test('DYNAMODB_ENDPOINT with no AWS credentials anywhere: exit 2, say which to set', async () => {
    const nowhere = join(scratch, 'no-aws-config');
    expect(
      await refusal({
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
        AWS_REGION: 'local',
        AWS_PROFILE: undefined,
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_CONFIG_FILE: nowhere,
        AWS_SHARED_CREDENTIALS_FILE: nowhere,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        // The chain's last resort asks the EC2 metadata service: not from a test.
        AWS_EC2_METADATA_DISABLED: 'true',
      }),
    ).toEqual({
      code: 2,
      line: 'DYNAMODB_ENDPOINT=http://127.0.0.1:8000 is set but the AWS SDK found no credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values do for DynamoDB Local)',
    });
  });
});

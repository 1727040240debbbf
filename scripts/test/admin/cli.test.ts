import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { startLocalDynamoDB } from '../../../service/src/dev/local-dynamodb.js';
import { type AwsStandIn, startAwsStandIn } from '../../../test/support/aws-stand-in.js';
import { query, testApp, visitor } from '../../../test/support/index.js';
import { admin, freshTable, stubAwsEnvironment } from './support.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const commands = [
  'pages',
  'show',
  'set',
  'history',
  'remove',
  'link',
  'import-seed',
  'export',
  'import',
];

let aws: AwsStandIn;
let dir: string;
beforeAll(async () => {
  aws = await startAwsStandIn();
  dir = await mkdtemp(join(tmpdir(), 'footfall-admin-cli-'));
});
afterAll(async () => {
  await aws.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.unstubAllEnvs());

/** `npm run admin -- …argv` as a real process, as a person runs it. */
async function spawnAdmin(argv: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/admin/main.ts', ...argv],
      { cwd: root, env: { ...process.env, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the admin CLI', () => {
  test('lists its commands, and exits 2 when given none', async () => {
    const ran = await admin([]);
    expect(ran.code).toBe(2);
    for (const name of commands) expect(ran.stdout).toContain(`\n  ${name} `);
    expect(ran.stdout).toContain('Exit codes: 0 done, 1 failed or refused');
    expect((await admin(['--help'])).code).toBe(0);
  });

  test.each(commands)('%s --help says how to use it', async (name) => {
    const ran = await admin([name, '--help']);
    expect(ran).toMatchObject({ code: 0, stderr: '' });
    expect(ran.stdout).toMatch(new RegExp(`^Usage: npm run admin -- ${name} `));
    expect(ran.stdout).toContain('--local');
    expect(ran.stdout).toContain('--stack NAME');
    expect((await admin(['help', name])).stdout).toBe(ran.stdout);
  });

  test('an unknown command or option is exit code 2, in one line and a usage line', async () => {
    expect(await admin(['frobnicate'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('there is no command "frobnicate"'),
    });
    const ran = await admin(['pages', '--frob']);
    expect(ran.code).toBe(2);
    expect(ran.stderr.split('\n')[0]).toBe('footfall admin pages: there is no option --frob');
    expect(ran.stderr.split('\n')[1]).toMatch(/^Usage: npm run admin -- pages/);
  });

  test('shows pages and a page with its days, as tables or JSON', async () => {
    stubAwsEnvironment(aws);
    const table = await freshTable('show');
    aws.stacks.set('FootfallShow', { TableName: table });
    const app = testApp({ tableName: table });
    for (const address of ['192.0.2.1', '192.0.2.2']) {
      await app.app.request(`/api/count${query('/about')}`, {
        method: 'POST',
        headers: visitor(address),
      });
    }
    await app.app.request(`/api/count${query('/')}`, {
      method: 'POST',
      headers: visitor('192.0.2.1'),
    });
    app.client.destroy();

    const pages = await admin(['pages', '--stack', 'FootfallShow']);
    expect(pages.stdout).toBe(
      'PAGE    VIEWS  VISITORS  BOTS\n/about      2         2     0\n/           1         1     0\n',
    );
    const shown = await admin([
      'show',
      '/about',
      '--days',
      '2',
      '--json',
      '--stack',
      'FootfallShow',
    ]);
    const today = new Date().toISOString().slice(0, 10);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      page: '/about',
      totals: { views: 2, visitors: 2, bots: 0 },
      days: [{ views: 0 }, { date: today, views: 2, visitors: 2, bots: 0 }],
      adjustments: 0,
    });
    const text = await admin(['show', '/about', '--stack', 'FootfallShow']);
    expect(text.stdout.split('\n')[0]).toBe('/about: 2 views, 2 visitors, 0 bots');
    expect(text.stdout.trim().split('\n')).toHaveLength(2 + 1 + 30);
    expect((await admin(['show', '/about', '--days', '0', '--stack', 'FootfallShow'])).code).toBe(
      2,
    );
  });

  test('names a missing stack, a stack without a table, and missing credentials, in one line', async () => {
    stubAwsEnvironment(aws);
    aws.stacks.set('NotOurs', { BucketName: 'b' });
    const missing = await admin(['pages', '--stack', 'Nope']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(
      'footfall admin pages: stack Nope was not found in eu-west-1: pass --stack NAME (and --region) of your footfall stack, or deploy it first\n',
    );
    expect((await admin(['pages', '--stack', 'NotOurs'])).stderr).toContain(
      'stack NotOurs has no TableName output',
    );

    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    const unsigned = await admin(['pages']);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toContain('no AWS credentials were found');
  });

  test('--profile and --region are honoured', async () => {
    stubAwsEnvironment(aws);
    const table = await freshTable('profile');
    aws.stacks.set('FootfallProfile', { TableName: table });
    // Signed in only through a named profile in its own config files.
    const config = join(dir, 'aws-config');
    const credentials = join(dir, 'aws-credentials');
    await writeFile(config, '[profile footfall-owner]\nregion = ap-southeast-2\n');
    await writeFile(
      credentials,
      '[footfall-owner]\naws_access_key_id = local\naws_secret_access_key = local\n',
    );
    vi.stubEnv('AWS_CONFIG_FILE', config);
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', credentials);
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');

    expect((await admin(['pages', '--stack', 'FootfallProfile'])).stderr).toMatch(
      /no AWS (region|credentials)/,
    );
    const ran = await admin(['pages', '--stack', 'FootfallProfile', '--profile', 'footfall-owner']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toBe(
      `No page has been counted yet on stack FootfallProfile in ap-southeast-2 (table ${table}).\n`,
    );
    const elsewhere = await admin([
      'pages',
      '--stack',
      'FootfallProfile',
      '--profile',
      'footfall-owner',
      '--region',
      'eu-central-1',
    ]);
    expect(elsewhere.stdout).toContain('in eu-central-1');
  });

  test('as a process: exit codes, one line, no stack trace, nothing but the message', async () => {
    const usage = await spawnAdmin(['set', '/x']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).not.toMatch(/\n\s+at /);

    // The dev server has the data folder: say to stop it, change nothing.
    const data = join(dir, 'busy');
    const devServer = await startLocalDynamoDB(data);
    try {
      const busy = await spawnAdmin(['pages', '--local'], { FOOTFALL_DATA_DIR: data });
      expect(busy.code).toBe(1);
      expect(busy.stderr).toBe(
        `footfall admin pages: the dev server is using ${data}: stop it (Ctrl-C in its terminal), then run this again\n`,
      );
    } finally {
      await devServer.close();
    }
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    const notAFolder = await spawnAdmin(['pages', '--local'], { FOOTFALL_DATA_DIR: file });
    expect(notAFolder).toMatchObject({
      code: 1,
      stderr: `footfall admin pages: FOOTFALL_DATA_DIR=${file} is a file, not a folder: point it at the dev server's data folder\n`,
    });

    const fine = await spawnAdmin(['pages', '--local'], { FOOTFALL_DATA_DIR: join(dir, 'fresh') });
    expect(fine).toMatchObject({ code: 0, stderr: '' });
    expect(fine.stdout).toContain('No page has been counted yet');
  });
});

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const script = fileURLToPath(new URL('../bootstrap.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'footfall-bootstrap-home-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

/**
 * The bootstrap script in a bare environment: no AWS profile, no credentials, no instance
 * metadata, run outside any git clone. Nothing here can reach AWS.
 */
function bootstrap(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', tsx, script, ...args], {
    cwd: home,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    },
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, out })),
  );
}

describe('npm run bootstrap', () => {
  test('without a repository it stops before changing anything and says what is missing', async () => {
    const { code, out } = await bootstrap([]);
    expect(code).toBe(1);
    expect(out).toContain('no repository configured');
    expect(out).toContain('--repo OWNER/REPO');
    expect(out).toContain('Nothing was changed.');
  });

  test('with a malformed repository it names the setting', async () => {
    const { code, out } = await bootstrap(['--repo', 'not-a-repo']);
    expect(code).toBe(1);
    expect(out).toContain('repository');
    expect(out).toContain('Nothing was changed.');
  });

  test('without AWS credentials it stops before changing anything and says what is missing', async () => {
    const { code, out } = await bootstrap(['--repo', 'maya-ol/footfall'], {
      AWS_REGION: 'eu-north-1',
    });
    expect(code).toBe(1);
    expect(out).toContain('no AWS credentials');
    expect(out).toContain('Nothing was changed.');
    expect(out).not.toContain('cdk');
  });

  test('without a region it says so', async () => {
    const { code, out } = await bootstrap(['--repo', 'maya-ol/footfall']);
    expect(code).toBe(1);
    expect(out).toContain('no AWS region');
  });
});

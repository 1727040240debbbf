import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { githubSubject } from '../../../cdk/lib/github-oidc.js';
import { type AwsStandIn, KEYS, startAwsStandIn } from '../../../test/support/aws-stand-in.js';
import { refusingEndpoint } from '../../../test/support/fault-proxy.js';
import {
  alertEmailNote,
  cdkJsonWithAlertEmail,
  NO_ALERT_EMAIL_NOTE,
} from '../../deploy/bootstrap/alert-email.js';
import {
  actionsProblems,
  describeCall,
  parseReviewers,
  type RepositoryInfo,
  repositoryProblem,
  trustedIdentity,
} from '../../deploy/bootstrap/github.js';
import {
  awsCommands,
  awsCommandsWithoutGitHub,
  BOOTSTRAP_USAGE,
  bootstrapCommand,
  branchProtectionCall,
  describeCommand,
  environmentCalls,
  subjectCalls,
  variableCommands,
  WORKFLOW_VARIABLES,
} from '../../deploy/bootstrap/plan.js';

const script = fileURLToPath(new URL('../../deploy/bootstrap/main.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url));
let home: string;
/** Stand-ins for gh, npm and npx: each logs its arguments and answers as the real one would. */
let fakeBin: string;
let log: string;
let aws: AwsStandIn;
let nowhere: string;

const FAKE_TOOL = `#!/bin/sh
echo "$(basename "$0") $*" >> "$FAKE_LOG"
case "$(basename "$0") $*" in
  "gh auth status") [ -n "$FAKE_GH_SIGNED_IN" ] || exit 1 ;;
  "gh api --method GET repos/maya-ol/footfall")
    echo '{"full_name":"Maya-OL/footfall","id":987654321,"owner":{"id":4242,"login":"Maya-OL"}}' ;;
  "gh api --method GET repos/maya-ol/fotfall") echo 'gh: Not Found (HTTP 404)' >&2; exit 1 ;;
  "gh api --method GET repos/Maya-OL/footfall/actions/oidc/customization/sub")
    echo '{"use_default":false,"include_claim_keys":["repo","context","repository_id"],"use_immutable_subject":true,"sub_claim_prefix":"repo:Maya-OL@4242/footfall@987654321"}' ;;
  "gh api --method GET repos/Maya-OL/footfall/environments/"*) echo 'HTTP 404' >&2; exit 1 ;;
  "gh api --method GET repos/Maya-OL/footfall/actions/permissions")
    case "$FAKE_GH_ACTIONS" in
      off) echo '{"enabled":false}' ;;
      local) echo '{"enabled":true,"allowed_actions":"local_only"}' ;;
      denied) echo 'gh: Must have admin rights to Repository. (HTTP 403)' >&2; exit 1 ;;
      *) echo '{"enabled":true,"allowed_actions":"all"}' ;;
    esac ;;
  "gh api --method GET repos/Maya-OL/footfall/actions/workflows/deploy.yml")
    printf '{"state":"%s"}\n' "\${FAKE_GH_WORKFLOW:-active}" ;;
  "gh api --method GET users/alice") echo '{"login":"alice","id":111,"type":"User"}' ;;
  "gh api --method GET orgs/Maya-OL/teams/deployers") echo '{"id":222,"slug":"deployers"}' ;;
  "gh api --method GET users/"*|"gh api --method GET orgs/"*) echo 'gh: Not Found (HTTP 404)' >&2; exit 1 ;;
  "gh api --method GET repos/Maya-OL/footfall/branches/main/protection")
    if [ -n "$FAKE_GH_PROTECTED" ]; then
      echo '{"required_status_checks":{"strict":true,"checks":[{"context":"test","app_id":15368}]},"required_pull_request_reviews":{"required_approving_review_count":2,"require_code_owner_reviews":false}}'
    else
      echo 'gh: Branch not protected (HTTP 404)' >&2; exit 1
    fi ;;
  "gh api --method PUT "*|"gh api --method POST "*) { echo "$*"; cat; echo; } >> "$FAKE_LOG.bodies"; echo '{}' ;;
  "gh api --method "*) cat > /dev/null; echo '{}' ;;
  "npx cdk deploy"*)
    while [ $# -gt 0 ]; do
      if [ "$1" = "--outputs-file" ]; then
        echo '{"FootfallDeployAccess":{"ProductionDeployRoleArn":"arn:aws:iam::123456789012:role/p","StagingDeployRoleArn":"arn:aws:iam::123456789012:role/s"}}' > "$2"
      fi
      shift
    done ;;
esac
`;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'footfall-bootstrap-home-'));
  fakeBin = join(home, 'bin');
  log = join(home, 'calls.log');
  await mkdir(fakeBin);
  for (const tool of ['gh', 'npm', 'npx']) {
    await writeFile(join(fakeBin, tool), FAKE_TOOL, { mode: 0o755 });
  }
  // STS on loopback, answering GetCallerIdentity by the access key.
  aws = await startAwsStandIn();
  nowhere = await refusingEndpoint();
});
afterAll(async () => {
  await aws.close();
  await rm(home, { recursive: true, force: true });
});

/** Credentials that work against the loopback STS only. */
const signedIn = (key: string = KEYS.good) => ({
  AWS_REGION: 'eu-north-1',
  AWS_ACCESS_KEY_ID: key,
  AWS_SECRET_ACCESS_KEY: 'example',
  FAKE_LOG: log,
});

/**
 * The bootstrap script in a bare environment: no AWS profile, no credentials, no instance
 * metadata, STS on loopback, run outside any git clone. Nothing here can reach AWS. The log of
 * calls starts empty.
 */
async function bootstrap(args: string[], env: Record<string, string> = {}) {
  await rm(log, { force: true });
  await rm(`${log}.bodies`, { force: true });
  const child = spawn(process.execPath, ['--import', tsx, script, ...args], {
    cwd: home,
    env: {
      PATH: `${fakeBin}:${process.env.PATH ?? ''}`,
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_STS: aws.endpoint,
      FAKE_LOG: log,
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

/** What ran: gh, npm and npx log every call. */
const calls = async () => (await readFile(log, 'utf8').catch(() => '')).trim().split('\n');

/** The body each PUT and POST sent GitHub, by `METHOD PATH`. */
async function bodies(): Promise<Record<string, unknown>> {
  const text = await readFile(`${log}.bodies`, 'utf8').catch(() => '');
  const lines = text.split('\n').filter((line) => line !== '');
  const sent: Record<string, unknown> = {};
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [, , method, path] = (lines[i] ?? '').split(' ');
    sent[`${method} ${path}`] = JSON.parse(lines[i + 1] ?? 'null');
  }
  return sent;
}

/** Stopped by the checks: exit 1, one block, no stack trace, nothing but `gh auth status` and reads run. */
async function expectStopped({ code, out }: { code: number | null; out: string }) {
  expect(code).toBe(1);
  expect(out).toContain('npm run bootstrap stopped before changing anything');
  expect(out).toContain('Nothing was changed.');
  expect(out).not.toMatch(/^\s+at /m);
  expect(out.match(/✗/g)).toHaveLength(1);
  for (const call of await calls()) {
    expect(call).toMatch(
      /^(gh auth status|gh api --method GET (repos\/[^/ ]+\/[^/ ]+(\/actions\/[^ ]+)?|users\/[^/ ]+|orgs\/[^/ ]+\/teams\/[^/ ]+))?$/,
    );
  }
}

describe('npm run bootstrap', () => {
  test('with nothing set up, every missing thing is reported in one run', async () => {
    const result = await bootstrap([]);
    await expectStopped(result);
    expect(result.out).toContain('4 things need fixing');
    expect(result.out).toContain('• no repository configured');
    expect(result.out).toContain('→ pass --repo OWNER/REPO with your fork');
    expect(result.out).toContain('• no AWS region is set');
    expect(result.out).toContain('• no AWS credentials were found');
    expect(result.out).toContain('• the GitHub CLI (gh) is not signed in');
    expect(result.out).toContain('→ gh auth login');
  });

  test.each(['OWNER/REPO', 'owner/repo'])(
    'the placeholder --repo %s is refused, with how to find the real name',
    async (placeholder) => {
      const result = await bootstrap(['--repo', placeholder], {
        ...signedIn(),
        FAKE_GH_SIGNED_IN: '1',
      });
      await expectStopped(result);
      expect(result.out).toContain(`• --repo "${placeholder}" is the placeholder from the docs`);
      expect(result.out).toContain('gh repo view --json nameWithOwner');
    },
  );

  test('a malformed --repo is named as --repo', async () => {
    const result = await bootstrap(['--repo', 'not-a-repo'], {
      ...signedIn(),
      FAKE_GH_SIGNED_IN: '1',
    });
    await expectStopped(result);
    expect(result.out).toContain('• --repo "not-a-repo" is not a GitHub repository (OWNER/REPO)');
    expect(result.out).toContain('→ pass --repo OWNER/REPO');
  });

  test('a repository GitHub does not show: named with --repo, and what gh said', async () => {
    const result = await bootstrap(['--repo', 'maya-ol/fotfall'], {
      ...signedIn(),
      FAKE_GH_SIGNED_IN: '1',
    });
    await expectStopped(result);
    expect(result.out).toContain(
      '• GitHub does not show maya-ol/fotfall (from --repo) to you: gh: Not Found (HTTP 404)',
    );
    expect(result.out).toContain('→ check --repo OWNER/REPO');
  });

  test('a bad --environment is named as --environment', async () => {
    const result = await bootstrap(['--repo', 'maya-ol/footfall', '--environment', 'prod env'], {
      ...signedIn(),
      FAKE_GH_SIGNED_IN: '1',
    });
    await expectStopped(result);
    expect(result.out).toContain('• invalid deploy setting: environmentName: "prod env"');
    expect(result.out).toContain('→ pass --environment with the name of your GitHub environment');
  });

  test('a bad --alert-email is named as --alert-email', async () => {
    for (const [address, what] of [
      ['nobody', '• invalid deploy setting: alertEmail: "nobody" is not an email address'],
      [' ', '• --alert-email is empty'],
    ] as const) {
      const result = await bootstrap(['--repo', 'maya-ol/footfall', '--alert-email', address], {
        ...signedIn(),
        FAKE_GH_SIGNED_IN: '1',
      });
      await expectStopped(result);
      expect(result.out).toContain(what);
      expect(result.out).toContain(
        '→ pass --alert-email with the address to e-mail (you@example.com), or leave it out',
      );
    }
  });

  test('a mistyped option is one line with the usage', async () => {
    for (const args of [['--rpo', 'maya-ol/footfall'], ['--repo'], ['maya-ol/footfall']]) {
      const { code, out } = await bootstrap(args);
      expect(code).toBe(2);
      expect(out).toContain('usage: npm run bootstrap -- --repo OWNER/REPO');
      expect(out).not.toMatch(/^\s+at /m);
      expect(out.trim().split('\n')).toHaveLength(2);
    }
  });

  test('without AWS credentials it stops before changing anything and says what is missing', async () => {
    const result = await bootstrap(['--repo', 'maya-ol/footfall'], {
      AWS_REGION: 'eu-north-1',
      FAKE_GH_SIGNED_IN: '1',
    });
    await expectStopped(result);
    expect(result.out).toContain('one thing needs fixing');
    expect(result.out).toContain('• no AWS credentials were found');
  });

  test('AWS_PROFILE naming a profile that does not exist: the profile is named', async () => {
    const result = await bootstrap(['--repo', 'maya-ol/footfall'], {
      AWS_PROFILE: 'footfall-admin',
      AWS_REGION: 'eu-north-1',
      FAKE_GH_SIGNED_IN: '1',
    });
    await expectStopped(result);
    expect(result.out).toContain(
      '• AWS_PROFILE names the profile "footfall-admin", which is in neither',
    );
    expect(result.out).toContain('aws configure sso --profile footfall-admin');
  });

  test('credentials AWS refuses are said to be refused', async () => {
    const result = await bootstrap(['--repo', 'maya-ol/footfall'], {
      ...signedIn(KEYS.refused),
      FAKE_GH_SIGNED_IN: '1',
    });
    await expectStopped(result);
    expect(result.out).toContain('• AWS refused these credentials (InvalidClientTokenId');
  });

  test('AWS out of reach is a network failure, not refused credentials', async () => {
    const result = await bootstrap(['--repo', 'maya-ol/footfall'], {
      ...signedIn(),
      AWS_ENDPOINT_URL_STS: nowhere,
      FAKE_GH_SIGNED_IN: '1',
    });
    await expectStopped(result);
    expect(result.out).toMatch(/• could not reach AWS STS \(connect ECONNREFUSED/);
    expect(result.out).not.toContain('refused these credentials');
  });

  test('without the GitHub CLI signed in it stops before changing anything and prints the calls it would make', async () => {
    const result = await bootstrap(['--repo', 'maya-ol/footfall'], signedIn());
    await expectStopped(result);
    const { out } = result;
    expect(out).toContain('one thing needs fixing');
    expect(out).toContain('gh auth login');
    expect(out).toContain(
      'gh api --method PUT repos/maya-ol/footfall/actions/oidc/customization/sub',
    );
    expect(out).toContain('"include_claim_keys":["repo","context","repository_id"]');
    expect(out).toContain(
      'gh api --method POST repos/maya-ol/footfall/environments/production/deployment-branch-policies',
    );
    expect(out).toContain('{"name":"main","type":"branch"}');
    expect(await calls()).toEqual(['gh auth status']);
  });

  test('without gh at all it says to install it', async () => {
    const result = await bootstrap(['--repo', 'maya-ol/footfall'], {
      ...signedIn(),
      // node, and nothing else: no gh to find.
      PATH: join(process.execPath, '..'),
    });
    expect(result.code).toBe(1);
    expect(result.out).toContain('• the GitHub CLI (gh) is not installed');
    expect(result.out).toContain('→ install it (https://cli.github.com), then gh auth login');
  });

  test('signed in, it sets the subject, deploys the access stack, bootstraps with the scoped policy, protects the environments and sets the variables, in that order', async () => {
    const { code, out } = await bootstrap(['--repo', 'maya-ol/footfall'], {
      ...signedIn(),
      FAKE_GH_SIGNED_IN: '1',
    });
    expect(out).toContain('✓ footfall can deploy');
    expect(code).toBe(0);
    const ran = await calls();
    const deploy = ran.find((call) => call.startsWith('npx cdk deploy')) ?? '';
    expect(deploy).toContain('FootfallDeployAccess --exclusively');
    expect(deploy).toContain(
      '-c repository=Maya-OL/footfall -c repositoryId=987654321 -c repositoryOwnerId=4242',
    );
    expect(ran.map((call) => call.replace(/ --outputs-file .*/, ''))).toEqual([
      'gh auth status',
      'gh api --method GET repos/maya-ol/footfall',
      'gh api --method GET repos/Maya-OL/footfall/actions/permissions',
      'gh api --method GET repos/Maya-OL/footfall/actions/workflows/deploy.yml',
      'gh api --method PUT repos/Maya-OL/footfall/actions/oidc/customization/sub --input -',
      'gh api --method GET repos/Maya-OL/footfall/actions/oidc/customization/sub',
      'npm run build',
      deploy.replace(/ --outputs-file .*/, ''),
      'npx cdk bootstrap aws://123456789012/eu-north-1 --qualifier hnb659fds --cloudformation-execution-policies arn:aws:iam::123456789012:policy/footfall-hnb659fds-cfn-execution --custom-permissions-boundary footfall-hnb659fds-permissions-boundary',
      'gh api --method GET repos/Maya-OL/footfall/environments/staging',
      'gh api --method GET repos/Maya-OL/footfall/environments/production',
      'gh api --method PUT repos/Maya-OL/footfall/environments/staging --input -',
      'gh api --method POST repos/Maya-OL/footfall/environments/staging/deployment-branch-policies --input -',
      'gh api --method PUT repos/Maya-OL/footfall/environments/production --input -',
      'gh api --method POST repos/Maya-OL/footfall/environments/production/deployment-branch-policies --input -',
      'gh variable set AWS_REGION --repo Maya-OL/footfall --body eu-north-1',
      'gh variable set AWS_DEPLOY_ROLE_ARN_PRODUCTION --repo Maya-OL/footfall --body arn:aws:iam::123456789012:role/p',
      'gh variable set AWS_DEPLOY_ROLE_ARN_STAGING --repo Maya-OL/footfall --body arn:aws:iam::123456789012:role/s',
    ]);
    expect(out).toContain(
      'production jobs get the subject repo:Maya-OL@4242/footfall@987654321:environment:production:repository_id:987654321',
    );
    expect(out).not.toContain('! could not check');
    // No alertEmail in cdk.json and no --alert-email: it says how to have alerts e-mailed.
    expect(out).toContain(NO_ALERT_EMAIL_NOTE);
    expect(out).toContain('Then push to main');
  });

  test.each([
    [
      'GitHub Actions disabled in the settings',
      { FAKE_GH_ACTIONS: 'off' },
      '• GitHub Actions is disabled in Maya-OL/footfall: the Deploy workflow would never run',
      '→ open https://github.com/Maya-OL/footfall/settings/actions, choose "Allow all actions and reusable workflows" under "Actions permissions" and click Save',
    ],
    [
      'only local actions allowed',
      { FAKE_GH_ACTIONS: 'local' },
      '• Maya-OL/footfall allows only its own actions: the Deploy workflow uses actions/checkout and aws-actions/configure-aws-credentials',
      '→ open https://github.com/Maya-OL/footfall/settings/actions, choose "Allow all actions',
    ],
    [
      'a new fork whose workflows GitHub has not turned on',
      { FAKE_GH_WORKFLOW: 'disabled_fork' },
      "• GitHub Actions is not enabled in Maya-OL/footfall yet: GitHub keeps a fork's workflows off until its owner turns them on",
      '→ open https://github.com/Maya-OL/footfall/actions and click "I understand my workflows, go ahead and enable them"',
    ],
    [
      'the Deploy workflow disabled by hand',
      { FAKE_GH_WORKFLOW: 'disabled_manually' },
      '• the Deploy workflow (deploy.yml) is disabled in Maya-OL/footfall',
      '→ open https://github.com/Maya-OL/footfall/actions/workflows/deploy.yml and click "Enable workflow"',
    ],
  ])('%s: a problem with its fix, before anything changes', async (_, env, what, fix) => {
    const result = await bootstrap(['--repo', 'maya-ol/footfall'], {
      ...signedIn(),
      FAKE_GH_SIGNED_IN: '1',
      ...env,
    });
    await expectStopped(result);
    expect(result.out).toContain('one thing needs fixing');
    expect(result.out).toContain(what);
    expect(result.out).toContain(fix);
  });

  test('GitHub Actions off is listed in the same block as the other problems', async () => {
    const result = await bootstrap(['--repo', 'maya-ol/footfall'], {
      AWS_REGION: 'eu-north-1',
      FAKE_GH_SIGNED_IN: '1',
      FAKE_GH_ACTIONS: 'off',
    });
    await expectStopped(result);
    expect(result.out).toContain('2 things need fixing');
    expect(result.out).toContain('• no AWS credentials were found');
    expect(result.out).toContain('• GitHub Actions is disabled in Maya-OL/footfall');
  });

  test('when gh may not read the Actions settings, it is a warning and the bootstrap goes on', async () => {
    const { code, out } = await bootstrap(['--repo', 'maya-ol/footfall'], {
      ...signedIn(),
      FAKE_GH_SIGNED_IN: '1',
      FAKE_GH_ACTIONS: 'denied',
    });
    expect(out).toContain(
      '! could not check whether GitHub Actions is enabled in Maya-OL/footfall (gh: Must have admin rights to Repository. (HTTP 403)); if it is off, nothing deploys: see https://github.com/Maya-OL/footfall/actions',
    );
    expect(out).not.toContain('✗');
    expect(out).toContain('✓ footfall can deploy');
    expect(code).toBe(0);
  });

  test('without a region it says so', async () => {
    const result = await bootstrap(['--repo', 'maya-ol/footfall'], {
      AWS_ACCESS_KEY_ID: KEYS.good,
      AWS_SECRET_ACCESS_KEY: 'example',
      FAKE_GH_SIGNED_IN: '1',
    });
    await expectStopped(result);
    expect(result.out).toContain('one thing needs fixing');
    expect(result.out).toContain('• no AWS region is set');
  });
});

describe('npm run bootstrap -- --no-github, for deploys by hand', () => {
  /** No gh anywhere on the PATH: only the fake npm and npx. */
  let withoutGh: string;
  beforeAll(async () => {
    withoutGh = join(home, 'bin-without-gh');
    await mkdir(withoutGh);
    for (const tool of ['npm', 'npx']) {
      await writeFile(join(withoutGh, tool), FAKE_TOOL, { mode: 0o755 });
    }
  });
  const noGitHub = (args: string[] = [], env: Record<string, string> = {}) =>
    bootstrap(['--no-github', ...args], {
      ...signedIn(),
      PATH: `${withoutGh}:/usr/bin:/bin`,
      AWS_ENDPOINT_URL_CLOUDFORMATION: aws.endpoint,
      ...env,
    });

  test('it creates the execution policy and the boundary without a repository, then bootstraps with them; no GitHub API is called, gh need not exist', async () => {
    aws.requests.length = 0;
    const { code, out } = await noGitHub([], { GITHUB_REPOSITORY: 'maya-ol/footfall' });
    expect(out).toContain('✓ footfall can deploy from this machine: npm run deploy');
    expect(code).toBe(0);
    expect(await calls()).toEqual([
      'npm run build',
      'npx cdk deploy FootfallDeployAccess --exclusively -c bootstrapQualifier=hnb659fds',
      'npx cdk bootstrap aws://123456789012/eu-north-1 --qualifier hnb659fds --cloudformation-execution-policies arn:aws:iam::123456789012:policy/footfall-hnb659fds-cfn-execution --custom-permissions-boundary footfall-hnb659fds-permissions-boundary',
    ]);
    // AWS was read, not changed, before: who, and whether the stack holds GitHub roles to keep.
    expect(aws.requests).toEqual([
      'sts:GetCallerIdentity eu-north-1',
      'cloudformation:DescribeStacks eu-north-1',
    ]);
    expect(out).not.toMatch(/\bgh\b/);
  });

  test('over a deploy-access stack that holds GitHub deploy roles, it refuses: they would be deleted', async () => {
    const role = 'arn:aws:iam::123456789012:role/FootfallDeployAccess-ProductionDeployRole';
    aws.stacks.set('FootfallDeployAccess', { ProductionDeployRoleArn: role });
    try {
      const result = await noGitHub();
      await expectStopped(result);
      expect(result.out).toContain(
        `• FootfallDeployAccess holds GitHub's deploy roles (${role}): --no-github would delete them, and the pipeline with them`,
      );
      expect(result.out).toContain('→ npm run bootstrap (with GitHub, as before)');
      expect(await calls()).toEqual(['']);
    } finally {
      aws.stacks.delete('FootfallDeployAccess');
    }
  });

  test('with the options that only GitHub has: one line with the usage', async () => {
    const { code, out } = await noGitHub(['--repo', 'maya-ol/footfall', '--no-staging']);
    expect(code).toBe(2);
    expect(out).toContain(
      '--no-github sets up no GitHub repository: leave out --repo and --no-staging',
    );
    expect(out).toContain(BOOTSTRAP_USAGE);
    expect(await calls()).toEqual(['']);
  });

  test('branch protection and reviewers are GitHub settings: refused with --no-github too', async () => {
    for (const [args, named] of [
      [['--protect-main'], '--protect-main'],
      [['--staging-reviewers', 'alice'], '--staging-reviewers'],
      [['--production-reviewers', 'alice'], '--production-reviewers'],
      [
        ['--protect-main', '--production-reviewers', 'alice'],
        '--protect-main and --production-reviewers',
      ],
    ] as const) {
      const { code, out } = await noGitHub([...args]);
      expect(code, named).toBe(2);
      expect(out, named).toContain(
        `--no-github sets up no GitHub repository: leave out ${named}\n`,
      );
      expect(out, named).toContain(BOOTSTRAP_USAGE);
    }
    expect(await calls()).toEqual(['']);
  });

  test('its plan: the same policies and bootstrap as with GitHub, without the trust context', () => {
    const inputs = {
      account: '123456789012',
      region: 'eu-north-1',
      partition: 'aws',
      qualifier: 'q',
    };
    const [build, deploy, bootstrapIt] = awsCommandsWithoutGitHub(inputs);
    const withGitHub = awsCommands({
      ...inputs,
      identity: { repository: 'maya-ol/footfall', repositoryId: '1' },
      environments: { production: 'production' },
      outputsFile: 'o.json',
    });
    expect(build).toEqual(withGitHub[0]);
    expect(bootstrapIt).toEqual(withGitHub[2]);
    expect(deploy?.args).toEqual([
      'cdk',
      'deploy',
      'FootfallDeployAccess',
      '--exclusively',
      '-c',
      'bootstrapQualifier=q',
    ]);
  });

  test('with a custom domain or WAF, us-east-1 is bootstrapped too, as with GitHub: npm run deploy deploys stacks there', () => {
    const inputs = {
      account: '123456789012',
      region: 'eu-north-1',
      partition: 'aws',
      qualifier: 'q',
      otherRegions: ['eu-north-1', 'us-east-1'],
    };
    const bootstraps = awsCommandsWithoutGitHub(inputs).filter((c) => c.args[1] === 'bootstrap');
    expect(bootstraps.map((c) => c.args[2])).toEqual([
      'aws://123456789012/eu-north-1',
      'aws://123456789012/us-east-1',
    ]);
    expect(bootstraps[1]).toEqual(bootstrapCommand({ ...inputs, region: 'us-east-1' }));
  });
});

describe('npm run bootstrap: branch protection and reviewers', () => {
  // A function: the log's path is only known once beforeAll has run.
  const ready = () => ({ ...signedIn(), FAKE_GH_SIGNED_IN: '1' });

  test('--protect-main and --staging-reviewers / --production-reviewers: reviewers read by id before anything changes, set on each environment, main protected last', async () => {
    const { code, out } = await bootstrap(
      [
        '--repo',
        'maya-ol/footfall',
        '--protect-main',
        '--staging-reviewers',
        'alice, Maya-OL/deployers',
        '--production-reviewers',
        '@alice',
      ],
      ready(),
    );
    expect(out).toContain('✓ footfall can deploy');
    expect(code).toBe(0);
    const ran = (await calls()).filter((call) => call.startsWith('gh api'));
    const at = (call: string) => ran.indexOf(call);
    const firstChange = ran.findIndex((call) => !call.startsWith('gh api --method GET'));
    for (const read of [
      'gh api --method GET users/alice',
      'gh api --method GET orgs/Maya-OL/teams/deployers',
    ]) {
      expect(at(read), read).toBeGreaterThan(-1);
      expect(at(read), read).toBeLessThan(firstChange);
    }
    // Read, then replaced after the environments: the last call to GitHub's API.
    expect(ran.at(-1)).toBe(
      'gh api --method PUT repos/Maya-OL/footfall/branches/main/protection --input -',
    );
    expect(
      at('gh api --method GET repos/Maya-OL/footfall/branches/main/protection'),
    ).toBeGreaterThan(
      at('gh api --method GET repos/Maya-OL/footfall/actions/oidc/customization/sub'),
    );
    const sent = await bodies();
    expect(sent['PUT repos/Maya-OL/footfall/environments/staging']).toEqual({
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
      reviewers: [
        { type: 'User', id: 111 },
        { type: 'Team', id: 222 },
      ],
      prevent_self_review: false,
    });
    expect(sent['PUT repos/Maya-OL/footfall/environments/production']).toMatchObject({
      reviewers: [{ type: 'User', id: 111 }],
    });
    expect(sent['PUT repos/Maya-OL/footfall/branches/main/protection']).toEqual(
      branchProtectionCall('Maya-OL/footfall').body,
    );
    expect(out).not.toContain('Still open');
  });

  test('an already protected main keeps its required checks and its higher review count', async () => {
    const { code } = await bootstrap(['--repo', 'maya-ol/footfall', '--protect-main'], {
      ...ready(),
      FAKE_GH_PROTECTED: '1',
    });
    expect(code).toBe(0);
    expect((await bodies())['PUT repos/Maya-OL/footfall/branches/main/protection']).toMatchObject({
      required_status_checks: { strict: true, checks: [{ context: 'test', app_id: 15368 }] },
      required_pull_request_reviews: { required_approving_review_count: 2 },
      enforce_admins: true,
    });
  });

  test('without the options it protects nothing more, and says what is still open', async () => {
    const { code, out } = await bootstrap(['--repo', 'maya-ol/footfall'], ready());
    expect(code).toBe(0);
    expect((await calls()).join('\n')).not.toContain('/protection');
    expect(out).toContain('What an approval does and does not prevent is in docs/deploy.md');
    expect(out).toContain('run again with --protect-main');
    expect(out).toContain('--production-reviewers');
    expect(out).toContain('--staging-reviewers');
  });

  test('a reviewer GitHub does not know stops the run before anything changes', async () => {
    const result = await bootstrap(
      ['--repo', 'maya-ol/footfall', '--staging-reviewers', 'alice,nobody-here'],
      ready(),
    );
    await expectStopped(result);
    expect(result.out).toContain(
      '• GitHub shows no user nobody-here (reviewer of staging): gh: Not Found (HTTP 404)',
    );
  });

  test('a malformed reviewer, or staging reviewers with staging off, is a problem named by its option', async () => {
    for (const [args, what] of [
      [['--staging-reviewers', 'not a user'], '• --staging-reviewers: "not a user" is neither'],
      [['--production-reviewers', ','], '• --production-reviewers is empty'],
      [
        ['--no-staging', '--staging-reviewers', 'alice'],
        '• --staging-reviewers with staging switched off',
      ],
    ] as const) {
      const result = await bootstrap(['--repo', 'maya-ol/footfall', ...args], ready());
      await expectStopped(result);
      expect(result.out).toContain(what);
    }
  });

  test('without gh signed in, the branch-protection call is among those it prints', async () => {
    const result = await bootstrap(['--repo', 'maya-ol/footfall', '--protect-main'], signedIn());
    await expectStopped(result);
    expect(result.out).toContain(
      'gh api --method PUT repos/maya-ol/footfall/branches/main/protection',
    );
    expect(result.out).toContain('"enforce_admins":true');
  });
});

describe('which repository', () => {
  test('none, the placeholder in any case, or not OWNER/REPO: each says how to give it with --repo', () => {
    expect(repositoryProblem(undefined)?.fix).toMatch(/^pass --repo OWNER\/REPO/);
    for (const repository of ['OWNER/REPO', 'Owner/Repo', 'owner/repo']) {
      expect(repositoryProblem({ source: '--repo', repository })?.what).toBe(
        `--repo "${repository}" is the placeholder from the docs, not a repository`,
      );
    }
    expect(
      repositoryProblem({ source: 'GITHUB_REPOSITORY', repository: 'OWNER/REPO' })?.fix,
    ).toContain('(--repo takes precedence over GITHUB_REPOSITORY)');
    expect(
      repositoryProblem({ source: '--repo', repository: 'https://github.com/a/b' })?.what,
    ).toBe('--repo "https://github.com/a/b" is not a GitHub repository (OWNER/REPO)');
    expect(repositoryProblem({ source: '--repo', repository: 'maya-ol/footfall' })).toBeUndefined();
  });
});

describe('the bootstrap plan', () => {
  const info: RepositoryInfo = {
    full_name: 'Maya-OL/footfall',
    id: 987654321,
    owner: { id: 4242, login: 'Maya-OL' },
  };
  const template = { use_default: false, include_claim_keys: ['repo', 'context', 'repository_id'] };
  const environments = { production: 'production', staging: 'staging' };
  const aws = (identity = trustedIdentity(info, template)) =>
    awsCommands({
      account: '123456789012',
      region: 'eu-north-1',
      partition: 'aws',
      qualifier: 'hnb659fds',
      identity,
      environments,
      outputsFile: '/tmp/outputs.json',
    });
  const flag = (args: readonly string[], name: string) => args[args.indexOf(name) + 1];

  test('it puts the repository id into the OIDC subject, then reads the template back', () => {
    const [put, get] = subjectCalls('Maya-OL/footfall');
    expect(put).toMatchObject({
      method: 'PUT',
      path: 'repos/Maya-OL/footfall/actions/oidc/customization/sub',
      body: { use_default: false, include_claim_keys: ['repo', 'context', 'repository_id'] },
    });
    expect(get).toMatchObject({ method: 'GET', path: put?.path });
  });

  test('the trust carries the repository id, and the owner id where GitHub uses immutable subjects', () => {
    expect(trustedIdentity(info, template)).toEqual({
      repository: 'Maya-OL/footfall',
      repositoryId: '987654321',
    });
    const immutable = trustedIdentity(info, {
      ...template,
      use_immutable_subject: true,
      sub_claim_prefix: 'repo:Maya-OL@4242/footfall@987654321',
    });
    expect(immutable).toEqual({
      repository: 'Maya-OL/footfall',
      repositoryId: '987654321',
      repositoryOwnerId: '4242',
    });
    // GitHub's reported prefix decides, whatever the flag says.
    expect(
      trustedIdentity(info, {
        ...template,
        sub_claim_prefix: 'repo:Maya-OL@4242/footfall@987654321',
      }),
    ).toEqual(immutable);
    expect(
      trustedIdentity(info, {
        ...template,
        use_immutable_subject: true,
        sub_claim_prefix: 'repo:Maya-OL/footfall',
      }),
    ).toEqual({ repository: 'Maya-OL/footfall', repositoryId: '987654321' });
    const deploy = aws(immutable).find((c) => c.args.includes('deploy'));
    expect(deploy?.args).toEqual(
      expect.arrayContaining([
        '-c',
        'repository=Maya-OL/footfall',
        'repositoryId=987654321',
        'repositoryOwnerId=4242',
        'staging=true',
      ]),
    );
    expect(githubSubject(immutable, 'production')).toBe(
      'repo:Maya-OL@4242/footfall@987654321:environment:production:repository_id:987654321',
    );
  });

  test('it refuses to trust a subject GitHub would not issue', () => {
    expect(() => trustedIdentity(info, { use_default: true })).toThrow(/subject template/);
    expect(() =>
      trustedIdentity(info, { use_default: false, include_claim_keys: ['repo', 'context'] }),
    ).toThrow(/subject template/);
    expect(() =>
      trustedIdentity(info, { ...template, sub_claim_prefix: 'repo:someone-else/footfall' }),
    ).toThrow(/begin "repo:someone-else\/footfall"/);
  });

  test('cdk bootstrap gets the scoped execution policy and the boundary, never AdministratorAccess', () => {
    const commands = aws();
    const bootstrap = commands.find((c) => c.args[1] === 'bootstrap');
    expect(bootstrap?.args.slice(0, 3)).toEqual([
      'cdk',
      'bootstrap',
      'aws://123456789012/eu-north-1',
    ]);
    expect(flag(bootstrap?.args ?? [], '--cloudformation-execution-policies')).toBe(
      'arn:aws:iam::123456789012:policy/footfall-hnb659fds-cfn-execution',
    );
    expect(flag(bootstrap?.args ?? [], '--custom-permissions-boundary')).toBe(
      'footfall-hnb659fds-permissions-boundary',
    );
    expect(flag(bootstrap?.args ?? [], '--qualifier')).toBe('hnb659fds');
    expect(JSON.stringify(commands)).not.toContain('AdministratorAccess');
    expect(bootstrap?.args).not.toContain('--trust');
  });

  test('the deploy-access stack (which creates those policies) is deployed before cdk bootstrap uses them', () => {
    const steps = aws().map((c) => [c.command, ...c.args.slice(0, 3)].join(' '));
    expect(steps).toEqual([
      'npm run build',
      'npx cdk deploy FootfallDeployAccess',
      'npx cdk bootstrap aws://123456789012/eu-north-1',
    ]);
  });

  test('with a custom domain or WAF, us-east-1 is bootstrapped the same way, after the app’s region', () => {
    const commands = awsCommands({
      account: '123456789012',
      region: 'eu-north-1',
      partition: 'aws',
      qualifier: 'hnb659fds',
      identity: trustedIdentity(info, template),
      environments,
      outputsFile: '/tmp/outputs.json',
      otherRegions: ['eu-north-1', 'us-east-1'],
    });
    const bootstraps = commands.filter((c) => c.args[1] === 'bootstrap');
    expect(bootstraps.map((c) => c.args[2])).toEqual([
      'aws://123456789012/eu-north-1',
      'aws://123456789012/us-east-1',
    ]);
    for (const bootstrap of bootstraps) {
      expect(flag(bootstrap.args, '--cloudformation-execution-policies')).toBe(
        'arn:aws:iam::123456789012:policy/footfall-hnb659fds-cfn-execution',
      );
      expect(flag(bootstrap.args, '--custom-permissions-boundary')).toBe(
        'footfall-hnb659fds-permissions-boundary',
      );
    }
  });

  test('both environments admit deployments from main only', () => {
    const calls = environmentCalls('Maya-OL/footfall', environments);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'PUT repos/Maya-OL/footfall/environments/staging',
      'POST repos/Maya-OL/footfall/environments/staging/deployment-branch-policies',
      'PUT repos/Maya-OL/footfall/environments/production',
      'POST repos/Maya-OL/footfall/environments/production/deployment-branch-policies',
    ]);
    for (const call of calls) {
      if (call.method === 'PUT') {
        expect(call.body).toEqual({
          deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
        });
      } else {
        expect(call.body).toEqual({ name: 'main', type: 'branch' });
      }
    }
  });

  test('running it again keeps reviewers and wait timers, and adds no second main policy', () => {
    const calls = environmentCalls(
      'Maya-OL/footfall',
      environments,
      {
        production: {
          protection_rules: [
            {
              type: 'required_reviewers',
              prevent_self_review: true,
              reviewers: [{ type: 'User', reviewer: { id: 7 } }],
            },
            { type: 'wait_timer', wait_timer: 5 },
            { type: 'branch_policy' },
          ],
        },
      },
      { production: ['main'] },
    );
    expect(calls.map((c) => `${c.method} ${c.path.split('/').slice(-2).join('/')}`)).toEqual([
      'PUT environments/staging',
      'POST staging/deployment-branch-policies',
      'PUT environments/production',
    ]);
    expect(calls[2]?.body).toEqual({
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
      reviewers: [{ type: 'User', id: 7 }],
      prevent_self_review: true,
      wait_timer: 5,
    });
  });

  test('reviewers asked for replace an environment’s own; the others keep theirs', () => {
    const calls = environmentCalls(
      'a/b',
      environments,
      {
        production: {
          protection_rules: [
            {
              type: 'required_reviewers',
              prevent_self_review: true,
              reviewers: [{ type: 'User', reviewer: { id: 7 } }],
            },
          ],
        },
      },
      {},
      { staging: [{ type: 'Team', id: 9 }] },
    );
    const put = (name: string) =>
      calls.find((c) => c.method === 'PUT' && c.path.endsWith(`/${name}`))?.body;
    expect(put('staging')).toMatchObject({
      reviewers: [{ type: 'Team', id: 9 }],
      prevent_self_review: false,
    });
    expect(put('production')).toMatchObject({
      reviewers: [{ type: 'User', id: 7 }],
      prevent_self_review: true,
    });
  });

  test('main’s protection: a pull request approved by someone other than its last pusher, admins included, no force-push or deletion', () => {
    const call = branchProtectionCall('a/b');
    expect(`${call.method} ${call.path}`).toBe('PUT repos/a/b/branches/main/protection');
    expect(call.body).toEqual({
      required_status_checks: null,
      enforce_admins: true,
      required_pull_request_reviews: {
        required_approving_review_count: 1,
        dismiss_stale_reviews: true,
        require_code_owner_reviews: false,
        require_last_push_approval: true,
      },
      restrictions: null,
      allow_force_pushes: false,
      allow_deletions: false,
    });
  });

  test('reviewer names: users, @users and ORG/TEAM; nothing else; at most six', () => {
    expect(parseReviewers('--x', 'alice, @bob ,my-org/deploy_team')).toEqual({
      reviewers: [
        { type: 'User', login: 'alice' },
        { type: 'User', login: 'bob' },
        { type: 'Team', org: 'my-org', slug: 'deploy_team' },
      ],
      problems: [],
    });
    for (const bad of ['-alice', 'a--b', 'a/b/c', 'al ice', 'a/']) {
      expect(parseReviewers('--x', bad).problems, bad).toHaveLength(1);
    }
    expect(parseReviewers('--x', 'a,b,c,d,e,f,g').problems[0]?.what).toContain('allows 6');
  });

  test('with staging switched off: no staging environment, role or variable', () => {
    const production = { production: 'production' };
    expect(environmentCalls('a/b', production).map((c) => c.path)).not.toContain(
      'repos/a/b/environments/staging',
    );
    const deploy = awsCommands({
      account: '123456789012',
      region: 'eu-north-1',
      partition: 'aws',
      qualifier: 'hnb659fds',
      identity: { repository: 'a/b', repositoryId: '1' },
      environments: production,
      outputsFile: 'o.json',
    })[1];
    expect(deploy?.args).toContain('staging=false');
    const variables = variableCommands(
      'a/b',
      'eu-north-1',
      { ProductionDeployRoleArn: 'arn:p' },
      production,
    );
    expect(variables.map((c) => c.args[2])).toEqual([
      'AWS_REGION',
      'AWS_DEPLOY_ROLE_ARN_PRODUCTION',
    ]);
  });

  test('the variables are the ones the deploy workflow reads', () => {
    const variables = variableCommands(
      'a/b',
      'eu-north-1',
      { ProductionDeployRoleArn: 'arn:p', StagingDeployRoleArn: 'arn:s' },
      environments,
    );
    expect(variables.map(describeCommand)).toEqual([
      'gh variable set AWS_REGION --repo a/b --body eu-north-1',
      'gh variable set AWS_DEPLOY_ROLE_ARN_PRODUCTION --repo a/b --body arn:p',
      'gh variable set AWS_DEPLOY_ROLE_ARN_STAGING --repo a/b --body arn:s',
    ]);
    const deployYml = readFileSync(
      fileURLToPath(new URL('../../../.github/workflows/deploy.yml', import.meta.url)),
      'utf8',
    );
    for (const name of Object.values(WORKFLOW_VARIABLES))
      expect(deployYml).toContain(`vars.${name}`);
    expect(() => variableCommands('a/b', 'r', {}, environments)).toThrow(/did not output/);
  });

  test('an alert e-mail comes with how to confirm its subscription: one a stage, for every alert', () => {
    expect(alertEmailNote('maya@example.com', environments)).toBe(
      'Alarms, the budget and link alerts are e-mailed to maya@example.com. After the first deploy, AWS sends that address two e-mails titled "AWS Notification - Subscription Confirmation", one per stage (staging, production). Click "Confirm subscription" in each, or nothing arrives; an "unsubscribe" link in any of them stops every alert of that stage.',
    );
    expect(alertEmailNote('maya@example.com', { production: 'production' })).toContain(
      'an e-mail titled "AWS Notification - Subscription Confirmation". Click "Confirm subscription" in each',
    );
    expect(NO_ALERT_EMAIL_NOTE).toContain('npm run deploy refuses to deploy without one');
    expect(NO_ALERT_EMAIL_NOTE).toContain('--alert-email you@example.com');
  });

  test('--alert-email goes into cdk.json as one line; the rest of the file stays as it was', () => {
    const cdkJson = readFileSync(
      fileURLToPath(new URL('../../../cdk.json', import.meta.url)),
      'utf8',
    );
    const lines = (text: string) => text.split('\n');
    const written = cdkJsonWithAlertEmail(cdkJson, 'maya@example.com');
    expect(JSON.parse(written).context.alertEmail).toBe('maya@example.com');
    // One line more, first in the context, indented like its neighbours.
    const added = lines(written).filter((line) => !lines(cdkJson).includes(line));
    expect(added).toEqual(['    "alertEmail": "maya@example.com",']);
    expect(lines(written).filter((line) => line !== added[0])).toEqual(lines(cdkJson));

    // The old name is renamed where it stands; an address already there is replaced.
    const old =
      '{\n  "app": "x",\n  "context": {\n    "a": 1,\n    "alarmEmail": "old@example.com"\n  }\n}\n';
    expect(cdkJsonWithAlertEmail(old, 'new@example.com')).toBe(
      '{\n  "app": "x",\n  "context": {\n    "a": 1,\n    "alertEmail": "new@example.com"\n  }\n}\n',
    );
    const set = old.replace('alarmEmail', 'alertEmail');
    expect(cdkJsonWithAlertEmail(set, 'new@example.com')).toBe(
      cdkJsonWithAlertEmail(old, 'new@example.com'),
    );
    // An address that holds a `$` is written as it is.
    expect(JSON.parse(cdkJsonWithAlertEmail(set, 'me+$&$1@example.com')).context.alertEmail).toBe(
      'me+$&$1@example.com',
    );
    // Both names, or no context at all: the file is written out whole, with the new name only.
    const both = old.replace('"a": 1', '"alertEmail": "a@example.com"');
    expect(JSON.parse(cdkJsonWithAlertEmail(both, 'new@example.com'))).toEqual({
      app: 'x',
      context: { alertEmail: 'new@example.com' },
    });
    expect(JSON.parse(cdkJsonWithAlertEmail('{"app": "x"}', 'new@example.com'))).toEqual({
      app: 'x',
      context: { alertEmail: 'new@example.com' },
    });
  });

  test('the Actions checks: nothing to say when all is on or the workflow is not pushed yet', () => {
    const on = { ok: true, body: { enabled: true, allowed_actions: 'all' } } as const;
    expect(actionsProblems('a/b', on, { ok: true, body: { state: 'active' } })).toEqual({
      problems: [],
      warnings: [],
    });
    expect(actionsProblems('a/b', on, { ok: false, said: 'gh: Not Found (HTTP 404)' })).toEqual({
      problems: [],
      warnings: [],
    });
    // An answer without "enabled" tells nothing either way.
    expect(
      actionsProblems('a/b', { ok: true, body: {} }, { ok: true, body: {} }).warnings,
    ).toHaveLength(1);
  });

  test('a call is printed as the gh command that makes it', () => {
    expect(
      describeCall({ method: 'POST', path: 'repos/a/b/x', body: { name: 'main' }, purpose: '' }),
    ).toBe(`gh api --method POST repos/a/b/x --input - <<'JSON'\n{"name":"main"}\nJSON`);
    expect(describeCommand({ command: 'echo', args: ["it's", 'a b'], purpose: '' })).toBe(
      `echo 'it'\\''s' 'a b'`,
    );
  });
});

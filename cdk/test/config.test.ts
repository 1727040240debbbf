import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { countingLimits } from '../../service/src/domain/counting-limits.js';
import { deployDefaults } from '../lib/defaults.js';
import { DeployConfigError, parseDeployConfig } from '../lib/deploy-config.js';

const parse = (context: Record<string, unknown>, env: Record<string, string> = {}) =>
  parseDeployConfig({ context: (key) => context[key], env });

describe('parseDeployConfig', () => {
  test('nothing set gives the documented defaults', () => {
    expect(parse({})).toEqual({
      repository: undefined,
      repositoryId: undefined,
      repositoryOwnerId: undefined,
      environmentName: 'production',
      staging: true,
      allowedOrigins: [],
      domain: undefined,
      throttleRateLimit: deployDefaults.throttleRateLimit,
      throttleBurstLimit: deployDefaults.throttleBurstLimit,
      alertEmail: undefined,
      githubOidcProviderArn: undefined,
      bootstrapQualifier: 'hnb659fds',
      originSecretVersion: 0,
      acceptPreviousOriginSecret: false,
      // Four request units per request of the API's burst (100).
      tableMaxReadRequestUnits: 400,
      tableMaxWriteRequestUnits: 400,
      reservedConcurrency: 0,
      monthlyBudgetUsd: 10,
      wafRateLimit: 0,
      wafSiteRateLimit: 2000,
      // The counting limits as docs/configuration.md documents them: the function's own defaults.
      viewsPerAddressPerDay: 20,
      viewsPerNetworkPerDay: 200,
      newPagesPerAddressPerDay: 50,
      maxPagesPerSite: 10_000,
      excludedAddresses: [],
    });
  });

  test('the per-network limit is ten times the per-address one unless set', () => {
    expect(parse({ viewsPerAddressPerDay: 7 })).toMatchObject({
      viewsPerAddressPerDay: 7,
      viewsPerNetworkPerDay: 70,
    });
    // No per-address limit: no per-network one either, unless one is set.
    expect(parse({ viewsPerAddressPerDay: '0' }).viewsPerNetworkPerDay).toBe(0);
    expect(parse({ viewsPerAddressPerDay: 0, viewsPerNetworkPerDay: 500 })).toMatchObject({
      viewsPerAddressPerDay: 0,
      viewsPerNetworkPerDay: 500,
    });
    // Capped at the per-network bound.
    expect(
      parse({ viewsPerAddressPerDay: countingLimits.viewsPerAddressPerDay.max })
        .viewsPerNetworkPerDay,
    ).toBe(countingLimits.viewsPerNetworkPerDay.max);
  });

  test('context wins; GITHUB_REPOSITORY and GITHUB_REPOSITORY_ID are the fallback for the repository', () => {
    const github = { GITHUB_REPOSITORY: 'maya-ol/footfall', GITHUB_REPOSITORY_ID: '987654321' };
    expect(parse({}, github)).toMatchObject({
      repository: 'maya-ol/footfall',
      repositoryId: '987654321',
    });
    expect(parse({ repository: 'other/repo', repositoryId: 55 }, github)).toMatchObject({
      repository: 'other/repo',
      repositoryId: '55',
    });
  });

  test("the repository's id is required with it, and never taken from another repository's environment", () => {
    expect(() => parse({ repository: 'maya-ol/footfall' })).toThrow(/repositoryId: required/);
    // GITHUB_REPOSITORY_ID belongs to GITHUB_REPOSITORY, not to the repository in cdk.json.
    expect(() =>
      parse({ repository: 'other/repo' }, { GITHUB_REPOSITORY_ID: '987654321' }),
    ).toThrow(/repositoryId: required/);
    expect(() => parse({}, { GITHUB_REPOSITORY: 'maya-ol/footfall' })).toThrow(
      /repositoryId: required/,
    );
  });

  test('alarmEmail, the old name of alertEmail, still works, and says once that it is now alertEmail', () => {
    const said: string[] = [];
    const config = parseDeployConfig({
      context: (key) => ({ alarmEmail: 'me@example.com' })[key],
      env: {},
      warn: (line) => said.push(line),
    });
    expect(config.alertEmail).toBe('me@example.com');
    expect(said).toEqual([
      "deploy setting alarmEmail is now alertEmail (it carries link alerts too): rename it in cdk.json's context; the old name still works",
    ]);
    // The new name alone, or both names with one address: nothing more to say, or the same line.
    const quiet: string[] = [];
    parseDeployConfig({
      context: (key) => ({ alertEmail: 'me@example.com' })[key],
      env: {},
      warn: (line) => quiet.push(line),
    });
    expect(quiet).toEqual([]);
    expect(parse({ alarmEmail: 'me@example.com', alertEmail: 'me@example.com' }).alertEmail).toBe(
      'me@example.com',
    );
    // A refused configuration says what to fix, not what to rename.
    const refused: string[] = [];
    expect(() =>
      parseDeployConfig({
        context: (key) => ({ alarmEmail: 'me@example.com', throttleRateLimit: 0 })[key],
        env: {},
        warn: (line) => refused.push(line),
      }),
    ).toThrow(DeployConfigError);
    expect(refused).toEqual([]);
  });

  test('staging is on unless switched off', () => {
    expect(parse({ staging: false }).staging).toBe(false);
    expect(parse({ staging: 'false' }).staging).toBe(false);
    expect(parse({ staging: 'true' }).staging).toBe(true);
  });

  test('reads every setting', () => {
    const config = parse({
      repository: 'maya-ol/footfall',
      repositoryId: '987654321',
      repositoryOwnerId: '4242',
      environmentName: 'prod-eu',
      allowedOrigins: ['https://blog.example.com', 'https://Me.example.com/'],
      domainName: 'Resume.Example.com',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      hostedZoneName: 'example.com',
      throttleRateLimit: '20',
      throttleBurstLimit: 40,
      alertEmail: 'me@example.com',
      githubOidcProviderArn:
        'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      bootstrapQualifier: 'abc123',
      viewsPerAddressPerDay: 30,
      viewsPerNetworkPerDay: '90',
      newPagesPerAddressPerDay: ' 5 ',
      maxPagesPerSite: 100_000,
      excludedAddresses: ['203.0.113.7', ' 2001:db8:1::/48', ''],
    });
    expect(config).toMatchObject({
      repository: 'maya-ol/footfall',
      repositoryId: '987654321',
      repositoryOwnerId: '4242',
      environmentName: 'prod-eu',
      allowedOrigins: ['https://blog.example.com', 'https://me.example.com'],
      domain: {
        name: 'resume.example.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        zoneName: 'example.com',
      },
      throttleRateLimit: 20,
      throttleBurstLimit: 40,
      alertEmail: 'me@example.com',
      bootstrapQualifier: 'abc123',
      viewsPerAddressPerDay: 30,
      viewsPerNetworkPerDay: 90,
      newPagesPerAddressPerDay: 5,
      maxPagesPerSite: 100_000,
      excludedAddresses: ['203.0.113.7', '2001:db8:1::/48'],
    });
    expect(
      parse({ allowedOrigins: 'https://a.example, https://b.example' }).allowedOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
    // Commas separate entries inside cdk.json's list too, as the separator advice says.
    expect(
      parse({ allowedOrigins: ['https://a.example,https://b.example', 'https://c.example'] })
        .allowedOrigins,
    ).toEqual(['https://a.example', 'https://b.example', 'https://c.example']);
    expect(
      parse({ excludedAddresses: '198.51.100.0/24, ::ffff:192.0.2.1,2001:db8::1' })
        .excludedAddresses,
    ).toEqual(['198.51.100.0/24', '::ffff:192.0.2.1', '2001:db8::1']);
  });

  test.each([
    [{ repository: 'not a repo' }, 'repository'],
    [{ repository: 'owner/repo/extra' }, 'repository'],
    [{ environmentName: 'has space' }, 'environmentName'],
    [{ allowedOrigins: ['https://ok.example', 'https://bad.example/path'] }, 'allowedOrigins'],
    // The same parser, and the same advice, as the Lambda's ALLOWED_ORIGINS.
    [
      { allowedOrigins: ['blog.example.com'] },
      'allowedOrigins: "blog.example.com" is not an origin: write https://blog.example.com',
    ],
    [
      { allowedOrigins: ['https://*.example.com'] },
      'allowedOrigins: "https://*.example.com": wildcards are not allowed; list each site, like https://blog.example.com',
    ],
    [
      { allowedOrigins: 'https://blog.example.com;https://x.example' },
      'allowedOrigins: "https://blog.example.com;https://x.example" separates origins with ";": use commas, like https://blog.example.com,https://x.example',
    ],
    [
      { domainName: 'resume.example.com' },
      'domainName, hostedZoneId and hostedZoneName go together',
    ],
    [
      { domainName: 'resume.other.com', hostedZoneId: 'Z1', hostedZoneName: 'example.com' },
      'not inside',
    ],
    [
      { domainName: 'not_a_domain', hostedZoneId: 'Z1', hostedZoneName: 'example.com' },
      'domainName',
    ],
    [
      { hostedZoneId: 'lowercase', domainName: 'a.example.com', hostedZoneName: 'example.com' },
      'hostedZoneId',
    ],
    [{ throttleRateLimit: 0 }, 'throttleRateLimit'],
    [{ throttleBurstLimit: 'lots' }, 'throttleBurstLimit'],
    [{ alertEmail: 'nobody' }, 'alertEmail: "nobody" is not an email address'],
    // The old name is checked as it is written.
    [{ alarmEmail: 'nobody' }, 'alarmEmail: "nobody" is not an email address'],
    [
      { alarmEmail: 'old@example.com', alertEmail: 'new@example.com' },
      'alarmEmail: the old name of alertEmail, and both are set to different addresses: keep alertEmail only',
    ],
    [
      { githubOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/example.com' },
      'githubOidcProviderArn',
    ],
    [{ bootstrapQualifier: 'Has-Caps' }, 'bootstrapQualifier'],
    [{ repository: 'maya-ol/footfall', repositoryId: '12ab' }, 'repositoryId'],
    [{ repository: 'maya-ol/footfall', repositoryId: '0' }, 'repositoryId'],
    [{ repositoryOwnerId: 'me' }, 'repositoryOwnerId'],
    [{ staging: 'maybe' }, 'staging'],
    [{ environmentName: 42 }, 'environmentName'],
    // The counting limits: the function's own parser and bounds, and its words.
    [
      { viewsPerAddressPerDay: 'lots' },
      'viewsPerAddressPerDay: "lots" is not a whole number of views from 0 to 1000000, 0 for no limit',
    ],
    [{ viewsPerAddressPerDay: -1 }, 'viewsPerAddressPerDay'],
    [{ viewsPerAddressPerDay: 2.5 }, 'viewsPerAddressPerDay'],
    [{ viewsPerAddressPerDay: 1_000_001 }, 'viewsPerAddressPerDay'],
    [{ viewsPerAddressPerDay: true }, 'viewsPerAddressPerDay'],
    [{ viewsPerNetworkPerDay: '1e3' }, 'viewsPerNetworkPerDay'],
    [{ viewsPerNetworkPerDay: 10_000_001 }, 'viewsPerNetworkPerDay: "10000001"'],
    [
      { newPagesPerAddressPerDay: 'fifty' },
      'newPagesPerAddressPerDay: "fifty" is not a whole number of pages',
    ],
    [{ newPagesPerAddressPerDay: 1_000_001 }, 'newPagesPerAddressPerDay'],
    [
      { maxPagesPerSite: 0 },
      'maxPagesPerSite: "0" is not a whole number of pages from 1 to 100000',
    ],
    [{ maxPagesPerSite: '100001' }, 'maxPagesPerSite'],
    [
      { excludedAddresses: '203.0.113.0/33' },
      'excludedAddresses: "203.0.113.0/33" is not an IP address or CIDR range',
    ],
    [{ excludedAddresses: ['2001:db8::/129'] }, 'excludedAddresses: "2001:db8::/129"'],
    [{ excludedAddresses: ['my-laptop'] }, 'excludedAddresses: "my-laptop"'],
    [{ excludedAddresses: '203.0.113.7/24/1' }, 'excludedAddresses'],
  ])('refuses %j, naming it', (context, message) => {
    expect(() => parse(context)).toThrow(DeployConfigError);
    expect(() => parse(context)).toThrow(message);
  });

  test('names every bad value at once', () => {
    expect(() => parse({ repository: 'x', alertEmail: 'y', throttleRateLimit: -1 })).toThrow(
      /repository[\s\S]*throttleRateLimit[\s\S]*alertEmail/,
    );
    const problems = (() => {
      try {
        parse({
          viewsPerAddressPerDay: 'x',
          viewsPerNetworkPerDay: -2,
          newPagesPerAddressPerDay: 1.5,
          maxPagesPerSite: 0,
          excludedAddresses: ['10.0.0.0/8', 'bad-1', '192.0.2.1', 'bad-2'],
        });
      } catch (error) {
        return (error as Error).message.split('\n').slice(1);
      }
      return [];
    })();
    expect(problems.map((line) => line.trim().split(':')[0])).toEqual([
      'viewsPerAddressPerDay',
      'viewsPerNetworkPerDay',
      'newPagesPerAddressPerDay',
      'maxPagesPerSite',
      'excludedAddresses',
      'excludedAddresses',
    ]);
    expect(problems.join('\n')).toMatch(/"bad-1"[\s\S]*"bad-2"/);
  });
});

describe('cdk.json', () => {
  test('holds only what differs from the deploy defaults', async () => {
    const { readFile } = await import('node:fs/promises');
    const cdkJson = JSON.parse(await readFile(new URL('../../cdk.json', import.meta.url), 'utf8'));
    const context = cdkJson.context as Record<string, unknown>;
    for (const [key, value] of Object.entries(deployDefaults)) {
      expect(context[key], `cdk.json repeats the default ${key}`).not.toEqual(value);
    }
    // The counting limits' defaults are the function's (service/src/config.ts).
    const defaults = parse({});
    for (const key of [
      'viewsPerAddressPerDay',
      'viewsPerNetworkPerDay',
      'newPagesPerAddressPerDay',
      'maxPagesPerSite',
    ] as const) {
      expect(context[key], `cdk.json repeats the default ${key}`).not.toEqual(defaults[key]);
    }
    // And whatever it sets is a valid configuration.
    expect(() => parse(context)).not.toThrow();
  });
});

describe('allowedOrigins as docs/configuration.md writes it', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

  test('on the command line: every `-c allowedOrigins=…` it shows, as the CDK CLI hands it over', () => {
    const flags = [...doc.matchAll(/-c (allowedOrigins=\S+)/g)].map((match) => match[1] ?? '');
    expect(flags).toContain('allowedOrigins=https://blog.example.com,https://other.example');
    for (const flag of flags) {
      // `cdk -c key=value` splits at the first "=" and passes the rest as one string.
      const [key = '', value] = flag.split(/=(.*)/s, 2);
      expect(parse({ [key]: value }).allowedOrigins).toEqual([
        'https://blog.example.com',
        'https://other.example',
      ]);
    }
  });

  test("in cdk.json's context: its line, as JSON", () => {
    const line = doc.match(/^"allowedOrigins": .*$/m)?.[0];
    expect(line).toBe('"allowedOrigins": ["https://blog.example.com"]');
    const context = JSON.parse(`{${line}}`) as Record<string, unknown>;
    expect(parse(context).allowedOrigins).toEqual(['https://blog.example.com']);
  });
});

describe('the counting limits as docs/configuration.md writes them', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const expected = {
    viewsPerAddressPerDay: 50,
    // Following the per-address limit.
    viewsPerNetworkPerDay: 500,
    excludedAddresses: ['203.0.113.7', '2001:db8:1::/48'],
  };

  test('on the command line: its `-c` flags, as the CDK CLI hands them over', () => {
    const line = doc.match(/^npm run deploy -- -c viewsPerAddressPerDay=.*$/m)?.[0] ?? '';
    const flags = [...line.matchAll(/-c (\S+)/g)].map((match) => match[1] ?? '');
    expect(flags).toHaveLength(2);
    // `cdk -c key=value` splits at the first "=" and passes the rest as one string.
    const context = Object.fromEntries(flags.map((flag) => flag.split(/=(.*)/s, 2)));
    expect(parse(context)).toMatchObject(expected);
  });

  test("in cdk.json's context: its lines, as JSON", () => {
    const lines = doc.match(/^"viewsPerAddressPerDay": .*\n"excludedAddresses": .*$/m)?.[0];
    expect(lines).toBeDefined();
    expect(parse(JSON.parse(`{${lines}}`) as Record<string, unknown>)).toMatchObject(expected);
  });

  test('every limit variable in the Configuration table names its deploy setting', () => {
    for (const [variable, setting] of [
      ['VIEWS_PER_ADDRESS_PER_DAY', 'viewsPerAddressPerDay'],
      ['VIEWS_PER_NETWORK_PER_DAY', 'viewsPerNetworkPerDay'],
      ['NEW_PAGES_PER_ADDRESS_PER_DAY', 'newPagesPerAddressPerDay'],
      ['MAX_PAGES_PER_SITE', 'maxPagesPerSite'],
      ['EXCLUDED_ADDRESSES', 'excludedAddresses'],
    ]) {
      const row = doc.match(new RegExp(`^\\| \`${variable}\` \\|.*$`, 'm'))?.[0];
      expect(row, variable).toContain(`deploy setting \`${setting}\``);
    }
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { DeployConfigError, parseDeployConfig } from '../lib/config.js';
import { deployDefaults } from '../lib/defaults.js';

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
      alarmEmail: undefined,
      githubOidcProviderArn: undefined,
      bootstrapQualifier: 'hnb659fds',
      acceptPreviousOriginSecret: false,
      // Four request units per request of the API's burst (100).
      tableMaxReadRequestUnits: 400,
      tableMaxWriteRequestUnits: 400,
      reservedConcurrency: 0,
      monthlyBudgetUsd: 10,
      wafRateLimit: 0,
    });
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
      alarmEmail: 'me@example.com',
      githubOidcProviderArn:
        'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      bootstrapQualifier: 'abc123',
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
      alarmEmail: 'me@example.com',
      bootstrapQualifier: 'abc123',
    });
    expect(
      parse({ allowedOrigins: 'https://a.example, https://b.example' }).allowedOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
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
    [{ alarmEmail: 'nobody' }, 'alarmEmail'],
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
  ])('refuses %j, naming it', (context, message) => {
    expect(() => parse(context)).toThrow(DeployConfigError);
    expect(() => parse(context)).toThrow(message);
  });

  test('names every bad value at once', () => {
    expect(() => parse({ repository: 'x', alarmEmail: 'y', throttleRateLimit: -1 })).toThrow(
      /repository[\s\S]*throttleRateLimit[\s\S]*alarmEmail/,
    );
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
    // And whatever it sets is a valid configuration.
    expect(() => parse(context)).not.toThrow();
  });
});

describe('allowedOrigins as the README writes it', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  test('on the command line: every `-c allowedOrigins=…` the README shows, as the CDK CLI hands it over', () => {
    const flags = [...readme.matchAll(/-c (allowedOrigins=\S+)/g)].map((match) => match[1] ?? '');
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

  test("in cdk.json's context: the README's line, as JSON", () => {
    const line = readme.match(/^"allowedOrigins": .*$/m)?.[0];
    expect(line).toBe('"allowedOrigins": ["https://blog.example.com"]');
    const context = JSON.parse(`{${line}}`) as Record<string, unknown>;
    expect(parse(context).allowedOrigins).toEqual(['https://blog.example.com']);
  });
});

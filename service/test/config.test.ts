import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  test('an empty environment gives the documented defaults', () => {
    const { excludedAddresses, ...rest } = loadConfig({});
    expect(rest).toEqual({
      tableName: 'footfall',
      visitsTableName: 'footfall-visits',
      dynamodbEndpoint: undefined,
      allowedOrigins: [],
      port: 8787,
      host: '127.0.0.1',
      dataDir: '.data',
      viewsPerAddressPerDay: 20,
      viewsPerNetworkPerDay: 200,
      newPagesPerAddressPerDay: 50,
      maxPagesPerSite: 10_000,
      originSecrets: [],
    });
    expect(excludedAddresses.size).toBe(0);
  });

  test('reads every variable', () => {
    const { excludedAddresses, ...rest } = loadConfig({
      TABLE_NAME: 'Footfall-Table.1',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      ALLOWED_ORIGINS: ' https://a.example , https://B.example:8443/ ,',
      PORT: '0',
      HOST: '0.0.0.0',
      FOOTFALL_DATA_DIR: '/tmp/footfall',
      VIEWS_PER_ADDRESS_PER_DAY: '0',
      VIEWS_PER_NETWORK_PER_DAY: '500',
      NEW_PAGES_PER_ADDRESS_PER_DAY: '0',
      MAX_PAGES_PER_SITE: '25',
      VISITS_TABLE_NAME: 'Footfall-Visits',
      EXCLUDED_ADDRESSES: '198.51.100.0/24, 2001:db8:1::/48,203.0.113.9',
    });
    expect(rest).toEqual({
      tableName: 'Footfall-Table.1',
      visitsTableName: 'Footfall-Visits',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      allowedOrigins: ['https://a.example', 'https://b.example:8443'],
      port: 0,
      host: '0.0.0.0',
      dataDir: '/tmp/footfall',
      viewsPerAddressPerDay: 0,
      viewsPerNetworkPerDay: 500,
      newPagesPerAddressPerDay: 0,
      maxPagesPerSite: 25,
      originSecrets: [],
    });
    expect(excludedAddresses.size).toBe(3);
    for (const inside of [
      '198.51.100.77',
      '2001:db8:1:ffff::1',
      '203.0.113.9',
      '::ffff:198.51.100.1',
    ]) {
      expect(excludedAddresses.has(inside), inside).toBe(true);
    }
    for (const outside of ['198.51.101.1', '2001:db8:2::1', '203.0.113.10', 'not an address']) {
      expect(excludedAddresses.has(outside), outside).toBe(false);
    }
  });

  test.each([
    ['10.0.0.0/33'],
    ['2001:db8::/129'],
    ['example.com'],
    ['10.0.0.1/8/1'],
    ['10.0.0.0/x'],
  ])('EXCLUDED_ADDRESSES with %s stops start-up, naming the variable and the entry', (entry) => {
    expect(() => loadConfig({ EXCLUDED_ADDRESSES: `203.0.113.1,${entry}` })).toThrow(
      new RegExp(`EXCLUDED_ADDRESSES: "${entry.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`),
    );
  });

  test('ORIGIN_SECRETS takes the current secret and, while rotating, the previous one', () => {
    const current = 'c'.repeat(48);
    const previous = 'p'.repeat(48);
    expect(loadConfig({ ORIGIN_SECRETS: `${current}, ${previous}` }).originSecrets).toEqual([
      current,
      previous,
    ]);
    expect(() => loadConfig({ ORIGIN_SECRETS: 'short' })).toThrow(/ORIGIN_SECRETS.*32/);
  });

  test.each([['-1'], ['1.5'], ['lots']])('VIEWS_PER_ADDRESS_PER_DAY=%s is refused', (value) => {
    expect(() => loadConfig({ VIEWS_PER_ADDRESS_PER_DAY: value })).toThrow(
      /VIEWS_PER_ADDRESS_PER_DAY/,
    );
  });

  test('the per-network limit follows the per-address limit unless it is set', () => {
    expect(loadConfig({ VIEWS_PER_ADDRESS_PER_DAY: '7' }).viewsPerNetworkPerDay).toBe(70);
    expect(loadConfig({ VIEWS_PER_ADDRESS_PER_DAY: '0' }).viewsPerNetworkPerDay).toBe(0);
    expect(
      loadConfig({ VIEWS_PER_ADDRESS_PER_DAY: '7', VIEWS_PER_NETWORK_PER_DAY: '0' })
        .viewsPerNetworkPerDay,
    ).toBe(0);
  });

  test.each([
    ['VIEWS_PER_NETWORK_PER_DAY', '-5', 'views from 0 to 10000000, 0 for no limit'],
    ['NEW_PAGES_PER_ADDRESS_PER_DAY', 'many', 'pages from 0 to 1000000, 0 for no limit'],
    ['MAX_PAGES_PER_SITE', '0', 'pages from 1 to 100000'],
    ['MAX_PAGES_PER_SITE', '100001', 'pages from 1 to 100000'],
  ])('%s=%s is refused with its range', (name, value, range) => {
    expect(() => loadConfig({ [name]: value })).toThrow(
      `invalid configuration: ${name}: "${value}" is not a whole number of ${range}`,
    );
  });

  test('names every bad variable in one error', () => {
    const bad = () =>
      loadConfig({
        TABLE_NAME: 'no spaces allowed',
        DYNAMODB_ENDPOINT: 'localhost:8000',
        ALLOWED_ORIGINS: 'https://ok.example,https://site.example/path',
        PORT: '80a',
      });
    expect(bad).toThrow(ConfigError);
    // One line: an entry point prints it as it is, with nothing else.
    expect(bad).toThrow(
      /^invalid configuration: TABLE_NAME[^\n]*; DYNAMODB_ENDPOINT[^\n]*; ALLOWED_ORIGINS[^\n]*site\.example\/path[^\n]*; PORT[^\n]*$/,
    );
  });

  test.each([['65536'], ['-1'], ['1.5']])('PORT=%s is refused', (port) => {
    expect(() => loadConfig({ PORT: port })).toThrow(/PORT/);
  });

  test.each([['*'], ['ftp://files.example'], ['example.com']])(
    'ALLOWED_ORIGINS=%s is refused',
    (origin) => {
      expect(() => loadConfig({ ALLOWED_ORIGINS: origin })).toThrow(/ALLOWED_ORIGINS/);
    },
  );

  test.each([
    ['blog.example.com', 'https://blog.example.com'],
    ['https://blog.example.com/path', 'https://blog.example.com'],
    ['https://blog.example.com/?from=me', 'https://blog.example.com'],
    ['https://blog.example.com:443', 'https://blog.example.com'],
    ['ftp://files.example', 'https://files.example'],
    ['localhost:3000', 'http://localhost:3000'],
  ])('ALLOWED_ORIGINS=%s is refused with the origin it means, %s', (entry, meant) => {
    expect(() => loadConfig({ ALLOWED_ORIGINS: `https://ok.example,${entry}` })).toThrow(
      `invalid configuration: ALLOWED_ORIGINS: "${entry}" is not an origin: write ${meant}`,
    );
  });

  test('every bad ALLOWED_ORIGINS entry is named, and an entry with nothing to go on gets the form', () => {
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'a.example, https://' })).toThrow(
      'ALLOWED_ORIGINS: "a.example" is not an origin: write https://a.example; "https://" is not an origin: write it as https://host or http://host:port, without a path',
    );
  });

  // No browser sends a wildcard: accepted, it would answer every embedding site with a 403.
  test.each([
    ['https://*.example.com', 'https://blog.example.com'],
    ['*.example.com', 'https://blog.example.com'],
    ['http://*.example.com:8080', 'http://blog.example.com:8080'],
    ['*', 'https://blog.example.com'],
    ['https://blog.*', 'https://blog.example.com'],
  ])('ALLOWED_ORIGINS=%s is refused: each site must be listed, like %s', (entry, site) => {
    expect(() => loadConfig({ ALLOWED_ORIGINS: `https://ok.example,${entry}` })).toThrow(
      `invalid configuration: ALLOWED_ORIGINS: "${entry}": wildcards are not allowed; list each site, like ${site}`,
    );
  });

  test.each([
    ['https://blog.example.com;https://x.example', '";"'],
    ['https://blog.example.com; https://x.example', '";"'],
    ['https://blog.example.com|https://x.example', '"|"'],
    ['https://blog.example.com https://x.example', 'spaces'],
    ['blog.example.com x.example', 'spaces'],
  ])('ALLOWED_ORIGINS=%s names its separator, %s, and asks for commas', (raw, separator) => {
    expect(() => loadConfig({ ALLOWED_ORIGINS: raw })).toThrow(
      `invalid configuration: ALLOWED_ORIGINS: "${raw}" separates origins with ${separator}: use commas, like https://blog.example.com,https://x.example`,
    );
  });

  test.each([['https://blog.example.com;x'], ['https://blog example.com']])(
    'ALLOWED_ORIGINS=%s is one bad entry, not a list: it is not read as one',
    (raw) => {
      expect(() => loadConfig({ ALLOWED_ORIGINS: raw })).toThrow(/is not an origin/);
    },
  );
});

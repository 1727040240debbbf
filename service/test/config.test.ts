import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  test('an empty environment gives the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      tableName: 'footfall',
      dynamodbEndpoint: undefined,
      allowedOrigins: [],
      port: 8787,
      host: '127.0.0.1',
      dataDir: '.data',
    });
  });

  test('reads every variable', () => {
    expect(
      loadConfig({
        TABLE_NAME: 'Footfall-Table.1',
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
        ALLOWED_ORIGINS: ' https://a.example , https://B.example:8443/ ,',
        PORT: '0',
        HOST: '0.0.0.0',
        FOOTFALL_DATA_DIR: '/tmp/footfall',
      }),
    ).toEqual({
      tableName: 'Footfall-Table.1',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      allowedOrigins: ['https://a.example', 'https://b.example:8443'],
      port: 0,
      host: '0.0.0.0',
      dataDir: '/tmp/footfall',
    });
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
    expect(bad).toThrow(
      /TABLE_NAME.*\n.*DYNAMODB_ENDPOINT.*\n.*ALLOWED_ORIGINS.*site\.example\/path.*\n.*PORT/,
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
});

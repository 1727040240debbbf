import { table } from './db/table.js';
import { AddressList } from './visitor.js';

/** footfall's settings, parsed and validated once by an entry point. */
export interface Config {
  /** DynamoDB table holding the counters. */
  readonly tableName: string;
  /** Endpoint override (dynalite, DynamoDB Local); `undefined` means real AWS. */
  readonly dynamodbEndpoint: string | undefined;
  /** Origins granted CORS; empty means same-origin only. */
  readonly allowedOrigins: readonly string[];
  /** Dev server port (0 picks a free one). */
  readonly port: number;
  /** Dev server interface. */
  readonly host: string;
  /** Where the dev server's dynalite keeps its data. */
  readonly dataDir: string;
  /** Views one address may add to one page in a UTC day; 0: no limit. */
  readonly viewsPerAddressPerDay: number;
  /** Addresses and ranges whose POSTs are never counted. */
  readonly excludedAddresses: AddressList;
  /** Secrets CloudFront sends in its origin header; empty: no check (local runs). ADR 9. */
  readonly originSecrets: readonly string[];
}

/** A setting that cannot be used; the message names every variable at fault. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

// DynamoDB's own rule for table names.
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** Parses the environment; throws one ConfigError listing every bad variable. */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const read = <T>(name: string, fallback: T, parse: (raw: string) => T): T => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    try {
      return parse(raw);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
      return fallback;
    }
  };

  const config: Config = {
    tableName: read('TABLE_NAME', table.defaultName, (raw) => {
      if (!TABLE_NAME.test(raw)) {
        throw new Error(`"${raw}" is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`);
      }
      return raw;
    }),
    dynamodbEndpoint: read('DYNAMODB_ENDPOINT', undefined, (raw) => {
      const url = parseUrl(raw);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new Error(`"${raw}" must be an http:// or https:// URL`);
      }
      return raw;
    }),
    allowedOrigins: read('ALLOWED_ORIGINS', [], (raw) =>
      raw
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
        .map(parseOrigin),
    ),
    port: read('PORT', 8787, (raw) => {
      const port = Number(raw);
      if (!/^\d+$/.test(raw) || port > 65535) {
        throw new Error(`"${raw}" is not a port number (0-65535)`);
      }
      return port;
    }),
    host: read('HOST', '127.0.0.1', (raw) => raw),
    dataDir: read('FOOTFALL_DATA_DIR', '.data', (raw) => raw),
    viewsPerAddressPerDay: read('VIEWS_PER_ADDRESS_PER_DAY', 20, (raw) => {
      const views = Number(raw);
      if (!/^\d+$/.test(raw) || views > 1_000_000) {
        throw new Error(`"${raw}" is not a whole number of views (0 for no limit)`);
      }
      return views;
    }),
    excludedAddresses: read('EXCLUDED_ADDRESSES', new AddressList([]), (raw) => {
      const entries = raw
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
      return new AddressList(entries);
    }),
    originSecrets: read('ORIGIN_SECRETS', [] as string[], parseOriginSecrets),
  };

  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return config;
}

/**
 * `ORIGIN_SECRETS`: comma-separated, each at least 32 characters. Exported for the pre-traffic
 * hook, which is given the function's own value and must read it the same way.
 */
export function parseOriginSecrets(raw: string): string[] {
  const secrets = raw
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
  if (secrets.some((secret) => secret.length < 32)) {
    throw new Error('each secret must be at least 32 characters');
  }
  return secrets;
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new Error(`"${raw}" is not a URL`);
  }
}

/** An origin is scheme://host[:port] and nothing more; browsers send it in that exact form. */
export function parseOrigin(raw: string): string {
  const url = parseUrl(raw);
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.origin !== raw.replace(/\/$/, '').toLowerCase()
  ) {
    throw new Error(`"${raw}" is not an origin like https://example.com`);
  }
  return url.origin;
}

import { table, visitsTable } from './db/table.js';
import { countingLimits, defaultViewsPerNetwork } from './domain/counting-limits.js';
import { AddressList } from './domain/visitor.js';

/** footfall's settings, parsed and validated once by an entry point. */
export interface Config {
  /** DynamoDB table holding the counters. */
  readonly tableName: string;
  /** DynamoDB table holding the day's salts, visitor and limit records (TTL, no backups). */
  readonly visitsTableName: string;
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
  /** Views one IPv6 /48 may add to one page in a UTC day; 0: no limit. */
  readonly viewsPerNetworkPerDay: number;
  /** Page counters one address may create in a UTC day; 0: no limit. */
  readonly newPagesPerAddressPerDay: number;
  /** Page counters one site may hold. */
  readonly maxPagesPerSite: number;
  /** Addresses and ranges whose POSTs are never counted. */
  readonly excludedAddresses: AddressList;
  /** Secrets CloudFront sends in its origin header; empty: no check (local runs). ADR 9. */
  readonly originSecrets: readonly string[];
  /** SNS topic the owner is told of application-link opens through; none: a log line only. */
  readonly alertTopicArn: string | undefined;
  /** Dev server only: the country to record for local requests (`FOOTFALL_DEV_COUNTRY`). */
  readonly devCountry: string | undefined;
}

/** A setting that cannot be used; the message names every variable at fault. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

// DynamoDB's own rule for table names.
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** Parses the environment; throws one ConfigError, on one line, listing every bad variable. */
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

  const tableNameOf = (raw: string) => {
    if (!TABLE_NAME.test(raw)) {
      throw new Error(`"${raw}" is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`);
    }
    return raw;
  };
  const tableName = read('TABLE_NAME', table.defaultName, tableNameOf);
  const viewsPerAddressPerDay = read(
    'VIEWS_PER_ADDRESS_PER_DAY',
    countingLimits.viewsPerAddressPerDay.default,
    (raw) => parseLimit(raw, countingLimits.viewsPerAddressPerDay),
  );

  const config: Config = {
    tableName,
    visitsTableName: read('VISITS_TABLE_NAME', visitsTable.defaultNameFor(tableName), tableNameOf),
    dynamodbEndpoint: read('DYNAMODB_ENDPOINT', undefined, (raw) => {
      const url = parseUrl(raw);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new Error(`"${raw}" must be an http:// or https:// URL`);
      }
      return raw;
    }),
    allowedOrigins: read('ALLOWED_ORIGINS', [], (raw) => {
      const origins: string[] = [];
      const wrong: string[] = [];
      for (const entry of raw.split(',').map((part) => part.trim())) {
        if (entry === '') continue;
        try {
          origins.push(parseOrigin(entry));
        } catch (error) {
          wrong.push((error as Error).message);
        }
      }
      if (wrong.length > 0) throw new Error(wrong.join('; '));
      return origins;
    }),
    port: read('PORT', 8787, (raw) => {
      const port = Number(raw);
      if (!/^\d+$/.test(raw) || port > 65535) {
        throw new Error(`"${raw}" is not a port number (0-65535)`);
      }
      return port;
    }),
    host: read('HOST', '127.0.0.1', (raw) => raw),
    dataDir: read('FOOTFALL_DATA_DIR', '.data', (raw) => raw),
    viewsPerAddressPerDay,
    viewsPerNetworkPerDay: read(
      'VIEWS_PER_NETWORK_PER_DAY',
      defaultViewsPerNetwork(viewsPerAddressPerDay),
      (raw) => parseLimit(raw, countingLimits.viewsPerNetworkPerDay),
    ),
    newPagesPerAddressPerDay: read(
      'NEW_PAGES_PER_ADDRESS_PER_DAY',
      countingLimits.newPagesPerAddressPerDay.default,
      (raw) => parseLimit(raw, countingLimits.newPagesPerAddressPerDay),
    ),
    maxPagesPerSite: read('MAX_PAGES_PER_SITE', countingLimits.maxPagesPerSite.default, (raw) =>
      parseLimit(raw, countingLimits.maxPagesPerSite),
    ),
    excludedAddresses: read('EXCLUDED_ADDRESSES', new AddressList([]), parseAddressList),
    originSecrets: read('ORIGIN_SECRETS', [] as string[], parseOriginSecrets),
    alertTopicArn: read('ALERT_TOPIC_ARN', undefined as string | undefined, (raw) => {
      if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(raw)) {
        throw new Error(`"${raw}" is not an SNS topic ARN`);
      }
      return raw;
    }),
    devCountry: read('FOOTFALL_DEV_COUNTRY', undefined as string | undefined, (raw) => {
      if (!/^[A-Z]{2}$/.test(raw)) {
        throw new Error(`"${raw}" is not a two-letter country code in capitals (DE, US, JP)`);
      }
      return raw;
    }),
  };

  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return config;
}

/**
 * A limit: a whole number from `min` (default 0, which means no limit) to `max`. Exported for the
 * deploy settings, which take the same values.
 */
export function parseLimit(
  raw: string,
  { min, max, of }: { readonly min: number; readonly max: number; readonly of: string },
): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    const none = min === 0 ? ', 0 for no limit' : '';
    throw new Error(`"${raw}" is not a whole number of ${of} from ${min} to ${max}${none}`);
  }
  return value;
}

/** `EXCLUDED_ADDRESSES`: comma-separated addresses and CIDR ranges. Exported for the deploy settings. */
export function parseAddressList(raw: string): AddressList {
  return new AddressList(
    raw
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
  );
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

/**
 * An origin is scheme://host[:port] and nothing more; browsers send it in that exact form. A
 * mistaken entry is refused with the origin it probably meant (`blog.example.com`,
 * `https://blog.example.com/path` → `https://blog.example.com`); a wildcard, which no browser
 * sends, and origins run together with something other than a comma are refused with how to
 * write them instead.
 */
export function parseOrigin(raw: string): string {
  const together = separatedOrigins(raw);
  if (together) {
    throw new Error(
      `"${raw}" separates origins with ${together.separator}: use commas, like ${together.parts.join(',')}`,
    );
  }
  if (raw.includes('*')) {
    throw new Error(
      `"${raw}": wildcards are not allowed; list each site, like ${wildcardExample(raw)}`,
    );
  }
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {}
  const web = url?.protocol === 'http:' || url?.protocol === 'https:';
  if (url && web && url.origin === raw.replace(/\/$/, '').toLowerCase()) {
    if (!HOST.test(url.hostname)) {
      throw new Error(`"${raw}" is not an origin: "${url.hostname}" is not a host name`);
    }
    return url.origin;
  }
  const meant = meantOrigin(raw, web ? url : undefined);
  throw new Error(
    `"${raw}" is not an origin: ${meant ? `write ${meant}` : 'write it as https://host or http://host:port, without a path'}`,
  );
}

// URL lets through host characters no site name has (`https://a.example;b`): names and
// addresses only.
const HOST = /^([a-z0-9_.-]+|\[[0-9a-f:.]+\])$/;

// What people put between origins when they do not use a comma.
const SEPARATORS = /[\s;|]+/;

/**
 * Two or more origins (or things that mean one) run together with `;`, `|` or spaces: the
 * separator, named as a person would, and the parts, each as the origin it means.
 */
function separatedOrigins(raw: string): { separator: string; parts: string[] } | undefined {
  const parts = raw.split(SEPARATORS).filter((part) => part !== '');
  if (parts.length < 2) return undefined;
  const sites = parts.map((part) => {
    try {
      return parseOrigin(part);
    } catch {
      return meantOrigin(part, webUrl(part));
    }
  });
  // Only when every part names a site (`https://blog` alone does not): else it is one bad entry.
  const named = (site: string | undefined): site is string =>
    site !== undefined && /[.[]|\/\/localhost\b/.test(site);
  if (!sites.every(named)) return undefined;
  const separator = raw.includes(';') ? '";"' : raw.includes('|') ? '"|"' : 'spaces';
  return { separator, parts: sites };
}

function webUrl(raw: string): URL | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** One site a wildcard could have meant: `https://*.example.com` → `https://blog.example.com`. */
function wildcardExample(raw: string): string {
  const match = /^(?:(https?):\/\/)?\*\.([^*/:]+\.[^*/:]+)(:\d+)?\/?$/i.exec(raw);
  if (!match) return 'https://blog.example.com';
  return `${match[1]?.toLowerCase() ?? 'https'}://blog.${match[2]?.toLowerCase()}${match[3] ?? ''}`;
}

/** The origin a person most likely meant by `raw`, if one can be told. */
function meantOrigin(raw: string, url: URL | undefined): string | undefined {
  // A web URL with more than an origin (a path, a query, the default port): its origin.
  if (url) return HOST.test(url.hostname) ? url.origin : undefined;
  // No scheme (`blog.example.com`, `localhost:3000/x`): https://, or http:// for this machine.
  let bare: URL;
  try {
    bare = new URL(`https://${raw.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')}`);
  } catch {
    return undefined;
  }
  const local = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(bare.hostname);
  if (!local && (!bare.hostname.includes('.') || !HOST.test(bare.hostname))) return undefined;
  return local ? `http://${bare.host}` : bare.origin;
}

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject, vi } from 'vitest';
import { compose } from '../../service/src/compose.js';
import { countingLimits, defaultViewsPerNetwork, loadConfig } from '../../service/src/config.js';
import { createDynamoDBClient } from '../../service/src/db/client.js';
import type { DynamoDBLimits } from '../../service/src/db/limits.js';
import { localCredentials, localRegion, scanAll } from '../../service/src/dev/local-dynamodb.js';
import {
  type DevServer,
  type DevServerOptions,
  startDevServer,
} from '../../service/src/dev/server.js';
import { AddressList } from '../../service/src/domain/visitor.js';
import { cloudFrontViewerAddress } from '../../service/src/http/address.js';
import type { Logger } from '../../service/src/http/http.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

export const endpoint = () => inject('dynamodbEndpoint');
export const tableName = () => inject('tableName');
export const visitsTableName = () => inject('visitsTableName');

/** A client of the shared dynalite (or of `at`, for fault tests), with production's limits. */
export function testClient(
  at: string = endpoint(),
  limits?: Partial<DynamoDBLimits>,
): DynamoDBClient {
  return createDynamoDBClient({
    endpoint: at,
    region: localRegion,
    credentials: localCredentials,
    ...(limits ? { limits } : {}),
  });
}

/**
 * The environment a Lambda entry reads at import, pointed at the shared dynalite (vitest's
 * `vi.unstubAllEnvs()` undoes it): stub it, then import the entry or the bundle.
 */
export function stubLambdaEnvironment(extra: Record<string, string> = {}): void {
  const env: Record<string, string> = {
    TABLE_NAME: tableName(),
    VISITS_TABLE_NAME: visitsTableName(),
    DYNAMODB_ENDPOINT: endpoint(),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    ...extra,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}

/** A page key no other test uses, so tests share one table without seeing each other. */
export function uniquePage(label = 'page'): string {
  return `/test/${label}/${randomUUID()}`;
}

export interface TestApp extends ReturnType<typeof compose> {
  logs: Record<string, unknown>[];
}

export interface TestAppOptions {
  client?: DynamoDBClient;
  /** @default the shared test table */
  tableName?: string;
  /** @default the shared test visits table */
  visitsTableName?: string;
  allowedOrigins?: string[];
  deadlineMs?: number;
  /** @default 20, production's */
  viewsPerAddressPerDay?: number;
  /** @default 10 × viewsPerAddressPerDay, production's */
  viewsPerNetworkPerDay?: number;
  /** @default 0: tests make pages freely (production's is 50) */
  newPagesPerAddressPerDay?: number;
  /** @default the most there may be, 100,000 (production's is 10,000) */
  maxPagesPerSite?: number;
  excludedAddresses?: string[];
  /** The app's clock. @default the system clock */
  now?: () => Date;
}

/**
 * The real app over the real store on dynalite, reading the viewer's address as the Lambda
 * does (CloudFront's `CloudFront-Viewer-Address`); logs are captured instead of printed.
 */
export function testApp(options: TestAppOptions = {}): TestApp {
  const client = options.client ?? testClient();
  const logs: Record<string, unknown>[] = [];
  const log: Logger = (entry) => logs.push(entry);
  const viewsPerAddressPerDay =
    options.viewsPerAddressPerDay ?? countingLimits.viewsPerAddressPerDay.default;
  const composed = compose(
    {
      tableName: options.tableName ?? tableName(),
      visitsTableName: options.visitsTableName ?? visitsTableName(),
      dynamodbEndpoint: undefined,
      allowedOrigins: options.allowedOrigins ?? [],
      viewsPerAddressPerDay,
      viewsPerNetworkPerDay:
        options.viewsPerNetworkPerDay ?? defaultViewsPerNetwork(viewsPerAddressPerDay),
      // Tests share one dynalite and one address across thousands of pages.
      newPagesPerAddressPerDay: options.newPagesPerAddressPerDay ?? 0,
      // Thousands of test pages share the resume's site.
      maxPagesPerSite: options.maxPagesPerSite ?? countingLimits.maxPagesPerSite.max,
      excludedAddresses: new AddressList(options.excludedAddresses ?? []),
    },
    cloudFrontViewerAddress,
    {
      client,
      log,
      ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    },
  );
  return { ...composed, logs };
}

/** A person's browser (Chrome on Windows), as far as bot detection goes. */
export const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** Headers of a person's visit from `address` (as CloudFront reports it) with `userAgent`. */
export const visitor = (address = '203.0.113.7', userAgent = BROWSER_UA) => ({
  'cloudfront-viewer-address': `${address}:443`,
  'user-agent': userAgent,
});

/** `?page=…` with the key percent-encoded. */
export const query = (page: string) => `?page=${encodeURIComponent(page)}`;

/** The dev server on scratch data and site folders, which `close()` removes. */
export async function scratchDevServer(
  label: string,
  {
    env,
    ...options
  }: Omit<DevServerOptions, 'siteDir' | 'log'> & {
    /** More of the environment the dev server reads (VIEWS_PER_ADDRESS_PER_DAY, …). */
    env?: Record<string, string>;
  } = {},
): Promise<DevServer & { readonly dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), `footfall-${label}-`));
  const server = await startDevServer(
    loadConfig({ ...env, PORT: '0', FOOTFALL_DATA_DIR: join(dir, 'data') }),
    {
      ...options,
      siteDir: join(dir, 'site'),
      log: () => {},
    },
  );
  return {
    dir,
    url: server.url,
    database: server.database,
    storage: server.storage,
    siteDir: server.siteDir,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface FaultyApp {
  /** The proxy every DynamoDB request of `subject` goes through. */
  readonly proxy: FaultProxy;
  readonly subject: TestApp;
  /** Rejections nobody handled while the app was up: should stay empty. */
  readonly unhandled: unknown[];
  close(): Promise<void>;
}

/** The real app whose DynamoDB sits behind a fault-injecting proxy. */
export async function startFaultyApp(): Promise<FaultyApp> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const proxy = await startFaultProxy(endpoint());
  const subject = testApp({ client: testClient(proxy.endpoint) });
  return {
    proxy,
    subject,
    unhandled,
    close: async () => {
      process.off('unhandledRejection', onUnhandled);
      subject.client.destroy();
      await proxy.close();
    },
  };
}

/**
 * An item's size as DynamoDB bills it (what one write unit, 1 KB, is measured against): every
 * attribute's name and value, strings in UTF-8 bytes, numbers by their significant digits.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
export function itemBytes(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item))
    size += Buffer.byteLength(name) + valueBytes(value);
  return size;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.SS !== undefined) return value.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((n, s) => n + numberBytes(s), 0);
  if (value.BS !== undefined) return value.BS.reduce((n, b) => n + b.length, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + 1 + valueBytes(v), 0);
  if (value.M !== undefined) return 3 + Object.keys(value.M).length + itemBytes(value.M);
  return 1; // BOOL, NULL
}

function numberBytes(n: string): number {
  const digits = n.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return 1 + Math.ceil(Math.max(digits.length, 1) / 2) + (n.startsWith('-') ? 1 : 0);
}

/** Every item of a table, read in full (tests only: a scan reads everything). */
export const scanTable = scanAll;

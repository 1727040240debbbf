import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { compose } from '../service/src/compose.js';
import { loadConfig } from '../service/src/config.js';
import { createDynamoDBClient } from '../service/src/db/client.js';
import type { DynamoDBLimits } from '../service/src/db/limits.js';
import {
  type DevServer,
  type DevServerOptions,
  startDevServer,
} from '../service/src/dev-server.js';
import type { Logger } from '../service/src/http.js';
import { localCredentials, localRegion } from '../service/src/local-dynamodb.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

export const endpoint = () => inject('dynamodbEndpoint');
export const tableName = () => inject('tableName');

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

/** A page key no other test uses, so tests share one table without seeing each other. */
export function uniquePage(label = 'page'): string {
  return `/test/${label}/${randomUUID()}`;
}

export interface TestApp extends ReturnType<typeof compose> {
  logs: Record<string, unknown>[];
}

/** The real app over the real store on dynalite; logs are captured instead of printed. */
export function testApp(
  options: { client?: DynamoDBClient; allowedOrigins?: string[]; deadlineMs?: number } = {},
): TestApp {
  const client = options.client ?? testClient();
  const logs: Record<string, unknown>[] = [];
  const log: Logger = (entry) => logs.push(entry);
  const composed = compose(
    {
      tableName: tableName(),
      dynamodbEndpoint: undefined,
      allowedOrigins: options.allowedOrigins ?? [],
    },
    { client, log, ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}) },
  );
  return { ...composed, logs };
}

/** `?page=…` with the key percent-encoded. */
export const query = (page: string) => `?page=${encodeURIComponent(page)}`;

/** The dev server on scratch data and site folders, which `close()` removes. */
export async function scratchDevServer(
  label: string,
  options: Omit<DevServerOptions, 'siteDir' | 'log'> = {},
): Promise<DevServer & { readonly dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), `footfall-${label}-`));
  const server = await startDevServer(
    loadConfig({ PORT: '0', FOOTFALL_DATA_DIR: join(dir, 'data') }),
    {
      ...options,
      siteDir: join(dir, 'site'),
      log: () => {},
    },
  );
  return {
    dir,
    url: server.url,
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

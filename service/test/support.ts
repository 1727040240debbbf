import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createApp } from '../src/app.js';
import { createCounterStore } from '../src/counter.js';
import { createDynamoDBClient, type DynamoDBLimits } from '../src/dynamodb.js';
import type { Logger } from '../src/http.js';
import { localCredentials, localRegion } from '../src/local-dynamodb.js';

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

export interface TestApp {
  app: ReturnType<typeof createApp>;
  client: DynamoDBClient;
  logs: Record<string, unknown>[];
}

/** The real app over the real store on dynalite; logs are captured instead of printed. */
export function testApp(
  options: { client?: DynamoDBClient; allowedOrigins?: string[]; deadlineMs?: number } = {},
): TestApp {
  const client = options.client ?? testClient();
  const logs: Record<string, unknown>[] = [];
  const log: Logger = (entry) => logs.push(entry);
  const app = createApp({
    counter: createCounterStore({
      client,
      table: tableName(),
      ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}),
    }),
    config: { allowedOrigins: options.allowedOrigins ?? [] },
    log,
  });
  return { app, client, logs };
}

/** `?page=…` with the key percent-encoded. */
export const query = (page: string) => `?page=${encodeURIComponent(page)}`;

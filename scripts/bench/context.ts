import { pathToFileURL } from 'node:url';
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { httpApiEventViaCloudFront } from '../../test/lambda-events.js';
import type { Handler } from './children/handler.js';
import type { ChildName } from './processes.js';

/** What every part of the benchmark works with, set up once by `index.ts`. */
export interface BenchContext {
  readonly root: string;
  /** The environment a Lambda bundle runs in here: the table, dynalite, local credentials. */
  readonly env: NodeJS.ProcessEnv;
  readonly tableName: string;
  /** The visits table beside it (salts, visitor and limit records; ADR 12). */
  readonly visitsTableName: string;
  /** dynalite, in its own process. */
  readonly endpoint: string;
  /** A plain SDK client of it: the reference's calls, and reading counts back. */
  readonly raw: DynamoDBClient;
  /** The two bundles, built alike: footfall's handler and the bare-SDK reference. */
  readonly bundles: { readonly ours: string; readonly reference: string };
  /** The compiled child programs. */
  readonly children: Record<ChildName, string>;
}

/** A person's browser (a bot would take the shorter path). */
const PERSON =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const BOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** The event an HTTP API sends footfall's function for one count request via CloudFront. */
export const countEvent = (
  method: 'GET' | 'POST',
  page: string,
  who: 'person' | 'bot' = 'person',
) =>
  httpApiEventViaCloudFront({
    method,
    path: '/api/count',
    rawQueryString: `page=${encodeURIComponent(page)}`,
    headers: { 'user-agent': who === 'person' ? PERSON : BOT },
  });

/** A fresh copy of the bundled handler, whose DynamoDB endpoint is `endpoint`. */
export async function loadHandler(bundle: string, endpoint: string, tag: string) {
  // The handler reads its endpoint once, at import: one module instance per endpoint.
  process.env.DYNAMODB_ENDPOINT = endpoint;
  return ((await import(`${pathToFileURL(bundle).href}?${tag}`)) as { handler: Handler }).handler;
}

/** Calls the handler and returns the count it answered with; anything but 200 throws. */
export const invoker =
  (handler: Handler) =>
  async (method: 'GET' | 'POST', page: string, who: 'person' | 'bot' = 'person') => {
    const result = await handler(countEvent(method, page, who), {});
    if (result.statusCode !== 200) {
      throw new Error(`handler answered ${result.statusCode}: ${result.body}`);
    }
    return JSON.parse(result.body) as { views: number };
  };
export type Invoke = ReturnType<typeof invoker>;

export const referenceKey = (id: string) => ({
  pk: { S: `reference#${id}` },
  sk: { S: 'reference' },
});

/** The same two calls the reference handler makes, written as anyone would with the SDK. */
export const rawCalls = (client: DynamoDBClient, tableName: string) => ({
  update: (id: string) =>
    client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: referenceKey(id),
        UpdateExpression: 'ADD #views :one',
        ExpressionAttributeNames: { '#views': 'views' },
        ExpressionAttributeValues: { ':one': { N: '1' } },
        ReturnValues: 'UPDATED_NEW',
      }),
    ),
  get: (id: string) =>
    client.send(
      new GetItemCommand({ TableName: tableName, Key: referenceKey(id), ConsistentRead: true }),
    ),
});
export type RawCalls = ReturnType<typeof rawCalls>;

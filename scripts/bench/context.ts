import { pathToFileURL } from 'node:url';
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { LambdaBundle } from '../../service/build/bundle.js';
import { MAX_PAGES_PER_VISITOR } from '../../service/src/db/counter-store/index.js';
import { table } from '../../service/src/db/table.js';
import { countingLimits } from '../../service/src/domain/counting-limits.js';
import { httpApiEventViaCloudFront } from '../../test/support/lambda-events.js';
import type { Handler } from './children/handler.js';
import type { ChildName } from './processes.js';

/** What every part of the benchmark works with, set up once by `main.ts`. */
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
  /** The two bundles' entry files, built alike: footfall's handler and the bare-SDK reference. */
  readonly bundles: { readonly ours: string; readonly reference: string };
  /** The same two bundles: their files, and which a cold start loads. */
  readonly built: { readonly ours: LambdaBundle; readonly reference: LambdaBundle };
  /** The compiled child programs. */
  readonly children: Record<ChildName, string>;
}

/** A person's browser (a bot would take the shorter path). */
const PERSON =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const BOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
/** Where every request comes from unless a sample names its own visitor. */
const ADDRESS = '203.0.113.7';

/** Who sends a request: a person's browser or a bot, from an IP address. */
export interface Sender {
  readonly who: 'person' | 'bot';
  readonly address: string;
}
export const person = (address = ADDRESS): Sender => ({ who: 'person', address });
export const bot: Sender = { who: 'bot', address: ADDRESS };

let visitors = 0;
/**
 * A person no one has counted yet: the next address of 198.18.0.0/15, the range set aside for
 * benchmarks (RFC 2544), so each is its own visitor with its own view quota.
 */
export function newVisitor(): Sender {
  const n = visitors++;
  if (n >= 1 << 17) throw new Error('out of benchmark addresses');
  return person(`198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`);
}

/** The headers of a request from `from`, with its address as CloudFront reports it. */
export const headersOf = (from: Sender) => ({
  'user-agent': from.who === 'person' ? PERSON : BOT,
  'cloudfront-viewer-address': `${from.address}:443`,
});

/** The event an HTTP API sends footfall's function for one count request via CloudFront. */
export const countEvent = (method: 'GET' | 'POST', page: string, from: Sender = person()) => {
  const event = httpApiEventViaCloudFront({
    method,
    path: '/api/count',
    rawQueryString: `page=${encodeURIComponent(page)}`,
    headers: headersOf(from),
  });
  // Without ORIGIN_SECRETS, as here, the function takes the address the request came from.
  event.requestContext.http.sourceIp = from.address;
  return event;
};

/** The event for a stats request (`GET /api/stats`) of one page: a route a visit never takes. */
export const statsEvent = (page: string) =>
  httpApiEventViaCloudFront({
    method: 'GET',
    path: '/api/stats',
    rawQueryString: `page=${encodeURIComponent(page)}`,
    headers: headersOf(person()),
  });

/**
 * A fresh copy of the bundled handler, whose DynamoDB endpoint is `endpoint`, configured by the
 * environment with `env`'s changes (a variable set to undefined is removed: the function's
 * default applies).
 */
export async function loadHandler(
  bundle: string,
  endpoint: string,
  tag: string,
  env: Record<string, string | undefined> = {},
) {
  const changes = { ...env, DYNAMODB_ENDPOINT: endpoint };
  const before = Object.fromEntries(Object.keys(changes).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  // The handler reads its configuration once, at import: one module instance per setting.
  apply(changes);
  try {
    return ((await import(`${pathToFileURL(bundle).href}?${tag}`)) as { handler: Handler }).handler;
  } finally {
    // The endpoint stays set (the sections that change it put it back); nothing else does.
    apply({ ...before, DYNAMODB_ENDPOINT: endpoint });
  }
}

/** Calls the handler and returns the count it answered with; anything but 200 throws. */
export const invoker =
  (handler: Handler) =>
  async (method: 'GET' | 'POST', page: string, from: Sender = person()) => {
    const result = await handler(countEvent(method, page, from), {});
    if (result.statusCode !== 200) {
      throw new Error(`handler answered ${result.statusCode}: ${result.body}`);
    }
    return JSON.parse(result.body) as { views: number; counted?: string };
  };
export type Invoke = ReturnType<typeof invoker>;

export const referenceKey = (id: string) => ({
  pk: { S: `reference#${id}` },
  sk: { S: 'reference' },
});

const ONE = { N: '1' };
/** The day's items expire two days on, as footfall's visits-table items do. */
const expiresAt = () => ({ N: String(Math.floor(Date.now() / 1000) + 2 * 86_400) });

/** What a visit adds to each of its counts items: a view, a visitor, a bot. */
type Counts = readonly ('views' | 'visitors' | 'bots')[];
/** `ADD #views :one, #visitors :one`, and the names it uses. */
const adding = (counts: Counts) => ({
  expression: `ADD ${counts.map((name) => `#${name} :one`).join(', ')}`,
  names: Object.fromEntries(counts.map((name) => [`#${name}`, name])),
});

/**
 * The calls the references make, written as anyone would with the SDK: one `UpdateItem`, one
 * `GetItem`, and each kind of visit's writes in footfall's shape (the same items, expressions
 * and rounds), so that a ratio against those measures footfall's own work, not its design's
 * round trips.
 */
export const rawCalls = (
  client: DynamoDBClient,
  tables: Pick<BenchContext, 'tableName' | 'visitsTableName'>,
) => {
  const update = (id: string) =>
    client.send(
      new UpdateItemCommand({
        TableName: tables.tableName,
        Key: referenceKey(id),
        UpdateExpression: 'ADD #views :one',
        ExpressionAttributeNames: { '#views': 'views' },
        ExpressionAttributeValues: { ':one': ONE },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
  /** Adds to a page's counter (which the by-site index lists). */
  const addToPage = (page: string, counts: Counts) => {
    const add = adding(counts);
    return client.send(
      new UpdateItemCommand({
        TableName: tables.tableName,
        Key: referenceKey(page),
        UpdateExpression: `SET #page = :page, #site = :site, #sitePk = :site, #siteSk = :page ${add.expression}`,
        ExpressionAttributeNames: {
          '#page': 'page',
          '#site': 'site',
          '#sitePk': table.bySiteIndex.partitionKey,
          '#siteSk': table.bySiteIndex.sortKey,
          ...add.names,
        },
        ExpressionAttributeValues: {
          ':page': { S: page },
          ':site': { S: 'reference' },
          ':one': ONE,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
  };
  /** Adds to a page's (or the site's) day. */
  const addToDay = (page: string, day: string, counts: Counts) => {
    const add = adding(counts);
    return client.send(
      new UpdateItemCommand({
        TableName: tables.tableName,
        Key: referenceKey(`${page}#${day}`),
        UpdateExpression: `SET #day = :day ${add.expression}`,
        ExpressionAttributeNames: { '#day': 'day', ...add.names },
        ExpressionAttributeValues: { ':day': { S: day }, ':one': ONE },
        ReturnValues: 'NONE',
      }),
    );
  };
  /** The page's counter, the page's day and the site's day, in parallel. */
  const addToCounts = (page: string, counts: Counts) => {
    const day = new Date().toISOString().slice(0, 10);
    return [addToPage(page, counts), addToDay(page, day, counts), addToDay('site', day, counts)];
  };
  /** One more view in the address's quota for the page, under the limit. */
  const chargeView = (visitor: string, page: string) =>
    client.send(
      new UpdateItemCommand({
        TableName: tables.visitsTableName,
        Key: referenceKey(`views#${visitor}#${page}`),
        UpdateExpression: 'SET #expiresAt = :expiresAt ADD #views :one',
        ConditionExpression: 'attribute_not_exists(#views) OR #views < :limit',
        ExpressionAttributeNames: { '#views': 'views', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: {
          ':one': ONE,
          ':limit': { N: String(countingLimits.viewsPerAddressPerDay.default) },
          ':expiresAt': expiresAt(),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
  /** Adds the page to the visitor's record of the day, which holds at most MAX_PAGES_PER_VISITOR. */
  const markVisitor = (visitor: string, page: string) =>
    client.send(
      new UpdateItemCommand({
        TableName: tables.visitsTableName,
        Key: referenceKey(`visitor#${visitor}`),
        UpdateExpression: 'SET #expiresAt = :expiresAt ADD #pages :page',
        ConditionExpression:
          'attribute_not_exists(#pages) OR contains(#pages, :token) OR size(#pages) < :max',
        ExpressionAttributeNames: { '#pages': 'pages', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: {
          ':page': { SS: [page] },
          ':token': { S: page },
          ':max': { N: String(MAX_PAGES_PER_VISITOR) },
          ':expiresAt': expiresAt(),
        },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
  return {
    update,
    get: (id: string) =>
      client.send(
        new GetItemCommand({
          TableName: tables.tableName,
          Key: referenceKey(id),
          ConsistentRead: true,
        }),
      ),
    /**
     * A new visitor on a page: the visitor's record and the address's view quota in parallel;
     * then the page's counter, the page's day and the site's day in parallel.
     */
    firstVisit: async (visitor: string, page: string) => {
      await Promise.all([markVisitor(visitor, page), chargeView(visitor, page)]);
      await Promise.all(addToCounts(page, ['views', 'visitors']));
    },
    /** The same visitor again: the view quota and the three counts, in parallel. */
    returningVisit: (visitor: string, page: string) =>
      Promise.all([chargeView(visitor, page), ...addToCounts(page, ['views'])]),
    /** A bot: the three counts, in parallel. */
    botVisit: (page: string) => Promise.all(addToCounts(page, ['bots'])),
  };
};
export type RawCalls = ReturnType<typeof rawCalls>;

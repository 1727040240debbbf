import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect, onTestFinished } from 'vitest';
import type { Tell } from '../../service/src/alerts/link-alerts.js';
import { compose } from '../../service/src/compose.js';
import {
  countingLimits,
  defaultViewsPerNetwork,
} from '../../service/src/domain/counting-limits.js';
import { AddressList } from '../../service/src/domain/visitor.js';
import { cloudFrontViewerAddress } from '../../service/src/http/address.js';
import type { FunctionInstance } from '../../service/src/http/answer-metrics.js';
import type { Logger } from '../../service/src/http/http.js';
import type { CountryOf } from '../../service/src/http/routes/count.js';
import { endpoint, tableName, testClient, visitsTableName } from './dynalite.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

// The real app over the real store on the shared dynalite, as the tests call it: built through
// the same composition as the Lambda, and the requests a person's browser would send it.

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
  /** @default production's (`countingLimits`) */
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
  /** How the owner is told of a link's first open of a day. @default a log line */
  tell?: Tell;
  /** The viewer's country. @default none */
  countryOf?: CountryOf;
  /** Serve only requests carrying one of these in CloudFront's origin header. @default none */
  originSecrets?: string[];
  /** The function and version named in the answer metrics. @default localInstance */
  instance?: FunctionInstance;
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
      ...(options.originSecrets ? { originSecrets: options.originSecrets } : {}),
    },
    cloudFrontViewerAddress,
    {
      client,
      log,
      ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.tell ? { tell: options.tell } : {}),
      ...(options.countryOf ? { countryOf: options.countryOf } : {}),
      ...(options.instance ? { instance: options.instance } : {}),
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

/** What `/api/count` answers: the page's counts and, for a POST, what was counted. */
export interface CountAnswer {
  readonly page: string;
  readonly views: number;
  readonly visitors: number;
  readonly bots: number;
  readonly counted?: string;
}

/**
 * The app counting for a site of its own (`site`, an allowed origin), so the site's totals are
 * the test's alone; `fromSite` are the headers of a request sent from it, `post` sends one that
 * must be counted (a person's visit unless `headers` say otherwise). Made in a test: its client
 * is closed when the test ends.
 */
export function siteApp(options: TestAppOptions = {}) {
  const site = `https://${randomUUID().slice(0, 8)}.example`;
  const subject = testApp({
    ...options,
    allowedOrigins: [site, ...(options.allowedOrigins ?? [])],
  });
  onTestFinished(() => subject.client.destroy());
  const fromSite = { origin: site, 'sec-fetch-site': 'cross-site' };
  const post = async (page: string, headers: Record<string, string> = visitor()) => {
    const res = await subject.app.request(`/api/count${query(page)}`, {
      method: 'POST',
      headers: { ...fromSite, ...headers },
    });
    expect(
      res.status,
      `${await res.clone().text()} ${JSON.stringify(subject.logs.slice(-1))}`,
    ).toBe(200);
    return (await res.json()) as CountAnswer;
  };
  return { ...subject, site, fromSite, post };
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

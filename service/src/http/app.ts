import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { Hono } from 'hono/quick';
import { secureHeaders } from 'hono/secure-headers';
import { linkPreviewOf } from '../domain/link-previews.js';
import { type CounterStore, StorageUnavailableError } from '../domain/store.js';
import type { AddressList } from '../domain/visitor.js';
import { type AnswerCounter, answerMetrics } from './answer-metrics.js';
import { BADGE_PATHS } from './cloudfront.js';
import { errorCodeFor, errorResponse, jsonLogger, type Logger } from './http.js';
import { lazyRoutes } from './lazy-routes.js';
import { verifyOrigin } from './origin-verify.js';
import { type AddressOf, type CountryOf, countRoutes } from './routes/count.js';
import { redirectRoutes } from './routes/redirect.js';

export interface AppDeps {
  /** Where the counts live. */
  readonly counter: CounterStore;
  /** The settings the routes use (`config.ts` reads them; the app takes them as given). */
  readonly config: {
    /** Origins granted CORS (`ALLOWED_ORIGINS`). */
    readonly allowedOrigins: readonly string[];
    /** Page counters a site may hold (`MAX_PAGES_PER_SITE`). */
    readonly maxPagesPerSite: number;
  };
  /** Addresses whose POSTs are never counted (`EXCLUDED_ADDRESSES`). */
  readonly excluded: AddressList;
  /** The viewer's address, as the entry point knows it (socket, or CloudFront's header). */
  readonly addressOf: AddressOf;
  /** The viewer's country (ISO 3166-1 alpha-2), when the entry point knows it. */
  readonly countryOf?: CountryOf;
  /** When not empty, only requests carrying one of these in the origin header are served. */
  readonly originSecrets?: readonly string[];
  /** The time, for the stats' day range. @default the system clock */
  readonly now?: () => Date;
  /** Where failures are reported; defaults to JSON lines on stderr. */
  readonly log?: Logger;
  /** Counts the answers a deployment's canary watches (5xx, origin refusals). */
  readonly answers: AnswerCounter;
}

/** Seconds a client should wait before retrying when storage is unavailable. */
export const RETRY_AFTER_SECONDS = 1;

/** The footfall API. It holds no state of its own: everything comes from `deps`. */
export function createApp(deps: AppDeps) {
  const log = deps.log ?? jsonLogger;

  const notFound = (c: Context) =>
    errorResponse(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
  // What a visit takes is loaded with the app; the rest on its first request (lazy-routes.ts).
  const badges = lazyRoutes(
    '/api',
    async () => (await import('./routes/badges.js')).badgeRoutes({ counter: deps.counter }),
    notFound,
  );
  const pages = lazyRoutes(
    '/api/pages',
    async () =>
      (await import('./routes/pages.js')).pagesRoutes({
        counter: deps.counter,
        allowedOrigins: deps.config.allowedOrigins,
        maxPagesPerSite: deps.config.maxPagesPerSite,
      }),
    notFound,
  );
  const stats = lazyRoutes(
    '/api/stats',
    async () =>
      (await import('./routes/stats.js')).statsRoutes({
        counter: deps.counter,
        allowedOrigins: deps.config.allowedOrigins,
        now: deps.now ?? (() => new Date()),
      }),
    notFound,
  );
  const api = new Hono()
    .get('/health', (c) => c.json({ ok: true }))
    .route(
      '/count',
      countRoutes({
        counter: deps.counter,
        allowedOrigins: deps.config.allowedOrigins,
        excluded: deps.excluded,
        addressOf: deps.addressOf,
        countryOf: deps.countryOf ?? (() => undefined),
      }),
    )
    .all('/badge.svg', badges)
    .all('/shield', badges)
    .all('/pages', pages)
    .all('/stats', stats);

  const app = new Hono();
  // A JSON API is fetched, never framed or embedded as a resource by other sites; a badge is
  // meant to be embedded anywhere (an <img> on another site is a no-cors request).
  const apiHeaders = secureHeaders({ crossOriginResourcePolicy: 'same-site' });
  const badgeHeaders = secureHeaders({ crossOriginResourcePolicy: 'cross-origin' });
  app.use(
    '*',
    async (c, next) => {
      // What an earlier burst left uncounted is written by the next request, whatever it is.
      deps.answers.flushIfDue();
      await next();
      if (c.res.status >= 500) deps.answers.count(answerMetrics.serverErrors);
    },
    (c, next) =>
      ((BADGE_PATHS as readonly string[]).includes(c.req.path) ? badgeHeaders : apiHeaders)(
        c,
        next,
      ),
    async (c, next) => {
      await next();
      // Counts change with every visit: no cache may keep them (the badges say otherwise).
      if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
    },
  );
  if (deps.originSecrets && deps.originSecrets.length > 0) {
    const fromCloudFront = verifyOrigin(deps.originSecrets, deps.answers);
    app.use('/api/*', fromCloudFront);
    app.use('/r/*', fromCloudFront);
  }
  app.route('/api', api);
  app.route(
    '/r',
    redirectRoutes({
      counter: deps.counter,
      excluded: deps.excluded,
      addressOf: deps.addressOf,
      previewOf: linkPreviewOf,
    }),
  );

  app.notFound(notFound);

  app.onError((error, c) => {
    if (error instanceof StorageUnavailableError) {
      log({ level: 'warn', msg: error.message, cause: describe(error.cause) });
      return errorResponse(
        c,
        503,
        'storage_unavailable',
        'the counter is unavailable; try again shortly',
        {
          'Retry-After': String(RETRY_AFTER_SECONDS),
        },
      );
    }
    if (error instanceof HTTPException) {
      // Hono's own errors (a request it cannot parse, a middleware's refusal): keep the status,
      // answer JSON with a code named for it.
      const code = errorCodeFor(error.status);
      return errorResponse(c, error.status, code, error.message || code.replaceAll('_', ' '));
    }
    log({ level: 'error', msg: 'unhandled error', error: describe(error) });
    return errorResponse(c, 500, 'internal_error', 'something went wrong on our side');
  });

  return app;
}

function describe(error: unknown): Record<string, unknown> | string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause === undefined ? {} : { cause: describe(error.cause) };
  return { name: error.name, message: error.message, ...cause };
}

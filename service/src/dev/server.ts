import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { buildSite, describeBuildError } from '../../../web/build/site.js';
import { compose } from '../compose.js';
import type { Config } from '../config.js';
import type { Database } from '../db/index.js';
import type { DynamoDBLimits } from '../db/limits.js';
import { describeOpen } from '../domain/links.js';
import { DevStartError, listenProblem } from './errors.js';
import { embeddedDynaliteLimits } from './local-dynamodb.js';
import { siteApp, watchSite } from './site.js';
import { openStorage, useDataDir } from './storage.js';

const root = new URL('../../../', import.meta.url);

export interface DevServerOptions {
  /** The site's sources, watched for changes. @default the repository's `web/` */
  readonly webDir?: string;
  /**
   * Where the built site is written and served from. @default `site/` in the data folder,
   * which no other command writes or deletes (`npm run build` writes `dist/web/`).
   */
  readonly siteDir?: string;
  /** Called with each line worth telling the developer (rebuilds, build errors). */
  readonly log?: (line: string) => void;
  /**
   * Overrides of the DynamoDB time limits (tests of sheer volume on a loaded machine, where a
   * starved dynalite can take longer than production's one-second request timeout).
   */
  readonly dynamodbLimits?: Partial<DynamoDBLimits>;
}

export interface DevServer {
  /** `http://HOST:PORT` */
  readonly url: string;
  /** The entities over the dev server's DynamoDB (for tools that seed or read it). */
  readonly database: Database;
  /** Where the counts are: `dynalite, data in .data` or `DynamoDB at URL (DYNAMODB_ENDPOINT)`. */
  readonly storage: string;
  /** The folder the site is built into and served from. */
  readonly siteDir: string;
  /** Stops accepting requests, then closes dynalite so its data reaches the disk. */
  close(): Promise<void>;
}

/**
 * The local stack: dynalite on disk (or the DynamoDB at `DYNAMODB_ENDPOINT`), the table, and
 * the same Hono app as the Lambda, with the site alongside it on one origin, as CloudFront
 * serves them in production. Fails with a `DevStartError` for every failure a person can cause,
 * having stopped whatever it had started.
 */
export async function startDevServer(
  config: Config,
  options: DevServerOptions = {},
): Promise<DevServer> {
  const webDir = options.webDir ?? fileURLToPath(new URL('web', root));
  const siteDir = resolve(options.siteDir ?? join(config.dataDir, 'site'));
  const log = options.log ?? console.log;
  // What is started is stopped again, newest first, if a later step fails.
  const started: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const undo of started.splice(0).reverse()) await undo();
  };
  try {
    await useDataDir(config);
    await buildSite({ webDir, outDir: siteDir }).catch((error: unknown) => {
      const problem = describeBuildError(error);
      throw problem ? new DevStartError(problem, 1) : error;
    });

    // The embedded dynalite gets limits of its own; a DynamoDB elsewhere, production's.
    const limits = {
      ...(config.dynamodbEndpoint === undefined ? embeddedDynaliteLimits : {}),
      ...options.dynamodbLimits,
    };
    const store = await openStorage(config, limits);
    started.push(store.close);
    const { client } = store;

    // The viewer is whoever is at the other end of the socket.
    const deadlineMs = limits.operationDeadlineMs;
    const {
      app: api,
      database,
      ready,
    } = compose(config, (c) => getConnInfo(c).remote.address, {
      client,
      ...(config.devCountry ? { countryOf: () => config.devCountry } : {}),
      // The owner is told on this terminal: one line per link's first open of a day.
      tell: async (open) => log(`footfall: ${describeOpen(open)}`),
      ...(deadlineMs === undefined ? {} : { deadlineMs }),
    });
    // The day's salt, before the first visit needs it.
    await ready;
    const site = siteApp(siteDir);
    const server = serve({
      hostname: config.host,
      port: config.port,
      // Like CloudFront's behaviours: /api/* to the function, everything else to the bucket.
      // The Node request and response travel along as `env`: the API reads the socket's address.
      fetch: (request, env) => {
        const { pathname } = new URL(request.url);
        return pathname === '/api' || pathname.startsWith('/api/') || pathname.startsWith('/r/')
          ? api.fetch(request, env)
          : site.fetch(request, env);
      },
    });
    const closeServer = () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open until they time out.
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      });
    started.push(closeServer);
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    }).catch((error: unknown) => {
      throw listenProblem(error, config) ?? error;
    });
    const { port } = server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;

    const watcher = watchSite(webDir, siteDir, log);
    started.push(watcher.close);

    return {
      url: `http://${host}:${port}`,
      database,
      storage: store.description,
      siteDir,
      close: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

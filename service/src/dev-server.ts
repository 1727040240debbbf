import { type FSWatcher, watch } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { contentSecurityPolicy } from '../../web/build/csp.js';
import { PINNED_WIDGET_DIR } from '../../web/build/embed.js';
import { buildSite } from '../../web/build/site.js';
import { compose } from './compose.js';
import type { Config } from './config.js';
import { createDynamoDBClient } from './db/client.js';
import type { Database } from './db/index.js';
import type { DynamoDBLimits } from './db/limits.js';
import {
  ensureTable,
  localCredentials,
  localRegion,
  startLocalDynamoDB,
} from './local-dynamodb.js';

const root = new URL('../../', import.meta.url);

export interface DevServerOptions {
  /** The site's sources, watched for changes. */
  readonly webDir?: string;
  /** Where the built site is written and served from. */
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
  /** The entities over the dev server's own dynalite (for tools that seed or read it). */
  readonly database: Database;
  /** Stops accepting requests, then closes dynalite so its data reaches the disk. */
  close(): Promise<void>;
}

/**
 * The local stack: dynalite on disk, the table, and the same Hono app as the Lambda, with the
 * site alongside it on one origin, as CloudFront serves them in production.
 */
export async function startDevServer(
  config: Config,
  options: DevServerOptions = {},
): Promise<DevServer> {
  const webDir = options.webDir ?? fileURLToPath(new URL('web', root));
  const siteDir = options.siteDir ?? fileURLToPath(new URL('dist/web', root));
  const log = options.log ?? console.log;
  await buildSite({ webDir, outDir: siteDir });
  const watcher = watchSite(webDir, siteDir, log);

  await mkdir(config.dataDir, { recursive: true });
  const dynamodb = await startLocalDynamoDB(config.dataDir);
  const client = createDynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: localRegion,
    credentials: localCredentials,
    ...(options.dynamodbLimits ? { limits: options.dynamodbLimits } : {}),
  });
  await ensureTable(client, config.tableName);

  // The viewer is whoever is at the other end of the socket.
  const deadlineMs = options.dynamodbLimits?.operationDeadlineMs;
  const { app: api, database } = compose(config, (c) => getConnInfo(c).remote.address, {
    client,
    ...(deadlineMs === undefined ? {} : { deadlineMs }),
  });
  // The page fetches from its own origin only: the CORS allow-list is not the page's business.
  const csp = contentSecurityPolicy();
  const site = new Hono().use(
    '*',
    // The page is public and its widget is meant to be embedded elsewhere (a classic <script>
    // from another site is a no-cors request, which CORP same-origin would block).
    secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }),
    async (c, next) => {
      await next();
      c.header('Content-Security-Policy', csp);
      const found = c.res.status === 200;
      // The pinned widget is fetched by other sites with CORS (`crossorigin` + `integrity`), as
      // CloudFront's behaviour for it answers.
      const pinned = found && c.req.path.startsWith(`/${PINNED_WIDGET_DIR}/`);
      if (pinned) c.header('Access-Control-Allow-Origin', '*');
      // Hashed assets never change; the page itself is revalidated on every load.
      const immutable = pinned || (found && c.req.path.startsWith('/assets/'));
      c.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
    serveStatic({ root: siteDir }),
  );

  const server = serve({
    hostname: config.host,
    port: config.port,
    // Like CloudFront's behaviours: /api/* to the function, everything else to the bucket.
    // The Node request and response travel along as `env`: the API reads the socket's address.
    fetch: (request, env) => {
      const { pathname } = new URL(request.url);
      return pathname === '/api' || pathname.startsWith('/api/')
        ? api.fetch(request, env)
        : site.fetch(request, env);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    url: `http://${host}:${port}`,
    database,
    close: async () => {
      watcher.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open until they time out.
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      });
      client.destroy();
      await dynamodb.close();
    },
  };
}

/** Rebuilds the site whenever its sources change; a broken build keeps the last good site. */
function watchSite(webDir: string, siteDir: string, log: (line: string) => void): FSWatcher {
  let timer: NodeJS.Timeout | undefined;
  let building: Promise<void> = Promise.resolve();
  const rebuild = () => {
    building = building.then(async () => {
      try {
        await buildSite({ webDir, outDir: siteDir });
        log('site rebuilt');
      } catch (error) {
        log(`site not rebuilt: ${(error as Error).message}`);
      }
    });
  };
  return watch(webDir, { recursive: true }, () => {
    // Editors write in bursts (temp file, rename, chmod): build once they are done.
    clearTimeout(timer);
    timer = setTimeout(rebuild, 80);
  });
}

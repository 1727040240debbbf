import { mkdir, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { contentSecurityPolicy } from '../../../web/build/csp.js';
import { PINNED_WIDGET_DIR } from '../../../web/build/embed.js';
import { buildSite, describeBuildError } from '../../../web/build/site.js';
import { compose } from '../compose.js';
import type { Config } from '../config.js';
import { createDynamoDBClient } from '../db/client.js';
import type { Database } from '../db/index.js';
import type { DynamoDBLimits } from '../db/limits.js';
import {
  checkDataDir,
  embeddedDynaliteLimits,
  ensureTable,
  ensureVisitsTable,
  LocalDataError,
  localCredentials,
  localRegion,
  startLocalDynamoDB,
} from './local-dynamodb.js';
import { watchTree } from './watch-tree.js';

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
 * The dev server cannot start, for a reason a person can fix: the message is one line saying
 * what is wrong and what to do. `exitCode` is 2 for a setting that cannot work, 1 otherwise.
 */
export class DevStartError extends Error {
  override readonly name = 'DevStartError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
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
    const store = await openStore(config, limits);
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
        return pathname === '/api' || pathname.startsWith('/api/')
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

/** The site's half of the dev server: the built files, with CloudFront's headers. */
function siteApp(siteDir: string): Hono {
  // The page fetches from its own origin only: the CORS allow-list is not the page's business.
  const csp = contentSecurityPolicy();
  return new Hono().use(
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
}

/**
 * The data folder, checked before anything is written to it: dynalite's store (one dev server
 * at a time: LevelDB locks it) and, by default, the built site.
 */
async function useDataDir(config: Config): Promise<void> {
  try {
    if (config.dynamodbEndpoint === undefined) {
      await checkDataDir(config.dataDir);
    } else {
      // No dynalite: the folder only holds the site.
      const found = await stat(config.dataDir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        if (error.code === 'ENOTDIR') throw new LocalDataError('not-a-folder', config.dataDir);
        throw error;
      });
      if (found && !found.isDirectory()) throw new LocalDataError('not-a-folder', config.dataDir);
      await mkdir(config.dataDir, { recursive: true });
    }
  } catch (error) {
    if (!(error instanceof LocalDataError)) throw error;
    throw error.reason === 'busy'
      ? new DevStartError(
          `${config.dataDir} is in use by another dev server: stop it (Ctrl-C in its terminal), or set FOOTFALL_DATA_DIR to another folder`,
          1,
        )
      : new DevStartError(
          `FOOTFALL_DATA_DIR=${config.dataDir} is not a folder: set FOOTFALL_DATA_DIR to a folder for the dev server's data (it is created if missing)`,
          2,
        );
  }
}

/** Why the server could not listen on HOST:PORT, as a DevStartError; undefined if not known. */
export function listenProblem(
  error: unknown,
  { host, port }: Pick<Config, 'host' | 'port'>,
): DevStartError | undefined {
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'EADDRINUSE':
      return new DevStartError(
        `port ${port} is in use: stop what is using it, or run PORT=${port < 65535 ? port + 1 : 0} npm run dev`,
        1,
      );
    case 'EACCES':
      return new DevStartError(
        `port ${port} may only be opened by an administrator here: use a port above 1023, e.g. PORT=8787`,
        2,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new DevStartError(
        `HOST=${host} does not resolve to an address: use HOST=127.0.0.1, or a name or address of this machine`,
        2,
      );
    case 'EADDRNOTAVAIL':
      return new DevStartError(
        `HOST=${host} is not an address of this machine: use HOST=127.0.0.1 (this machine only) or HOST=0.0.0.0 (every network interface)`,
        2,
      );
    default:
      return undefined;
  }
}

interface Store {
  readonly client: DynamoDBClient;
  readonly description: string;
  close(): Promise<void>;
}

/**
 * Where the counts are kept: the DynamoDB at `DYNAMODB_ENDPOINT` when it is set (DynamoDB
 * Local, or DynamoDB itself, with the SDK's own region and credentials), else dynalite on disk
 * in the data folder. The table is created if missing, except in AWS, where CDK makes it.
 */
async function openStore(
  config: Config,
  limits: Partial<DynamoDBLimits> | undefined,
): Promise<Store> {
  const withLimits = limits ? { limits } : {};
  const endpoint = config.dynamodbEndpoint;
  if (endpoint === undefined) {
    const dynamodb = await startLocalDynamoDB(config.dataDir);
    const client = createDynamoDBClient({
      endpoint: dynamodb.endpoint,
      region: localRegion,
      credentials: localCredentials,
      ...withLimits,
    });
    const close = async () => {
      client.destroy();
      await dynamodb.close();
    };
    try {
      await ensureTable(client, config.tableName);
      await ensureVisitsTable(client, config.visitsTableName);
    } catch (error) {
      await close();
      throw error;
    }
    return { client, description: `dynalite, data in ${config.dataDir}`, close };
  }

  const client = createDynamoDBClient({ endpoint, ...withLimits });
  try {
    if (isAws(endpoint)) {
      // Never created (nor rebuilt) from here: in AWS the tables are the stack's.
      await client.send(new DescribeTableCommand({ TableName: config.tableName }));
      await client.send(new DescribeTableCommand({ TableName: config.visitsTableName }));
    } else {
      await ensureTable(client, config.tableName);
      await ensureVisitsTable(client, config.visitsTableName);
    }
  } catch (error) {
    client.destroy();
    throw storeProblem(error, config, endpoint) ?? error;
  }
  return {
    client,
    description: `DynamoDB at ${endpoint} (DYNAMODB_ENDPOINT), table ${config.tableName}`,
    close: async () => client.destroy(),
  };
}

const isAws = (endpoint: string) =>
  /\.(amazonaws\.com|amazonaws\.com\.cn|api\.aws)$/i.test(new URL(endpoint).hostname);

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'TimeoutError',
  'RequestTimeout',
]);

/** A failure of the DynamoDB at `DYNAMODB_ENDPOINT`, in one line saying what to do. */
function storeProblem(error: unknown, config: Config, endpoint: string): DevStartError {
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  const at = `DYNAMODB_ENDPOINT=${endpoint}`;
  if (UNREACHABLE.has(code ?? '') || UNREACHABLE.has(name ?? '')) {
    return new DevStartError(
      `cannot reach DynamoDB at ${at} (${code ?? name}): start it, or unset DYNAMODB_ENDPOINT to use the built-in dynalite`,
      1,
    );
  }
  if (message === 'Region is missing') {
    return new DevStartError(
      `${at} is set but the AWS SDK has no region: set AWS_REGION (any value does for DynamoDB Local)`,
      2,
    );
  }
  if (name === 'CredentialsProviderError') {
    return new DevStartError(
      `${at} is set but the AWS SDK found no credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values do for DynamoDB Local)`,
      2,
    );
  }
  if (name === 'ResourceNotFoundException') {
    return new DevStartError(
      `table ${config.tableName} or ${config.visitsTableName} does not exist at ${at}: set TABLE_NAME and VISITS_TABLE_NAME to the deployed tables' names (the stack's TableName and VisitsTableName outputs)`,
      2,
    );
  }
  return new DevStartError(
    `DynamoDB at ${at} refused footfall (${name}: ${String(message).split('\n')[0]}): check DYNAMODB_ENDPOINT, TABLE_NAME and your AWS credentials`,
    1,
  );
}

/**
 * Rebuilds the site whenever its sources change, and says so each time; a broken build keeps
 * the last good site.
 */
function watchSite(
  webDir: string,
  siteDir: string,
  log: (line: string) => void,
): { close(): Promise<void> } {
  let building: Promise<void> = Promise.resolve();
  const rebuild = () => {
    building = building.then(async () => {
      const started = performance.now();
      try {
        await buildSite({ webDir, outDir: siteDir });
        log(`site rebuilt (${Math.round(performance.now() - started)} ms)`);
      } catch (error) {
        const reason = describeBuildError(error) ?? String((error as Error)?.message ?? error);
        log(`site not rebuilt: ${reason.split('\n').join(' ')}`);
      }
    });
  };
  const watcher = watchTree(webDir, rebuild);
  return {
    // A build under way finishes first: nothing is written into the site after close().
    close: async () => {
      watcher.close();
      await building;
    },
  };
}

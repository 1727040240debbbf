import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { createCounterStore } from './counter.js';
import { createDynamoDBClient } from './dynamodb.js';
import {
  ensureTable,
  localCredentials,
  localRegion,
  startLocalDynamoDB,
} from './local-dynamodb.js';

/** The site the dev server shows at `/`. */
export const webRoot = fileURLToPath(new URL('../../web/', import.meta.url));

export interface DevServer {
  /** `http://HOST:PORT` */
  readonly url: string;
  /** Stops accepting requests, then closes dynalite so its data reaches the disk. */
  close(): Promise<void>;
}

/**
 * The local stack: dynalite on disk, the table, and the same Hono app as the Lambda, with the
 * site alongside it on one origin, as CloudFront serves them in production.
 */
export async function startDevServer(config: Config): Promise<DevServer> {
  await mkdir(config.dataDir, { recursive: true });
  const dynamodb = await startLocalDynamoDB(config.dataDir);
  const client = createDynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: localRegion,
    credentials: localCredentials,
  });
  await ensureTable(client, config.tableName);

  const api = createApp({
    counter: createCounterStore({ client, table: config.tableName }),
    config,
  });
  const site = new Hono().use('*', serveStatic({ root: webRoot }));

  const server = serve({
    hostname: config.host,
    port: config.port,
    // Like CloudFront's behaviours: /api/* to the function, everything else to the bucket.
    fetch: (request) => {
      const { pathname } = new URL(request.url);
      return pathname === '/api' || pathname.startsWith('/api/')
        ? api.fetch(request)
        : site.fetch(request);
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
    close: async () => {
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

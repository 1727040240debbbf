import { STATUS_CODES } from 'node:http';
import type { Context, Handler, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { METRICS_NAMESPACE } from './metric-names.js';

/** Every error the API sends has this shape; `code` is stable, `message` is for people. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Response {
  return c.json<ErrorBody>({ error: { code, message } }, status, headers);
}

/** A stable error code for an HTTP status: 413 → `payload_too_large`, 418 → `im_a_teapot`. */
export function errorCodeFor(status: number): string {
  const reason = STATUS_CODES[status] ?? (status >= 500 ? 'server error' : 'client error');
  return reason
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** Structured log line; Lambda ships stdout/stderr to CloudWatch Logs. */
export type Logger = (entry: Record<string, unknown>) => void;

export const jsonLogger: Logger = (entry) => {
  if (entry.level === 'info') {
    // Straight to stdout, unwrapped: Lambda keeps a JSON line with a level as it is, and
    // CloudWatch reads the metrics an `_aws` member declares (embedded metric format).
    process.stdout.write(`${JSON.stringify(entry)}\n`);
    return;
  }
  // console.warn/error map to Lambda's WARN/ERROR levels; one JSON line either way.
  (entry.level === 'warn' ? console.warn : console.error)(JSON.stringify(entry));
};

/** The CloudWatch namespace footfall's own metrics are in. */
export { METRICS_NAMESPACE };

/**
 * The log line for a visit refused by a limit (`"counted":"limited"`), which is also a
 * CloudWatch metric, `Limited` by `Limit`, in the embedded metric format. Written once per
 * function instance, limit and address (or site) a day, so a flood adds no log volume.
 */
export function limitedEntry(limit: string): Record<string, unknown> {
  return {
    level: 'info',
    msg: 'visit limited',
    Limit: limit,
    Limited: 1,
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['Limit']],
          Metrics: [{ Name: 'Limited', Unit: 'Count' }],
        },
      ],
    },
  };
}

/**
 * A resource's CORS and `Allow` handling: preflights from `allowed` origins are answered (and
 * say which methods exist); nothing else gets CORS headers.
 */
export function resourceCors(methods: readonly string[], allowed: ReadonlySet<string>) {
  const allow = methods.join(', ');
  const announce: MiddlewareHandler = async (c, next) => {
    if (c.req.method === 'OPTIONS') c.header('Allow', allow);
    await next();
  };
  return [
    announce,
    cors({
      origin: (origin) => (allowed.has(origin) ? origin : null),
      allowMethods: [...methods],
      maxAge: 600,
    }),
  ] as const;
}

/** The `405` for any other method on a resource, with its `Allow` header. */
export function methodNotAllowed(methods: readonly string[]): Handler {
  const allow = methods.join(', ');
  return (c) =>
    errorResponse(
      c,
      405,
      'method_not_allowed',
      `${c.req.method} is not allowed here; use ${allow}`,
      {
        Allow: allow,
      },
    );
}

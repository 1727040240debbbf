import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { SMOKE_USER_AGENT } from '../domain/smoke.js';
import { ORIGIN_VERIFY_HEADER } from '../http/cloudfront.js';

/** One API request the hook sends the new version. */
export interface ApiRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Without the `?`. */
  readonly rawQueryString?: string;
}

export interface ApiEventOptions {
  /** Sent in `ORIGIN_VERIFY_HEADER`, as CloudFront does; none when the API checks none. */
  readonly originSecret?: string | undefined;
  readonly now: Date;
}

// A documentation address (RFC 5737) and a reserved domain (RFC 2606): the checks pose as a
// viewer that cannot be anybody's, on an API host that cannot be real.
const VIEWER_ADDRESS = '192.0.2.1';
const API_HOST = 'footfall-pre-traffic.invalid';

/**
 * `request` as the function receives it in production: a payload 2.0 event from the HTTP API,
 * carrying what CloudFront adds to a viewer's request (its viewer address, its secret header).
 * The viewer announces itself as a bot, so a check never counts as a person.
 */
export function apiEvent(request: ApiRequest, options: ApiEventOptions): APIGatewayProxyEventV2 {
  return httpApiEvent(request, {
    host: API_HOST,
    sourceIp: VIEWER_ADDRESS,
    accountId: 'anonymous',
    requestId: randomUUID(),
    now: options.now,
    headers: {
      'user-agent': SMOKE_USER_AGENT,
      via: '2.0 footfall-pre-traffic-hook (CloudFront)',
      'cloudfront-viewer-address': `${VIEWER_ADDRESS}:50000`,
      'x-forwarded-for': VIEWER_ADDRESS,
      ...(options.originSecret ? { [ORIGIN_VERIFY_HEADER]: options.originSecret } : {}),
    },
  });
}

/** Any request, as an event: the method, path, query, headers and body it carries. */
export interface HttpApiRequest {
  readonly method: string;
  readonly path: string;
  /** Without the `?`. */
  readonly rawQueryString?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

/** Where an event comes from: the API that sends it, the address the request came from. */
export interface HttpApiEventSource {
  /** The API's host: `requestContext.domainName`, its first label the API's id. */
  readonly host: string;
  /** `requestContext.http.sourceIp` */
  readonly sourceIp: string;
  readonly accountId: string;
  readonly requestId: string;
  /** When the request arrived. */
  readonly now: Date;
  /** Headers every request from this source carries, before the request's own. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The payload format 2.0 event an HTTP API (or a function URL, which has the same shape) sends
 * the function for `request`. The one builder of such events: the pre-traffic hook sends them to
 * a new version, and the tests and the benchmark call the handler with them.
 */
export function httpApiEvent(
  request: HttpApiRequest,
  source: HttpApiEventSource,
): APIGatewayProxyEventV2 {
  const rawQueryString = request.rawQueryString ?? '';
  const queryStringParameters = rawQueryString
    ? Object.fromEntries(new URLSearchParams(rawQueryString))
    : undefined;
  const headers: Record<string, string> = {
    accept: 'application/json',
    host: source.host,
    'x-forwarded-proto': 'https',
    'x-forwarded-port': '443',
    ...source.headers,
    ...request.headers,
    ...(request.body === undefined ? {} : { 'content-length': String(request.body.length) }),
  };
  const apiId = source.host.split('.')[0] ?? 'api';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString,
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: source.accountId,
      apiId,
      domainName: source.host,
      domainPrefix: apiId,
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: source.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: source.requestId,
      routeKey: '$default',
      stage: '$default',
      time: requestTime(source.now),
      timeEpoch: source.now.getTime(),
    },
    isBase64Encoded: request.isBase64Encoded ?? false,
    ...(request.body === undefined ? {} : { body: request.body }),
  };
}

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** The HTTP API's `requestContext.time`: `25/Nov/2026:08:00:00 +0000`. */
function requestTime(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(now.getUTCDate())}/${MONTHS[now.getUTCMonth()]}/${now.getUTCFullYear()}:` +
    `${two(now.getUTCHours())}:${two(now.getUTCMinutes())}:${two(now.getUTCSeconds())} +0000`
  );
}

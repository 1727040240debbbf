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
  const rawQueryString = request.rawQueryString ?? '';
  const queryStringParameters = rawQueryString
    ? Object.fromEntries(new URLSearchParams(rawQueryString))
    : undefined;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString,
    headers: {
      accept: 'application/json',
      host: API_HOST,
      'user-agent': SMOKE_USER_AGENT,
      via: '2.0 footfall-pre-traffic-hook (CloudFront)',
      'cloudfront-viewer-address': `${VIEWER_ADDRESS}:50000`,
      'x-forwarded-for': VIEWER_ADDRESS,
      'x-forwarded-proto': 'https',
      'x-forwarded-port': '443',
      ...(options.originSecret ? { [ORIGIN_VERIFY_HEADER]: options.originSecret } : {}),
    },
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'footfall-pre-traffic',
      domainName: API_HOST,
      domainPrefix: 'footfall-pre-traffic',
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: VIEWER_ADDRESS,
        userAgent: SMOKE_USER_AGENT,
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: requestTime(options.now),
      timeEpoch: options.now.getTime(),
    },
    isBase64Encoded: false,
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

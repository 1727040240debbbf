import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/** What one request looks like as an event; ids, times and hosts are documentation examples. */
export interface EventRequest {
  method: string;
  path: string;
  rawQueryString?: string;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

function baseEvent(
  request: EventRequest,
  domainName: string,
  extraHeaders: Record<string, string>,
) {
  const rawQueryString = request.rawQueryString ?? '';
  const queryStringParameters = rawQueryString
    ? Object.fromEntries(new URLSearchParams(rawQueryString))
    : undefined;
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString,
    headers: {
      accept: 'application/json',
      host: domainName,
      'x-forwarded-proto': 'https',
      'x-forwarded-port': '443',
      ...extraHeaders,
      ...request.headers,
      ...(request.body === undefined ? {} : { 'content-length': String(request.body.length) }),
    },
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: domainName.split('.')[0] ?? 'api',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? 'api',
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'Mozilla/5.0',
      },
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      routeKey: '$default',
      stage: '$default',
      time: '25/Nov/2026:08:00:00 +0000',
      timeEpoch: 1795593600000,
    },
    isBase64Encoded: request.isBase64Encoded ?? false,
    ...(request.body === undefined ? {} : { body: request.body }),
  };
  return event;
}

/** HTTP API (payload format 2.0) event for a request CloudFront forwarded to the API origin. */
export function httpApiEventViaCloudFront(request: EventRequest): APIGatewayProxyEventV2 {
  return baseEvent(request, 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com', {
    via: '2.0 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)',
    'x-amz-cf-id': 'EXAMPLE2bLw2Dr8n8SFq4N3lXcIqTqVUrj6ZyI0rjmAhEXAMPLE==',
    'cloudfront-viewer-address': '203.0.113.7:53211',
    'cloudfront-viewer-country': 'NL',
    'cloudfront-is-desktop-viewer': 'true',
    'user-agent': 'Amazon CloudFront',
    'x-forwarded-for': '203.0.113.7, 198.51.100.10',
  });
}

/** Lambda Function URL event: the same 2.0 shape, with the function URL's own domain. */
export function functionUrlEvent(request: EventRequest): APIGatewayProxyEventV2 {
  const event = baseEvent(request, 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws', {
    'user-agent': 'Mozilla/5.0',
    'x-forwarded-for': '203.0.113.7',
  });
  return {
    ...event,
    requestContext: { ...event.requestContext, apiId: 'abcdefghijklmnopqrstuvwxyz012345' },
  };
}

export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'footfall-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:footfall-api',
  memoryLimitInMB: '256',
  awsRequestId: '0f6d1d2c-0000-4000-8000-000000000000',
  logGroupName: '/aws/lambda/footfall-api',
  logStreamName: '2026/11/25/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} satisfies Context;

/** The result shape the HTTP API and Function URLs accept from a 2.0 handler. */
export interface LambdaResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { type HttpApiRequest, httpApiEvent } from '../../service/src/pre-traffic/events.js';

// Lambda events and context for the tests and the benchmark: the shipped builder
// (`service/src/pre-traffic/events.ts`, which the pre-traffic hook sends a new version), fed
// the documentation's example values.

/** What one request looks like as an event (the shipped builder's input). */
export type EventRequest = HttpApiRequest;

/** Ids, times, hosts and addresses from the documentation's examples. */
const EXAMPLE = {
  accountId: '123456789012',
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  now: new Date('2026-11-25T08:00:00Z'),
  sourceIp: '203.0.113.7',
} as const;

/** HTTP API (payload format 2.0) event for a request CloudFront forwarded to the API origin. */
export function httpApiEventViaCloudFront(request: EventRequest): APIGatewayProxyEventV2 {
  return httpApiEvent(request, {
    ...EXAMPLE,
    host: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
    headers: {
      via: '2.0 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)',
      'x-amz-cf-id': 'EXAMPLE2bLw2Dr8n8SFq4N3lXcIqTqVUrj6ZyI0rjmAhEXAMPLE==',
      'cloudfront-viewer-address': '203.0.113.7:53211',
      'cloudfront-viewer-country': 'NL',
      'cloudfront-is-desktop-viewer': 'true',
      'user-agent': 'Amazon CloudFront',
      'x-forwarded-for': '203.0.113.7, 198.51.100.10',
    },
  });
}

/** Lambda Function URL event: the same 2.0 shape, with the function URL's own domain. */
export function functionUrlEvent(request: EventRequest): APIGatewayProxyEventV2 {
  return httpApiEvent(request, {
    ...EXAMPLE,
    host: 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws',
    headers: { 'user-agent': 'Mozilla/5.0', 'x-forwarded-for': '203.0.113.7' },
  });
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

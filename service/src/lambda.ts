import type { LambdaEvent } from 'hono/aws-lambda';
import { handle } from 'hono/aws-lambda';
import { ALERT_WAIT_MS, snsTell } from './alerts/link-alerts.js';
import { compose } from './compose.js';
import { loadConfig } from './config.js';
import { countryOf } from './domain/links.js';
import { cloudFrontViewerAddress } from './http/address.js';
import { localInstance } from './http/answer-metrics.js';
import type { AddressOf } from './http/routes/count.js';

// Built once per Lambda environment, outside the handler, so warm invocations reuse the client
// and its open connections.
const config = loadConfig(process.env);

// Behind CloudFront (ORIGIN_SECRETS set, every other request refused), the viewer is who
// CloudFront says it is. Without it, a caller could say anything in that header: the address
// is then the one the request came from, which nobody can forge.
const sourceIp: AddressOf = (c) => {
  const { event } = (c.env ?? {}) as { event?: LambdaEvent };
  const context = event?.requestContext as { http?: { sourceIp?: string } } | undefined;
  return context?.http?.sourceIp;
};

const behindCloudFront = config.originSecrets.length > 0;
const { app, alerts, ready } = compose(
  config,
  behindCloudFront ? cloudFrontViewerAddress : sourceIp,
  {
    // Like the address: CloudFront's word only when the request is verified as CloudFront's.
    ...(behindCloudFront
      ? { countryOf: (c) => countryOf(c.req.header('cloudfront-viewer-country')) }
      : {}),
    ...(config.alertTopicArn ? { tell: snsTell(config.alertTopicArn) } : {}),
    // Lambda's own names for the function and the version running (a number, even when invoked
    // through the `live` alias): the dimensions of the metrics the canary watches.
    instance: {
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? localInstance.functionName,
      version: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? localInstance.version,
    },
  },
);
// During the function's init, so the first visit does not wait for the day's salt. It never
// rejects (a failure is fetched again by the first visit) and is bounded by the store's deadline.
await ready;

const respond = handle(app);
export const handler: typeof respond = async (event, context) => {
  const response = await respond(event, context);
  await alerts.settle(ALERT_WAIT_MS);
  return response;
};

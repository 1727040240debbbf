import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { PINNED_WIDGET_DIR } from '../../web/build/embed.js';
import { synthesize } from './support.js';

// The pinned widget (docs/site.md, "Embedding the counter on another site"): what other sites load
// with `integrity` and `crossorigin="anonymous"`.

const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const IMMUTABLE = 'public, max-age=31536000, immutable';

const outdir = mkdtempSync(join(tmpdir(), 'footfall-cdk-widget-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const { cdkApp, appTemplate: template } = synthesize({}, { outdir });

interface Behavior {
  PathPattern?: string;
  TargetOriginId: string;
  ResponseHeadersPolicyId: { Ref: string };
  [key: string]: unknown;
}
const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution')) as {
  Properties: {
    DistributionConfig: { DefaultCacheBehavior: Behavior; CacheBehaviors: Behavior[] };
  };
}[];
const config = distribution?.Properties.DistributionConfig;
const widgetBehavior = config?.CacheBehaviors.find(
  (b) => b.PathPattern === `/${PINNED_WIDGET_DIR}/*`,
);
const policies = template.findResources('AWS::CloudFront::ResponseHeadersPolicy') as Record<
  string,
  { Properties: { ResponseHeadersPolicyConfig: Record<string, unknown> } }
>;
const policyOf = (behavior: Behavior | undefined) =>
  policies[behavior?.ResponseHeadersPolicyId.Ref ?? 'none']?.Properties.ResponseHeadersPolicyConfig;

interface Deployment {
  DestinationBucketKeyPrefix?: string;
  SourceObjectKeys: string[];
  Prune: boolean;
  SystemMetadata: Record<string, string>;
}
const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment')).map(
  (resource) => (resource as { Properties: Deployment }).Properties,
);
/** The files a deployment uploads, as staged in cdk.out. */
function staged(deployment: Deployment | undefined): string[] {
  cdkApp.synth();
  const [key] = deployment?.SourceObjectKeys ?? [];
  return readdirSync(join(outdir, `asset.${key?.replace(/\.zip$/, '')}`), { recursive: true })
    .map(String)
    .sort();
}

describe('the pinned widget on CloudFront', () => {
  test('has a behaviour of its own: from the site bucket, HTTPS, GET and HEAD, cached as S3 says', () => {
    expect(widgetBehavior).toMatchObject({
      TargetOriginId: config?.DefaultCacheBehavior.TargetOriginId,
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD'],
      CachePolicyId: CACHING_OPTIMIZED,
      Compress: true,
    });
  });

  test('answers any origin (Access-Control-Allow-Origin: *, no credentials), allows cross-origin use, and keeps every security header', () => {
    const policy = policyOf(widgetBehavior);
    expect(policy?.CorsConfig).toEqual({
      AccessControlAllowOrigins: { Items: ['*'] },
      AccessControlAllowMethods: { Items: ['GET', 'HEAD'] },
      AccessControlAllowHeaders: { Items: ['*'] },
      AccessControlAllowCredentials: false,
      OriginOverride: true,
    });
    expect(policy?.CustomHeadersConfig).toEqual({
      Items: [{ Header: 'Cross-Origin-Resource-Policy', Value: 'cross-origin', Override: true }],
    });
    // The same security headers as the rest of the site (CSP, HSTS, nosniff, DENY, referrer).
    const site = policyOf(config?.DefaultCacheBehavior);
    expect(site?.SecurityHeadersConfig).toBeDefined();
    expect(policy?.SecurityHeadersConfig).toEqual(site?.SecurityHeadersConfig);
    // Nothing else is opened to other origins: the page and the stable widget are as before.
    expect(site?.CorsConfig).toBeUndefined();
    expect(site?.CustomHeadersConfig).toBeUndefined();
  });

  test('is uploaded as JavaScript cached for a year, never pruned, and only by its own deployment', () => {
    const widget = deployments.find(
      (d) => d.DestinationBucketKeyPrefix === `${PINNED_WIDGET_DIR}/`,
    );
    expect(widget).toMatchObject({
      Prune: false,
      SystemMetadata: {
        'cache-control': IMMUTABLE,
        'content-type': 'text/javascript; charset=utf-8',
      },
    });
    expect(staged(widget)).toEqual(['footfall-widget.0123456789abcdef.js']);
    // The pages' deployment (no-cache) leaves the folder out, or it would overwrite its caching.
    const pages = deployments.find((d) => d.DestinationBucketKeyPrefix === undefined);
    expect(pages?.SystemMetadata).toEqual({ 'cache-control': 'no-cache' });
    expect(staged(pages)).toEqual(['index.html']);
  });
});

import { join, resolve } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { BADGE_PATHS, ORIGIN_VERIFY_HEADER } from '../../service/src/http/cloudfront.js';
import { contentSecurityPolicy } from '../../web/build/csp.js';
import { PINNED_WIDGET_DIR } from '../../web/build/embed.js';

export interface CustomDomain {
  /** e.g. `resume.example.com` */
  readonly name: string;
  /** The Route 53 zone the alias records go in. */
  readonly zone: route53.IHostedZone;
  /** A certificate for `name`, in us-east-1 (CloudFront's requirement). */
  readonly certificate: acm.ICertificate;
}

/** A CloudFront Function: a path ending in `/` (not the root) asks for its `index.html`. */
export const DIRECTORY_INDEX_CODE = `function handler(event) {
  var request = event.request;
  if (request.uri.length > 1 && request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}`;

/**
 * Application links, `GET /r/SLUG`: the API function answers each with a redirect (and e-mails
 * the owner), so they go to the API like `/api/*`, never cached.
 */
export const LINK_PATH_PATTERN = '/r/*';

/**
 * What CloudFront passes the API function from a viewer's request, named one by one: every
 * request header the function reads (a test finds them in service/src), the CORS preflight's two,
 * and CloudFront's own viewer headers. Not the managed AllViewerExceptHostHeader: AWS's page for
 * it says it adds CloudFront's viewer headers, but its configuration (`allExcept: host`) names
 * none, and the function counts visitors by `CloudFront-Viewer-Address` and countries by
 * `CloudFront-Viewer-Country`. Named here, the template says they are sent (ADR 13). Never
 * `Host` (the API wants its own) nor cookies (the API sets none).
 */
export const API_REQUEST_HEADERS = [
  'Origin',
  'Access-Control-Request-Method',
  'Access-Control-Request-Headers',
  'Sec-Fetch-Site',
  'Content-Type',
  'User-Agent',
  'CloudFront-Viewer-Address',
  'CloudFront-Viewer-Country',
] as const;

/**
 * What an application link's redirect needs: who opens it (a person, or a link-preview fetcher
 * by its User-Agent), from which address and country. No query string, no cookie.
 */
export const LINK_REQUEST_HEADERS = [
  'User-Agent',
  'CloudFront-Viewer-Address',
  'CloudFront-Viewer-Country',
] as const;

export interface StaticSiteProps {
  /**
   * The built site (`dist/web/`): index.html, hashed files under assets/, and the pinned widget
   * under widget/.
   */
  readonly siteDir: string;
  /** The API's host name; CloudFront sends `/api/*` and `/r/*` there. */
  readonly apiDomainName: string;
  /**
   * Sent to the API in `ORIGIN_VERIFY_HEADER` with every request, so it knows CloudFront: a
   * dynamic reference to one version of the origin secret (`CounterApi.originSecretSent`), which
   * CloudFormation resolves when the distribution changes (ADR 18).
   */
  readonly originVerifyValue: string;
  /** @default - the CloudFront domain */
  readonly domain?: CustomDomain;
  /** @default PRICE_CLASS_100 (North America and Europe edges: the cheapest) */
  readonly priceClass?: cloudfront.PriceClass;
  /** A WAF web ACL (us-east-1) for the distribution. @default none */
  readonly webAclArn?: string;
}

/**
 * The resume page: a private bucket behind CloudFront (Origin Access Control), with `/api/*`
 * forwarded to the HTTP API on the same origin, so the page needs no API URL and no CORS, and
 * application links (`/r/*`) to the same API.
 */
export class StaticSite extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  /** `https://…`, the custom domain if there is one. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);

    // Not stateful (every deploy rewrites it), but kept rather than emptied by a custom resource.
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const securityHeadersBehavior: cloudfront.ResponseSecurityHeadersBehavior = {
      contentSecurityPolicy: {
        // The page fetches from its own origin only; sites that embed the counter are CORS's
        // business, not the page's (ADR 8).
        contentSecurityPolicy: contentSecurityPolicy(),
        override: true,
      },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.days(365),
        includeSubdomains: true,
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: {
        referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
        override: true,
      },
    };
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'footfall: security headers for the page and the API',
      securityHeadersBehavior,
    });
    // The pinned widget is loaded by other sites with `integrity` and `crossorigin="anonymous"`:
    // a CORS fetch, which needs Access-Control-Allow-Origin (CloudFront adds it to the answer of
    // every request that has an Origin, after its cache, so one cached copy serves every site).
    // No credentials: the file is public and the same for everyone.
    const widgetHeaders = new cloudfront.ResponseHeadersPolicy(this, 'WidgetHeaders', {
      comment: 'footfall: the pinned widget, for any site, with the security headers',
      securityHeadersBehavior,
      corsBehavior: {
        accessControlAllowOrigins: ['*'],
        accessControlAllowMethods: ['GET', 'HEAD'],
        // CloudFormation wants at least one; it only ever goes on preflight answers, which this
        // GET/HEAD behaviour never gives (a <script> is never preflighted).
        accessControlAllowHeaders: ['*'],
        accessControlAllowCredentials: false,
        originOverride: true,
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cross-Origin-Resource-Policy', value: 'cross-origin', override: true },
        ],
      },
    });

    const api = new origins.HttpOrigin(props.apiDomainName, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      // Resolved by CloudFormation at deploy time (a dynamic reference), never in the template.
      customHeaders: { [ORIGIN_VERIFY_HEADER]: props.originVerifyValue },
    });

    // S3 has no directory index: /stats/ is the object stats/index.html (`/` is the distribution's
    // default root object).
    const directoryIndex = new cloudfront.Function(this, 'DirectoryIndex', {
      comment: 'footfall: /stats/ and any other folder path serve its index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(DIRECTORY_INDEX_CODE),
    });

    const badgeCache = new cloudfront.CachePolicy(this, 'BadgeCache', {
      comment: 'footfall: badges, cached as long as the API says (at most 60 s)',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(60),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    const apiRequests = new cloudfront.OriginRequestPolicy(this, 'ApiRequests', {
      comment: 'footfall: the headers the API function reads, and every query string',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(...API_REQUEST_HEADERS),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });
    const linkRequests = new cloudfront.OriginRequestPolicy(this, 'LinkRequests', {
      comment: "footfall: what an application link's redirect needs: User-Agent, address, country",
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(...LINK_REQUEST_HEADERS),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.none(),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });

    const siteOrigin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket);
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'footfall: the resume page and its counter API',
      defaultRootObject: 'index.html',
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // The TLS policy can only be chosen with our own certificate; the default one is fixed.
      ...(props.domain
        ? {
            domainNames: [props.domain.name],
            certificate: props.domain.certificate,
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      defaultBehavior: {
        origin: siteOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        functionAssociations: [
          { function: directoryIndex, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
        responseHeadersPolicy: headers,
        compress: true,
      },
      additionalBehaviors: {
        // The badges: the one thing under /api CloudFront may keep, for as long as the API's
        // Cache-Control says (60 s), one copy per query string.
        ...Object.fromEntries(
          BADGE_PATHS.map((path) => [
            path,
            {
              origin: api,
              viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
              allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
              cachePolicy: badgeCache,
              originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
              responseHeadersPolicy: headers,
              compress: true,
            },
          ]),
        ),
        '/api/*': {
          origin: api,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          // Counts change on every visit; nothing may be cached.
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          // The headers the function reads, so it sees the viewer's address, country and Origin.
          originRequestPolicy: apiRequests,
          responseHeadersPolicy: headers,
          compress: true,
        },
        // Application links: to the function like /api/*, with the origin-verify header, never
        // cached (every opening is counted and e-mailed). Pasted as http:// too, so redirected.
        [LINK_PATH_PATTERN]: {
          origin: api,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: linkRequests,
          responseHeadersPolicy: headers,
          compress: true,
        },
        // The pinned widget (its name is its hash): from the bucket, cached as S3 says (a year),
        // readable by any site.
        [`/${PINNED_WIDGET_DIR}/*`]: {
          origin: siteOrigin,
          // Its URL is always https (the snippet says so); a redirect would fail CORS anyway.
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: widgetHeaders,
          compress: true,
        },
      },
    });

    // Hashed assets never change: cache them for a year. Everything else is revalidated.
    const assets = new deploy.BucketDeployment(this, 'DeployAssets', {
      sources: [deploy.Source.asset(join(props.siteDir, 'assets'))],
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'assets/',
      // Old hashed files stay: a page cached before this deploy still finds its assets.
      prune: false,
      cacheControl: [deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
    });
    // The pinned widget likewise; no version is ever deleted, so a site that pinned an old one
    // keeps loading exactly what it pinned.
    const pinned = new deploy.BucketDeployment(this, 'DeployPinnedWidget', {
      sources: [deploy.Source.asset(join(props.siteDir, PINNED_WIDGET_DIR))],
      destinationBucket: this.bucket,
      destinationKeyPrefix: `${PINNED_WIDGET_DIR}/`,
      prune: false,
      cacheControl: [deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
      contentType: 'text/javascript; charset=utf-8',
    });
    const pages = new deploy.BucketDeployment(this, 'DeployPages', {
      sources: [deploy.Source.asset(props.siteDir, { exclude: ['assets', PINNED_WIDGET_DIR] })],
      destinationBucket: this.bucket,
      prune: false,
      cacheControl: [deploy.CacheControl.fromString('no-cache')],
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    pages.node.addDependency(assets, pinned);

    if (props.domain) {
      const target = route53.RecordTarget.fromAlias(
        new targets.CloudFrontTarget(this.distribution),
      );
      new route53.ARecord(this, 'AliasV4', {
        zone: props.domain.zone,
        recordName: props.domain.name,
        target,
      });
      new route53.AaaaRecord(this, 'AliasV6', {
        zone: props.domain.zone,
        recordName: props.domain.name,
        target,
      });
    }
    this.url = `https://${props.domain?.name ?? this.distribution.distributionDomainName}`;
  }
}

/** Where `npm run build` writes the site: `dist/web` in the repository, or `web` in `distDir`. */
export const builtSiteDir = (projectRoot: string, distDir?: string) =>
  distDir === undefined ? join(projectRoot, 'dist/web') : resolve(distDir, 'web');

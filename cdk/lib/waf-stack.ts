import { Stack, type StackProps } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { deployDefaults } from './defaults.js';

/** The paths CloudFront sends to the API function: what the rate rule counts. */
export const FUNCTION_PATH_PREFIXES = ['/api/', '/r/'] as const;

export interface WafStackProps extends StackProps {
  /**
   * Requests one address may send to the function (/api/* and application links, /r/*) in any
   * 5 minutes before it is blocked.
   */
  readonly rateLimit: number;
  /**
   * Requests one address may send to the whole distribution (the page, its assets, any path, the
   * function's too) in any 5 minutes before it is blocked: what bounds a flood of cache-missing
   * static paths (docs/costs.md, worst case). @default deployDefaults.wafSiteRateLimit
   */
  readonly siteRateLimit?: number;
}

/**
 * An optional web ACL for the site's CloudFront distribution (CloudFront's ACLs live in
 * us-east-1): it blocks an address that sends more than `rateLimit` requests to the API function
 * in 5 minutes, so one client cannot take the API's whole throttle (which application links share)
 * nor have a link e-mailed without end; and one that sends more than `siteRateLimit` to any path,
 * so nobody runs up CloudFront's bill with made-up paths the cache never holds. WAF counts addresses inside AWS; footfall stores, logs and
 * returns none of them (no WAF logging is configured).
 */
export class WafStack extends Stack {
  public readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WafStackProps) {
    super(scope, id, props);
    const siteRateLimit = props.siteRateLimit ?? deployDefaults.wafSiteRateLimit;
    for (const [name, limit] of [
      ['rateLimit', props.rateLimit],
      ['siteRateLimit', siteRateLimit],
    ] as const) {
      if (!Number.isInteger(limit) || limit < 10) {
        throw new Error(`WafStack: ${name} must be a whole number of at least 10 (WAF's minimum)`);
      }
    }
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: false, // samples would keep addresses
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      description:
        'footfall: per-address rate limits on the API and application links, and on the site',
      visibilityConfig: visibility('footfall'),
      rules: [
        {
          // The name (and metric name) predate application links; kept so the metric goes on.
          name: 'api-rate-per-address',
          priority: 0,
          action: { block: {} },
          visibilityConfig: visibility('footfall-api-rate'),
          statement: {
            rateBasedStatement: {
              limit: props.rateLimit,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                orStatement: {
                  statements: FUNCTION_PATH_PREFIXES.map((prefix) => ({
                    byteMatchStatement: {
                      fieldToMatch: { uriPath: {} },
                      positionalConstraint: 'STARTS_WITH',
                      searchString: prefix,
                      textTransformations: [{ priority: 0, type: 'NONE' }],
                    },
                  })),
                },
              },
            },
          },
        },
        {
          // Every path: static ones too, where a made-up path misses the cache and is billed.
          name: 'site-rate-per-address',
          priority: 1,
          action: { block: {} },
          visibilityConfig: visibility('footfall-site-rate'),
          statement: {
            rateBasedStatement: {
              limit: siteRateLimit,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
            },
          },
        },
      ],
    });
  }
}

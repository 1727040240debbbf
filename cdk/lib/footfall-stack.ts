import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CounterAlarms } from './alarms.js';
import type { DeployConfig } from './config.js';
import { CounterApi } from './counter-api.js';
import { CounterTable } from './counter-table.js';
import { StaticSite } from './static-site.js';

export interface FootfallStackProps extends StackProps {
  readonly config: DeployConfig;
  /** The repository root (for the Lambda entry and lock file). */
  readonly projectRoot: string;
  /** The built site to upload. */
  readonly siteDir: string;
  /** Required when `config.domain` is set: its certificate, from us-east-1. */
  readonly certificate?: acm.ICertificate;
}

/** Everything footfall runs on: table, API, site, alarms. Deployed by the pipeline. */
export class FootfallStack extends Stack {
  public readonly table: CounterTable;
  /** The value CloudFront sends the API in its origin header (ADR 9). */
  public readonly originSecret: secretsmanager.Secret;
  public readonly api: CounterApi;
  public readonly site: StaticSite;
  public readonly alarms: CounterAlarms;

  constructor(scope: Construct, id: string, props: FootfallStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (config.domain && !props.certificate) {
      throw new Error('FootfallStack: a custom domain needs its certificate (props.certificate)');
    }

    this.table = new CounterTable(this, 'Counter');
    // What CloudFront tells the API with every request, so the API can refuse everyone else.
    this.originSecret = new secretsmanager.Secret(this, 'OriginSecret', {
      description: 'footfall: the header value CloudFront sends the API (ADR 9)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    this.api = new CounterApi(this, 'Api', {
      table: this.table.table,
      originSecret: this.originSecret,
      acceptPreviousOriginSecret: config.acceptPreviousOriginSecret,
      projectRoot: props.projectRoot,
      allowedOrigins: config.allowedOrigins,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
    });
    this.site = new StaticSite(this, 'Site', {
      siteDir: props.siteDir,
      apiDomainName: this.api.domainName,
      originSecret: this.originSecret,
      ...(config.domain && props.certificate
        ? {
            domain: {
              name: config.domain.name,
              certificate: props.certificate,
              zone: route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
                hostedZoneId: config.domain.hostedZoneId,
                zoneName: config.domain.zoneName,
              }),
            },
          }
        : {}),
    });
    // The function (accepting a rotated secret's old and new value) is updated before
    // CloudFront starts sending the new one.
    this.site.distribution.node.addDependency(this.api.function);
    this.alarms = new CounterAlarms(this, 'Alarms', {
      function: this.api.function,
      httpApi: this.api.httpApi,
      table: this.table.table,
      ...(config.alarmEmail ? { email: config.alarmEmail } : {}),
    });

    new CfnOutput(this, 'SiteUrl', { value: this.site.url, description: 'The resume page' });
    new CfnOutput(this, 'ApiUrl', {
      value: `${this.site.url}/api/count`,
      description: 'The counter, same origin',
    });
    new CfnOutput(this, 'DistributionId', { value: this.site.distribution.distributionId });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
  }
}

import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CounterAlarms } from './alarms.js';
import { AlertTopic } from './alert-topic.js';
import { MonthlyBudget } from './budget.js';
import { CounterApi } from './counter-api.js';
import { CounterTable } from './counter-table.js';
import { requestUnitCeilings } from './defaults.js';
import { SafeDeployment } from './delivery.js';
import type { DeployConfig } from './deploy-config.js';
import { StaticSite } from './static-site.js';
import { VisitsTable } from './visits-table.js';

/** Where a stack sits on the way to visitors. */
export type Stage = 'staging' | 'production';

export interface FootfallStackProps extends StackProps {
  readonly config: DeployConfig;
  /**
   * Staging and production are the same stack: each has its own tables, function, API, site,
   * alarms and alert topic. Only production gets the custom domain and the account's budget.
   */
  readonly stage: Stage;
  /** The WAF web ACL for the distribution (its own stack, in us-east-1). @default none */
  readonly webAclArn?: string;
  /** The repository root (for the Lambda entry and lock file). */
  readonly projectRoot: string;
  /** The built site to upload. */
  readonly siteDir: string;
  /** Required when `config.domain` is set: its certificate, from us-east-1. */
  readonly certificate?: acm.ICertificate;
}

/** Everything footfall runs on: tables, API, site, alarms, alerts. Deployed by the pipeline. */
export class FootfallStack extends Stack {
  public readonly table: CounterTable;
  public readonly visitsTable: VisitsTable;
  /** The value CloudFront sends the API in its origin header (ADR 18). */
  public readonly originSecret: secretsmanager.Secret;
  /**
   * The stage's one topic to its owner: every alarm, the budget, and the function's "one of
   * your application links was opened".
   */
  public readonly alerts: AlertTopic;
  public readonly api: CounterApi;
  public readonly site: StaticSite;
  public readonly alarms: CounterAlarms;
  public readonly delivery: SafeDeployment;
  public readonly budget: MonthlyBudget | undefined;
  /** Whether a WAF web ACL guards the distribution. */
  public readonly hasWebAcl: boolean;

  constructor(scope: Construct, id: string, props: FootfallStackProps) {
    super(scope, id, props);
    const { config, stage } = props;
    this.hasWebAcl = props.webAclArn !== undefined;
    const domain = stage === 'production' ? config.domain : undefined;
    if (domain && !props.certificate) {
      throw new Error('FootfallStack: a custom domain needs its certificate (props.certificate)');
    }

    const ceilings = requestUnitCeilings({
      read: config.tableMaxReadRequestUnits,
      write: config.tableMaxWriteRequestUnits,
    });
    this.table = new CounterTable(this, 'Counter', {
      maxReadRequestUnits: ceilings.counts.read,
      maxWriteRequestUnits: ceilings.counts.write,
    });
    this.visitsTable = new VisitsTable(this, 'Visits', {
      maxReadRequestUnits: ceilings.visits.read,
      maxWriteRequestUnits: ceilings.visits.write,
    });
    // What CloudFront tells the API with every request, so the API can refuse everyone else.
    this.originSecret = new secretsmanager.Secret(this, 'OriginSecret', {
      description: 'footfall: the header value CloudFront sends the API (ADR 9)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    this.alerts = new AlertTopic(this, 'Alerts', {
      stage,
      ...(config.alertEmail ? { email: config.alertEmail } : {}),
    });
    this.api = new CounterApi(this, 'Api', {
      table: this.table.table,
      visitsTable: this.visitsTable.table,
      originSecret: this.originSecret,
      alertTopic: this.alerts.topic,
      originSecretVersion: config.originSecretVersion,
      acceptPreviousOriginSecret: config.acceptPreviousOriginSecret,
      projectRoot: props.projectRoot,
      allowedOrigins: config.allowedOrigins,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      ...(config.reservedConcurrency ? { reservedConcurrency: config.reservedConcurrency } : {}),
      viewsPerAddressPerDay: config.viewsPerAddressPerDay,
      viewsPerNetworkPerDay: config.viewsPerNetworkPerDay,
      newPagesPerAddressPerDay: config.newPagesPerAddressPerDay,
      maxPagesPerSite: config.maxPagesPerSite,
      excludedAddresses: config.excludedAddresses,
    });
    this.site = new StaticSite(this, 'Site', {
      siteDir: props.siteDir,
      apiDomainName: this.api.domainName,
      originVerifyValue: this.api.originSecretSent,
      ...(props.webAclArn ? { webAclArn: props.webAclArn } : {}),
      ...(domain && props.certificate
        ? {
            domain: {
              name: domain.name,
              certificate: props.certificate,
              zone: route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
                hostedZoneId: domain.hostedZoneId,
                zoneName: domain.zoneName,
              }),
            },
          }
        : {}),
    });
    // CloudFront changes what it sends only once the version that accepts it serves every
    // request: the alias, which CodeDeploy moves after the canary, not the function, which is
    // updated long before any visitor reaches its new version (ADR 18).
    this.site.distribution.node.addDependency(this.api.alias);
    this.alarms = new CounterAlarms(this, 'Alarms', {
      function: this.api.function,
      httpApi: this.api.httpApi,
      table: this.table.table,
      visitsTable: this.visitsTable.table,
      throttleRateLimit: config.throttleRateLimit,
    });
    this.delivery = new SafeDeployment(this, 'Delivery', {
      api: this.api,
      projectRoot: props.projectRoot,
    });
    // Budgets are per account: production keeps the one budget.
    this.budget =
      stage === 'production' && config.monthlyBudgetUsd > 0
        ? new MonthlyBudget(this, 'Budget', {
            amountUsd: config.monthlyBudgetUsd,
            alerts: this.alerts,
          })
        : undefined;
    // Every alarm in the stage notifies the topic, whichever construct made it: the rollback
    // alarms a deployment watches included. An alarm no one hears of is not worth its $0.10.
    this.alerts.notify(
      this.node.findAll().filter((c): c is cloudwatch.Alarm => c instanceof cloudwatch.Alarm),
    );

    new CfnOutput(this, 'SiteUrl', { value: this.site.url, description: 'The resume page' });
    new CfnOutput(this, 'ApiUrl', {
      value: `${this.site.url}/api/count`,
      description: 'The counter, same origin',
    });
    new CfnOutput(this, 'DistributionId', { value: this.site.distribution.distributionId });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'VisitsTableName', { value: this.visitsTable.table.tableName });
  }
}

import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration, Fn } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { bundleLambdaSync } from '../../service/build/bundle.js';
import { lambdaEntry, lambdaEntryName } from '../../service/build/options.js';
import { loadConfig } from '../../service/src/config.js';
import { dynamodbLimits } from '../../service/src/db/limits.js';
import { table } from '../../service/src/db/table.js';
import {
  countingLimits,
  defaultViewsPerNetwork,
} from '../../service/src/domain/counting-limits.js';
import { deployDefaults } from './defaults.js';
import { type OriginSecretReferences, originSecretReferences } from './origin-secret.js';

export interface CounterApiProps {
  /** The table holding the counts. */
  readonly table: dynamodb.ITable;
  /** The table holding the day's salts, visitor records and quotas (ADR 12). */
  readonly visitsTable: dynamodb.ITable;
  /**
   * Where the function tells the owner that an application link was opened: its
   * `ALERT_TOPIC_ARN`, the one topic it may publish to.
   */
  readonly alertTopic: sns.ITopic;
  /** The repository root: where `service/src/lambda.ts` and `package-lock.json` live. */
  readonly projectRoot: string;
  /** Origins granted CORS. @default - none: same-origin only */
  readonly allowedOrigins?: readonly string[];
  /** Steady-state requests per second. @default deployDefaults.throttleRateLimit */
  readonly throttleRateLimit?: number;
  /** Burst above the rate. @default deployDefaults.throttleBurstLimit */
  readonly throttleBurstLimit?: number;
  /** How long logs are kept. @default one month */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The secret CloudFront sends in its origin header; the function refuses requests without it
   * (ADR 18).
   */
  readonly originSecret: secretsmanager.ISecret;
  /**
   * Which version of the secret CloudFront sends and the function accepts: 0, the value the
   * stack generated; N, the value the rotation runbook labelled `footfall-origin-N`.
   * @default 0
   */
  readonly originSecretVersion?: number;
  /**
   * Also accept version `originSecretVersion - 1`, while CloudFront still sends it (the middle
   * step of a rotation).
   * @default false
   */
  readonly acceptPreviousOriginSecret?: boolean;
  /** Concurrent executions reserved for the function (also its ceiling). @default none */
  readonly reservedConcurrency?: number;
  /**
   * Views one address may add to one page a UTC day; 0: no limit.
   * @default countingLimits.viewsPerAddressPerDay.default
   */
  readonly viewsPerAddressPerDay?: number;
  /**
   * Views one IPv6 /48 may add to one page a UTC day; 0: no limit.
   * @default defaultViewsPerNetwork(viewsPerAddressPerDay)
   */
  readonly viewsPerNetworkPerDay?: number;
  /**
   * Page counters one address may create a UTC day; 0: no limit.
   * @default countingLimits.newPagesPerAddressPerDay.default
   */
  readonly newPagesPerAddressPerDay?: number;
  /** Page counters one site may hold. @default countingLimits.maxPagesPerSite.default */
  readonly maxPagesPerSite?: number;
  /** Addresses and CIDR ranges whose POSTs are never counted. @default - none */
  readonly excludedAddresses?: readonly string[];
}

/**
 * What every footfall function shares: its entry bundled by `bundleLambdaSync`, the function
 * `npm run build` bundles with (the local esbuild, never Docker): `index.mjs` and the chunks it
 * loads on first use. Not `NodejsFunction`, whose esbuild command writes one `--outfile` and so
 * cannot split (ADR 6, "Issue 24"). The same runtime, architecture and memory for each.
 */
export function footfallFunction(projectRoot: string, entry: string) {
  return {
    code: lambda.Code.fromAsset(projectRoot, {
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never pulled: local bundling either succeeds or fails the synth, as NodejsFunction's
        // does with Docker bundling off (it names this same placeholder).
        image: DockerImage.fromRegistry('dummy'),
        local: {
          tryBundle(outputDir: string) {
            bundleLambdaSync(join(projectRoot, entry), outputDir);
            return true;
          },
        },
      },
    }),
    handler: `${lambdaEntryName}.handler`,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
  };
}

/**
 * A Lambda function's own role, allowed at first only to write to its own log group (not
 * AWSLambdaBasicExecutionRole, which may create and write any log group); callers add the rest.
 */
export function functionRole(
  scope: Construct,
  id: string,
  logGroup: logs.ILogGroup,
  description: string,
): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description,
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:log-stream:*`],
    }),
  );
  return role;
}

/** The API: the Hono app in one arm64 Lambda behind an HTTP API's `$default` stage. */
export class CounterApi extends Construct {
  public readonly function: lambda.Function;
  /**
   * `live`: what the API invokes. It points at a published version of the function, and moves
   * to a new one only through CodeDeploy, once the new version passed its pre-traffic check.
   */
  public readonly alias: lambda.Alias;
  /**
   * The `ORIGIN_SECRETS` value the function is given: deploy-time references, never a value, the
   * one CloudFront sends first.
   */
  public readonly originSecrets: string;
  /** What CloudFront must send in its origin header: a reference to the version named. */
  public readonly originSecretSent: string;
  public readonly httpApi: apigw.HttpApi;
  public readonly stage: apigw.HttpStage;
  /** The API's host name, for CloudFront's origin. */
  public readonly domainName: string;

  constructor(scope: Construct, id: string, props: CounterApiProps) {
    super(scope, id);
    const rate = props.throttleRateLimit ?? deployDefaults.throttleRateLimit;
    const burst = props.throttleBurstLimit ?? deployDefaults.throttleBurstLimit;
    if (!Number.isInteger(rate) || rate < 1)
      throw new Error(`throttleRateLimit must be a positive integer, got ${rate}`);
    if (!Number.isInteger(burst) || burst < 1)
      throw new Error(`throttleBurstLimit must be a positive integer, got ${burst}`);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const viewsPerAddress =
      props.viewsPerAddressPerDay ?? countingLimits.viewsPerAddressPerDay.default;
    // Every limit is written out, so the function's environment says what it enforces.
    const counting = {
      VIEWS_PER_ADDRESS_PER_DAY: String(viewsPerAddress),
      VIEWS_PER_NETWORK_PER_DAY: String(
        props.viewsPerNetworkPerDay ?? defaultViewsPerNetwork(viewsPerAddress),
      ),
      NEW_PAGES_PER_ADDRESS_PER_DAY: String(
        props.newPagesPerAddressPerDay ?? countingLimits.newPagesPerAddressPerDay.default,
      ),
      MAX_PAGES_PER_SITE: String(props.maxPagesPerSite ?? countingLimits.maxPagesPerSite.default),
      EXCLUDED_ADDRESSES: (props.excludedAddresses ?? []).join(','),
    };
    // Checked by the function's own parser now: a value it would refuse fails synth, not every
    // invocation of the new version.
    try {
      loadConfig(counting);
    } catch (error) {
      throw new Error(`CounterApi: ${(error as Error).message}`);
    }

    const logGroup = new logs.LogGroup(this, 'FunctionLogs', { retention });
    // Our own role: logs to its own group, and the DynamoDB calls the code makes. Nothing else.
    const role = functionRole(
      this,
      'FunctionRole',
      logGroup,
      'footfall API: write its logs, read and increment counters and visit records, publish link alerts',
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        // Reads, atomic updates, and one day range per history query: nothing that scans,
        // deletes or replaces an item.
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        resources: [
          props.table.tableArn,
          `${props.table.tableArn}/index/${table.bySiteIndex.name}`,
        ],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        // A visit reads and updates one record at a time; DynamoDB's TTL deletes them, so the
        // function needs no query, scan, put or delete here.
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [props.visitsTable.tableArn],
      }),
    );
    // sns:Publish on this topic alone (and KMS on its key, should it ever have one).
    props.alertTopic.grantPublish(role);

    // Resolved by CloudFormation at deploy time: the value is never in the template. Checked
    // before anything is built: a version the settings cannot mean fails synth.
    let references: OriginSecretReferences;
    try {
      references = originSecretReferences(
        props.originSecret,
        props.originSecretVersion ?? deployDefaults.originSecretVersion,
        props.acceptPreviousOriginSecret ?? deployDefaults.acceptPreviousOriginSecret,
      );
    } catch (error) {
      throw new Error(`CounterApi: ${(error as Error).message}`);
    }
    this.originSecretSent = references.sent;
    this.originSecrets = references.accepted.join(',');

    this.function = new lambda.Function(this, 'Function', {
      ...footfallFunction(props.projectRoot, lambdaEntry),
      // Longer than the store's own deadline, so a slow DynamoDB ends in our 503, not a timeout.
      timeout: Duration.millis(dynamodbLimits.operationDeadlineMs + 2_500),
      role,
      logGroup,
      ...(props.reservedConcurrency
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      // JSON lines, and no START/END/REPORT lines per invocation: logs are most of the bill at scale.
      loggingFormat: lambda.LoggingFormat.JSON,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      environment: {
        TABLE_NAME: props.table.tableName,
        VISITS_TABLE_NAME: props.visitsTable.tableName,
        ALLOWED_ORIGINS: (props.allowedOrigins ?? []).join(','),
        ORIGIN_SECRETS: this.originSecrets,
        ALERT_TOPIC_ARN: props.alertTopic.topicArn,
        ...counting,
      },
    });

    this.alias = new lambda.Alias(this, 'Live', {
      aliasName: 'live',
      version: this.function.currentVersion,
      description: 'What the API invokes; moved by CodeDeploy after the pre-traffic check',
    });

    // No `corsPreflight`: with it, API Gateway answers preflights itself and drops the CORS
    // headers the function returns, so the tested Hono allow-list would never run (ADR 7).
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'footfall visitor counter',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('Integration', this.alias, {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
      }),
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: rate, burstLimit: burst },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            // No address: footfall never logs one (the README's privacy section).
            requestId: '$context.requestId',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            status: '$context.status',
            length: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // https://{id}.execute-api.{region}.amazonaws.com → {id}.execute-api.{region}.amazonaws.com
    // Not an output: the API answers only CloudFront (ADR 9), so its own URL is of no use.
    this.domainName = Fn.select(2, Fn.split('/', this.httpApi.apiEndpoint));
  }
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, test } from 'vitest';
import { table, visitsTable } from '../../service/src/db/table.js';
import {
  countingLimits,
  defaultViewsPerNetwork,
} from '../../service/src/domain/counting-limits.js';
import { ORIGIN_VERIFY_HEADER } from '../../service/src/http/cloudfront.js';
import { contentSecurityPolicy } from '../../web/build/csp.js';
import { CounterApi, type CounterApiProps } from '../lib/counter-api.js';
import {
  API_REQUEST_HEADERS,
  DIRECTORY_INDEX_CODE,
  LINK_PATH_PATTERN,
  LINK_REQUEST_HEADERS,
} from '../lib/static-site.js';
import { VisitsTable } from '../lib/visits-table.js';
import { projectRoot, synthesize } from './support.js';

// CloudFront's managed policies, by their fixed ids.
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

const { appTemplate: template } = synthesize();

// The counts table's logical ID is fixed: a new one would be a new, empty table.
const COUNTS_TABLE = 'CounterTable4A83EFB3';
const [VISITS_TABLE = 'missing'] = Object.keys(
  template.findResources('AWS::DynamoDB::Table'),
).filter((id) => id.startsWith('VisitsTable'));

/** The logical ID of a template's SNS topic whose ID starts with `prefix`. */
const topicId = (t: Template, prefix: string) =>
  Object.keys(t.findResources('AWS::SNS::Topic')).find((id) => id.startsWith(prefix)) ?? 'missing';

type Behavior = Record<string, unknown> & { PathPattern: string; TargetOriginId: string };
type DistributionConfig = {
  CacheBehaviors: Behavior[];
  Origins: (Record<string, unknown> & { Id: string })[];
};

/** The distribution's configuration in a template (there is one distribution). */
function distributionConfig(t: Template): DistributionConfig {
  const [distribution] = Object.values(t.findResources('AWS::CloudFront::Distribution')) as {
    Properties: { DistributionConfig: DistributionConfig };
  }[];
  return distribution?.Properties.DistributionConfig ?? { CacheBehaviors: [], Origins: [] };
}

/** A path pattern's behaviour, its origin, and the origin request policy it uses. */
function behaviorFor(t: Template, path: string) {
  const config = distributionConfig(t);
  const behavior = config.CacheBehaviors.find((b) => b.PathPattern === path);
  const origin = config.Origins.find((o) => o.Id === behavior?.TargetOriginId);
  const policyRef = (behavior?.OriginRequestPolicyId as { Ref?: string } | undefined)?.Ref ?? '';
  const policy = t.findResources('AWS::CloudFront::OriginRequestPolicy')[policyRef] as
    | { Properties: { OriginRequestPolicyConfig: Record<string, unknown> } }
    | undefined;
  return { behavior, origin, policy: policy?.Properties.OriginRequestPolicyConfig };
}

/** The request headers the service's code reads (`req.header('…')`), lower-cased. */
function headersTheServiceReads(): string[] {
  const root = join(projectRoot, 'service/src');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
    // The dev server runs without CloudFront.
    (file) => file.endsWith('.ts') && !file.startsWith('dev'),
  );
  const names = files.flatMap((file) =>
    [...readFileSync(join(root, file), 'utf8').matchAll(/req\.header\(\s*'([^']+)'/g)].map(
      (match) => (match[1] ?? '').toLowerCase(),
    ),
  );
  return [...new Set(names)].sort();
}

/** Every IAM statement in a template, flattened. */
function statements(
  t: Template,
): { Action: string | string[]; Resource: unknown; Effect: string }[] {
  return Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties
        .PolicyDocument.Statement,
  );
}

describe('table', () => {
  test('on-demand, point-in-time recovery, deletion protection, TTL, keys from the shared definition', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
      KeySchema: [
        { AttributeName: table.partitionKey, KeyType: 'HASH' },
        { AttributeName: table.sortKey, KeyType: 'RANGE' },
      ],
      // The sparse by-site index, as the service's own definition has it.
      GlobalSecondaryIndexes: [
        {
          IndexName: table.bySiteIndex.name,
          KeySchema: [
            { AttributeName: table.bySiteIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: table.bySiteIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      TableName: Match.absent(),
    });
  });

  test('is retained whatever happens to the stack', () => {
    expect(
      Object.keys(
        template.findResources('AWS::DynamoDB::Table', {
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
        }),
      ),
    ).toEqual([COUNTS_TABLE]);
  });

  test('keeps its logical ID (a new ID would mean a new, empty table)', () => {
    expect(Object.keys(template.findResources('AWS::DynamoDB::Table'))).toEqual([
      COUNTS_TABLE,
      VISITS_TABLE,
    ]);
  });
});

describe('visits table', () => {
  const visits = template.toJSON().Resources[VISITS_TABLE] as {
    Properties: Record<string, unknown>;
    DeletionPolicy: string;
    UpdateReplacePolicy: string;
  };

  test('on-demand, TTL on expiresAt, keys from the shared definition, no index', () => {
    expect(visits.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      KeySchema: [
        { AttributeName: visitsTable.partitionKey, KeyType: 'HASH' },
        { AttributeName: visitsTable.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: visitsTable.partitionKey, AttributeType: 'S' },
        { AttributeName: visitsTable.sortKey, AttributeType: 'S' },
      ],
      SSESpecification: { SSEEnabled: true },
    });
    // The attribute every visits item carries, as the service defines it.
    expect(visitsTable.timeToLiveAttribute).toBe('expiresAt');
    expect(visits.Properties.GlobalSecondaryIndexes).toBeUndefined();
    expect(visits.Properties.TableName).toBeUndefined();
  });

  test('no point-in-time recovery, no deletion protection, and no backup of it in the stack', () => {
    expect(visits.Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: false,
    });
    expect(visits.Properties.DeletionProtectionEnabled).toBe(false);
    template.resourceCountIs('AWS::Backup::BackupPlan', 0);
    template.resourceCountIs('AWS::Backup::BackupSelection', 0);
  });

  test('is deleted with the stack: nothing in it is worth keeping past 48 hours', () => {
    expect(visits).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('its name is a stack output', () => {
    template.hasOutput('VisitsTableName', { Value: { Ref: VISITS_TABLE } });
  });
});

describe('API function', () => {
  test('Node.js 24 on arm64, both tables by reference, bounded timeout, its own log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 6,
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: COUNTS_TABLE },
          VISITS_TABLE_NAME: { Ref: VISITS_TABLE },
          ALLOWED_ORIGINS: '',
        }),
      },
      LoggingConfig: {
        LogGroup: { Ref: Match.stringLikeRegexp('^ApiFunctionLogs') },
        LogFormat: 'JSON',
        SystemLogLevel: 'WARN',
        ApplicationLogLevel: 'INFO',
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('every counting limit is in its environment: the defaults when none is set', () => {
    const viewsPerAddress = countingLimits.viewsPerAddressPerDay.default;
    expect(limitsOf(template)).toEqual({
      VIEWS_PER_ADDRESS_PER_DAY: String(viewsPerAddress),
      VIEWS_PER_NETWORK_PER_DAY: String(defaultViewsPerNetwork(viewsPerAddress)),
      NEW_PAGES_PER_ADDRESS_PER_DAY: String(countingLimits.newPagesPerAddressPerDay.default),
      MAX_PAGES_PER_SITE: String(countingLimits.maxPagesPerSite.default),
      EXCLUDED_ADDRESSES: '',
    });
  });

  test('every counting limit follows its deploy setting, as -c strings or cdk.json numbers and lists', () => {
    // `cdk -c key=value` hands every value over as a string.
    expect(
      limitsOf(
        synthesize({
          viewsPerAddressPerDay: '5',
          viewsPerNetworkPerDay: '0',
          newPagesPerAddressPerDay: '3',
          maxPagesPerSite: '100',
          excludedAddresses: '203.0.113.7, 2001:db8:1::/48',
          staging: 'false',
        }).appTemplate,
      ),
    ).toEqual({
      VIEWS_PER_ADDRESS_PER_DAY: '5',
      VIEWS_PER_NETWORK_PER_DAY: '0',
      NEW_PAGES_PER_ADDRESS_PER_DAY: '3',
      MAX_PAGES_PER_SITE: '100',
      EXCLUDED_ADDRESSES: '203.0.113.7,2001:db8:1::/48',
    });
    // cdk.json's numbers and lists; the per-network limit follows the per-address one.
    expect(
      limitsOf(
        synthesize({
          viewsPerAddressPerDay: 7,
          newPagesPerAddressPerDay: 0,
          maxPagesPerSite: 1,
          excludedAddresses: ['198.51.100.0/24', '2001:db8::1'],
          staging: false,
        }).appTemplate,
      ),
    ).toEqual({
      VIEWS_PER_ADDRESS_PER_DAY: '7',
      VIEWS_PER_NETWORK_PER_DAY: String(defaultViewsPerNetwork(7)),
      NEW_PAGES_PER_ADDRESS_PER_DAY: '0',
      MAX_PAGES_PER_SITE: '1',
      EXCLUDED_ADDRESSES: '198.51.100.0/24,2001:db8::1',
    });
  });

  test('a limit the function would refuse fails synth, naming its variable', () => {
    const stack = new Stack();
    const visits = new VisitsTable(stack, 'Visits', {
      maxReadRequestUnits: 1,
      maxWriteRequestUnits: 1,
    }).table;
    let apis = 0;
    const api = (props: Partial<CounterApiProps>) => () =>
      new CounterApi(stack, `Api${++apis}`, {
        table: visits,
        visitsTable: visits,
        originSecret: new Secret(stack, `Secret${apis}`),
        alertTopic: new Topic(stack, `Alerts${apis}`),
        projectRoot,
        ...props,
      });
    expect(api({ maxPagesPerSite: 0 })).toThrow(/MAX_PAGES_PER_SITE: "0" is not a whole number/);
    expect(api({ viewsPerNetworkPerDay: 1.5 })).toThrow(/VIEWS_PER_NETWORK_PER_DAY/);
    expect(api({ excludedAddresses: ['192.0.2.0/40'] })).toThrow(/EXCLUDED_ADDRESSES/);
    expect(
      () =>
        new VisitsTable(stack, 'Unbounded', { maxReadRequestUnits: 0, maxWriteRequestUnits: 1 }),
    ).toThrow(/maxReadRequestUnits/);
  });

  test('may call exactly GetItem, UpdateItem and Query on the counts, GetItem and UpdateItem on the visits, publish link alerts, and write its own logs', () => {
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p).includes('dynamodb:'),
    ) as { Properties: { PolicyDocument: { Statement: unknown[] } } };
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: [
          { 'Fn::GetAtt': ['ApiFunctionLogs4B382957', 'Arn'] },
          {
            'Fn::Join': [
              '',
              [{ 'Fn::GetAtt': ['ApiFunctionLogs4B382957', 'Arn'] }, ':log-stream:*'],
            ],
          },
        ],
      },
      {
        Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: [
          { 'Fn::GetAtt': [COUNTS_TABLE, 'Arn'] },
          {
            'Fn::Join': [
              '',
              [{ 'Fn::GetAtt': [COUNTS_TABLE, 'Arn'] }, `/index/${table.bySiteIndex.name}`],
            ],
          },
        ],
      },
      {
        // The visits table's records are read and updated one at a time, and deleted by TTL.
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [VISITS_TABLE, 'Arn'] },
      },
      {
        Action: 'sns:Publish',
        Effect: 'Allow',
        Resource: { Ref: topicId(template, 'AlertsTopic') },
      },
    ]);
  });

  test('nothing in the stack may scan, delete, put or batch-write a table, or use a DynamoDB wildcard', () => {
    const actions = statements(template).flatMap((s) =>
      Array.isArray(s.Action) ? s.Action : [s.Action],
    );
    const dynamodb = actions.filter((action) => action.startsWith('dynamodb:'));
    expect(dynamodb.sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
    ]);
  });

  test('the function role carries no managed policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
    });
  });
});

/** The counting limits in the API function's environment. */
function limitsOf(t: Template): Record<string, unknown> {
  const [fn] = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([id]) =>
    id.startsWith('ApiFunction'),
  );
  const variables = (fn?.[1].Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
  const names = [
    'VIEWS_PER_ADDRESS_PER_DAY',
    'VIEWS_PER_NETWORK_PER_DAY',
    'NEW_PAGES_PER_ADDRESS_PER_DAY',
    'MAX_PAGES_PER_SITE',
    'EXCLUDED_ADDRESSES',
  ];
  return Object.fromEntries(names.map((name) => [name, variables[name]]));
}

describe('HTTP API', () => {
  test('$default stage, auto-deployed, throttled, with access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context.requestId'),
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      PayloadFormatVersion: '2.0',
    });
  });

  test('throttling follows the configuration; CORS is the function’s alone (ADR 7)', () => {
    const configured = synthesize({
      throttleRateLimit: 7,
      throttleBurstLimit: 9,
      allowedOrigins: ['https://blog.example.com'],
    }).appTemplate;
    configured.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 },
    });
    // With an allow-list, API Gateway must still leave preflights to the function (Hono's
    // `cors()`), which gets the list through its environment.
    configured.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.absent(),
    });
    // The page's CSP lets it connect to its own origin only, allow-list or not (ADR 8).
    const csp = JSON.stringify(configured.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toContain('blog.example.com');
    // Every method, OPTIONS included, reaches the function through the one catch-all route.
    configured.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    configured.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    configured.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ALLOWED_ORIGINS: 'https://blog.example.com' }) },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
  });
});

describe('site', () => {
  test('a private, TLS-only bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('CloudFront reads it through Origin Access Control, HTTPS only, compressed', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          CachePolicyId: CACHING_OPTIMIZED,
          Compress: true,
        }),
      }),
    });
  });

  test('/api/* goes to the HTTP API uncached, with the headers the function reads, CloudFront-Viewer-Address and -Country among them', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: Match.arrayWith([
          Match.objectLike({
            PathPattern: '/api/*',
            CachePolicyId: CACHING_DISABLED,
            ViewerProtocolPolicy: 'https-only',
            AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
          }),
        ]),
        Origins: Match.arrayWith([
          Match.objectLike({
            CustomOriginConfig: Match.objectLike({
              OriginProtocolPolicy: 'https-only',
              OriginSSLProtocols: ['TLSv1.2'],
            }),
          }),
        ]),
      }),
    });
    const { policy } = behaviorFor(template, '/api/*');
    // Named, so the template shows CloudFront sends them; never Host (the API wants its own).
    expect(policy).toMatchObject({
      HeadersConfig: { HeaderBehavior: 'whitelist', Headers: [...API_REQUEST_HEADERS] },
      QueryStringsConfig: { QueryStringBehavior: 'all' },
      CookiesConfig: { CookieBehavior: 'none' },
    });
    expect(API_REQUEST_HEADERS).toContain('CloudFront-Viewer-Country');
    expect(API_REQUEST_HEADERS).toContain('CloudFront-Viewer-Address');
    expect(API_REQUEST_HEADERS.map((h) => h.toLowerCase())).not.toContain('host');
    // CloudFront's quota: at most 10 headers in an origin request policy.
    expect(API_REQUEST_HEADERS.length).toBeLessThanOrEqual(10);
  });

  test('every request header the service reads reaches it through /api/*', () => {
    const reads = headersTheServiceReads();
    expect(reads).toContain('cloudfront-viewer-address');
    const forwarded = API_REQUEST_HEADERS.map((h) => h.toLowerCase());
    for (const header of reads) expect(forwarded, header).toContain(header);
  });

  test('security headers: the page CSP, HSTS, nosniff, frame denial, referrer policy', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: contentSecurityPolicy(), Override: true },
          StrictTransportSecurity: Match.objectLike({
            AccessControlMaxAgeSec: 31536000,
            IncludeSubdomains: true,
          }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
        },
      }),
    });
  });

  test('the built site is uploaded (hashed assets immutable) and the cache invalidated', () => {
    // Pages, hashed assets, and the pinned widget (cdk/test/widget.test.ts).
    template.resourceCountIs('Custom::CDKBucketDeployment', 3);
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketKeyPrefix: 'assets/',
      Prune: false,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionPaths: ['/*'],
    });
  });

  test('without a custom domain: the CloudFront domain, no certificate, no DNS', () => {
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: Match.absent(),
        ViewerCertificate: Match.absent(),
      }),
    });
  });

  test('with a custom domain: a us-east-1 certificate, TLS 1.2, A and AAAA aliases', () => {
    const withDomain = synthesize(
      {
        domainName: 'resume.example.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        hostedZoneName: 'example.com',
      },
      { env: { account: '123456789012', region: 'eu-west-1' } },
    );
    expect(withDomain.certificate?.region).toBe('us-east-1');
    Template.fromStack(withDomain.certificate as never).hasResourceProperties(
      'AWS::CertificateManager::Certificate',
      {
        DomainName: 'resume.example.com',
        ValidationMethod: 'DNS',
        DomainValidationOptions: [
          { DomainName: 'resume.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' },
        ],
      },
    );
    const site = withDomain.appTemplate;
    site.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['resume.example.com'],
        ViewerCertificate: Match.objectLike({
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        }),
      }),
    });
    for (const type of ['A', 'AAAA']) {
      site.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'resume.example.com.',
        Type: type,
        HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      });
    }
  });
});

describe('stats page', () => {
  test('/stats/ is served from stats/index.html by a viewer-request function on the site', () => {
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: DIRECTORY_INDEX_CODE,
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          FunctionAssociations: [Match.objectLike({ EventType: 'viewer-request' })],
        }),
      }),
    });
    // The function itself, run as CloudFront runs it.
    const handler = new Function(`${DIRECTORY_INDEX_CODE}; return handler;`)() as (event: {
      request: { uri: string };
    }) => { uri: string };
    const uri = (path: string) => handler({ request: { uri: path } }).uri;
    expect(uri('/stats/')).toBe('/stats/index.html');
    expect(uri('/')).toBe('/');
    expect(uri('/assets/site.ABC.css')).toBe('/assets/site.ABC.css');
  });
});

describe('badges', () => {
  test('/api/badge.svg and /api/shield are cached as the API says (≤ 60 s); the rest of /api/* never', () => {
    const [distribution] = Object.values(
      template.findResources('AWS::CloudFront::Distribution'),
    ) as { Properties: { DistributionConfig: { CacheBehaviors: Record<string, unknown>[] } } }[];
    const behaviors = distribution?.Properties.DistributionConfig.CacheBehaviors ?? [];
    const byPath = new Map(behaviors.map((b) => [b.PathPattern as string, b]));
    // More specific patterns come first: CloudFront takes the first that matches.
    expect(behaviors.map((b) => b.PathPattern)).toEqual([
      '/api/badge.svg',
      '/api/shield',
      '/api/*',
      '/r/*',
      '/widget/*',
    ]);
    const [policyId] = Object.keys(template.findResources('AWS::CloudFront::CachePolicy'));
    for (const path of ['/api/badge.svg', '/api/shield']) {
      expect(byPath.get(path)).toMatchObject({
        CachePolicyId: { Ref: policyId },
        AllowedMethods: ['GET', 'HEAD'],
      });
    }
    expect(byPath.get('/api/*')).toMatchObject({ CachePolicyId: CACHING_DISABLED });
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        MinTTL: 0,
        DefaultTTL: 0,
        MaxTTL: 60,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          QueryStringsConfig: { QueryStringBehavior: 'all' },
          HeadersConfig: { HeaderBehavior: 'none' },
          CookiesConfig: { CookieBehavior: 'none' },
        }),
      }),
    });
  });
});

describe('application links', () => {
  test('/r/* goes to the API function like /api/*: never cached, GET and HEAD, http redirected to https, no CloudFront Function', () => {
    const { behavior, origin } = behaviorFor(template, LINK_PATH_PATTERN);
    expect(LINK_PATH_PATTERN).toBe('/r/*');
    expect(behavior).toMatchObject({
      CachePolicyId: CACHING_DISABLED,
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
    });
    expect(behavior?.FunctionAssociations).toBeUndefined();
    expect(behavior?.TargetOriginId).toBe(behaviorFor(template, '/api/*').behavior?.TargetOriginId);
    expect(origin?.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only' });
  });

  test('/r/* carries the origin-verify secret, as /api/* does (ADR 9)', () => {
    const { origin } = behaviorFor(template, LINK_PATH_PATTERN);
    expect(origin?.OriginCustomHeaders).toEqual([
      { HeaderName: ORIGIN_VERIFY_HEADER, HeaderValue: expect.anything() },
    ]);
    // The secret itself, resolved by CloudFormation at deploy time.
    expect(JSON.stringify(origin?.OriginCustomHeaders)).toContain('{{resolve:secretsmanager:');
  });

  test('/r/* forwards User-Agent, CloudFront-Viewer-Address and CloudFront-Viewer-Country, and no query string or cookie', () => {
    const { policy } = behaviorFor(template, LINK_PATH_PATTERN);
    expect(policy).toMatchObject({
      HeadersConfig: {
        HeaderBehavior: 'whitelist',
        Headers: ['User-Agent', 'CloudFront-Viewer-Address', 'CloudFront-Viewer-Country'],
      },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'none' },
    });
    expect(LINK_REQUEST_HEADERS).toEqual([
      'User-Agent',
      'CloudFront-Viewer-Address',
      'CloudFront-Viewer-Country',
    ]);
  });
});

describe('only CloudFront reaches the API (ADR 9, ADR 18)', () => {
  const secretRef = () => {
    const [id] = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    return id ?? '';
  };

  test('one generated secret: CloudFront sends it in the origin header, the function requires it', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 48, ExcludePunctuation: true }),
    });
    const dynamicReference = Match.objectLike({
      'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('resolve:secretsmanager')])],
    });
    const distribution = JSON.stringify(template.findResources('AWS::CloudFront::Distribution'));
    expect(distribution).toContain(ORIGIN_VERIFY_HEADER);
    expect(distribution).toContain('{{resolve:secretsmanager:');
    expect(distribution).toContain(secretRef());
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ORIGIN_SECRETS: dynamicReference }) },
    });
    // Which version, step by step through a rotation, and when CloudFront changes it:
    // origin-secret.test.ts.
  });

  test('the API’s own URL is not published, and its access logs hold no address', () => {
    const outputs = JSON.stringify(template.findOutputs('*'));
    expect(outputs).not.toContain('execute-api');
    expect(outputs).not.toMatch(/ApiEndpoint/);
    const stage = JSON.stringify(template.findResources('AWS::ApiGatewayV2::Stage'));
    expect(stage).not.toContain('sourceIp');
  });
});

describe('alarms', () => {
  test('Lambda errors, API 5xx, DynamoDB throttles, request rate, 4xx share', () => {
    // And the deployment's three rollback alarms (delivery.test.ts).
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
    // Half the 50 req/s throttle for two 5-minute periods.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Count',
      Namespace: 'AWS/ApiGateway',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 7500,
      EvaluationPeriods: 2,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 20,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(requests >= 100, 100 * errors / requests, 0)' }),
        Match.objectLike({
          Id: 'errors',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: '4xx' }) }),
        }),
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5xx',
      Namespace: 'AWS/ApiGateway',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp('\\+') })]),
    });
    // Throttled GetItem and UpdateItem, one alarm for each table.
    const throttles = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((alarm) => JSON.stringify(alarm))
      .filter((alarm) => alarm.includes('ThrottledRequests'));
    expect(throttles).toHaveLength(2);
    for (const id of [COUNTS_TABLE, VISITS_TABLE]) {
      const alarm = throttles.filter((text) => text.includes(`"Ref":"${id}"`));
      expect(alarm, id).toHaveLength(1);
      expect(alarm[0]).toContain('"GetItem"');
      expect(alarm[0]).toContain('"UpdateItem"');
    }
  });
});

describe('alerts: one topic per stage (issue 23)', () => {
  const withEmail = synthesize({ alertEmail: 'me@example.com' });
  const stages = [
    ['production', withEmail.appTemplate],
    ['staging', Template.fromStack(withEmail.staging ?? withEmail.app)],
  ] as const;
  /** The stage's one topic: a template holds exactly one. */
  const theTopic = (t: Template) => {
    const ids = Object.keys(t.findResources('AWS::SNS::Topic'));
    expect(ids).toHaveLength(1);
    return ids[0] ?? 'missing';
  };
  type PolicyStatement = {
    Sid?: string;
    Effect: string;
    Principal?: unknown;
    Action: string;
    Condition?: unknown;
  };
  const topicPolicy = (t: Template, topic: string): PolicyStatement[] => {
    const policies = Object.values(t.findResources('AWS::SNS::TopicPolicy')) as {
      Properties: { Topics: unknown[]; PolicyDocument: { Statement: PolicyStatement[] } };
    }[];
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.Topics).toEqual([{ Ref: topic }]);
    return policies[0]?.Properties.PolicyDocument.Statement ?? [];
  };

  test('one topic a stage, with or without an address, named for its stage', () => {
    for (const [stage, t] of [...stages, ['production', template]] as const) {
      theTopic(t);
      t.hasResourceProperties('AWS::SNS::Topic', { DisplayName: `footfall ${stage}` });
      // No KMS key: CloudWatch and Budgets publish to it without a key policy.
      t.resourceCountIs('AWS::KMS::Key', 0);
    }
  });

  test("every alarm in the stage, the deployment's rollback alarms among them, notifies that topic", () => {
    for (const [stage, t] of [...stages, ['no e-mail', template]] as const) {
      const topic = theTopic(t);
      const alarms = Object.entries(t.findResources('AWS::CloudWatch::Alarm'));
      // CounterAlarms' six and the canary's three rollback alarms (delivery.test.ts).
      expect(alarms.length, stage).toBe(9);
      expect(
        alarms.filter(([id]) => id.startsWith('DeliveryNewVersion')),
        stage,
      ).toHaveLength(3);
      for (const [id, alarm] of alarms) {
        expect(alarm.Properties.AlarmActions, `${stage} ${id}`).toEqual([{ Ref: topic }]);
      }
      // The ones CodeDeploy rolls back on are among them.
      const [group] = Object.values(t.findResources('AWS::CodeDeploy::DeploymentGroup'));
      const watched = (group?.Properties.AlarmConfiguration.Alarms ?? []) as { Name: unknown }[];
      expect(watched.length, stage).toBeGreaterThan(0);
      for (const { Name } of watched) {
        const id = (Name as { Ref: string }).Ref;
        expect(
          alarms.map(([alarm]) => alarm),
          stage,
        ).toContain(id);
      }
    }
  });

  test('alertEmail subscribes to the topic by e-mail, once a stage; without it, nothing is', () => {
    for (const [, t] of stages) {
      t.resourceCountIs('AWS::SNS::Subscription', 1);
      t.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'me@example.com',
        TopicArn: { Ref: theTopic(t) },
      });
    }
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('the topic refuses publishing without TLS and lets in CloudWatch for this account’s alarms', () => {
    for (const [, t] of stages) {
      const statements = topicPolicy(t, theTopic(t));
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      expect(statements).toContainEqual({
        Sid: 'CloudWatchAlarms',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: theTopic(t) },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudwatch:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':alarm:*',
                ],
              ],
            },
          },
        },
      });
    }
  });

  test('the budget (production only) notifies the same topic, which lets Budgets publish for this account', () => {
    const [production, staging] = [stages[0][1], stages[1][1]];
    const topic = theTopic(production);
    const [budget] = Object.values(production.findResources('AWS::Budgets::Budget'));
    const notifications = budget?.Properties.NotificationsWithSubscribers as {
      Subscribers: unknown[];
    }[];
    expect(notifications).toHaveLength(2);
    for (const { Subscribers } of notifications) {
      expect(Subscribers).toEqual([{ SubscriptionType: 'SNS', Address: { Ref: topic } }]);
    }
    expect(topicPolicy(production, topic)).toContainEqual({
      Sid: 'Budgets',
      Effect: 'Allow',
      Principal: { Service: 'budgets.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: { Ref: topic },
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: {
          'aws:SourceArn': {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':budgets::', { Ref: 'AWS::AccountId' }, ':*'],
            ],
          },
        },
      },
    });
    // Budgets checks that it may publish when the notification is created: policy first.
    const policyId = Object.keys(production.findResources('AWS::SNS::TopicPolicy'))[0];
    expect(budget?.DependsOn).toEqual(expect.arrayContaining([policyId, topic]));
    // Staging has no budget, and no Budgets statement.
    staging.resourceCountIs('AWS::Budgets::Budget', 0);
    expect(topicPolicy(staging, theTopic(staging)).map((s) => s.Sid)).not.toContain('Budgets');
  });

  test('the function’s ALERT_TOPIC_ARN names that topic', () => {
    for (const [, t] of [...stages, ['production', template]] as const) {
      t.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.handler',
        Environment: { Variables: Match.objectLike({ ALERT_TOPIC_ARN: { Ref: theTopic(t) } }) },
      });
    }
  });

  test('the function may publish to that topic alone: sns:Publish on its ARN, nothing else of SNS anywhere', () => {
    for (const [, t] of [...stages, ['production', template]] as const) {
      const sns = statements(t).filter((s) =>
        (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => a.startsWith('sns:')),
      );
      expect(sns).toEqual([
        { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: theTopic(t) } },
      ]);
      // Granted to the API function's role, not the hook's nor the site deployer's.
      const [policy] = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
        JSON.stringify(p).includes('"sns:Publish"'),
      );
      expect(JSON.stringify(policy?.Properties.Roles)).toMatch(/"Ref":"ApiFunctionRole/);
    }
    // And the topic lets no other principal in: only the two AWS services, with conditions.
    for (const [, t] of stages) {
      const principals = topicPolicy(t, theTopic(t))
        .filter((s) => s.Effect === 'Allow')
        .map((s) => s.Principal);
      expect(principals).toEqual(expect.arrayContaining([{ Service: 'cloudwatch.amazonaws.com' }]));
      for (const principal of principals) {
        expect(principal).toMatchObject({
          Service: expect.stringMatching(/^(cloudwatch|budgets)\.amazonaws\.com$/),
        });
      }
    }
  });
});

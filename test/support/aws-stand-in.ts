import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lambdaContext } from './lambda-events.js';

// The AWS APIs footfall's tools and functions call besides DynamoDB (which is always the real
// dynalite), on loopback, each speaking its own wire protocol: the real SDK clients sign, send and
// parse as they would against AWS, pointed here by AWS_ENDPOINT_URL_<SERVICE>, and no test
// reaches AWS. One stand-in for every area's tests:
//
// - STS GetCallerIdentity (Query protocol, XML): who the credentials are (the deploy tools, the
//   admin CLI's audit trail);
// - SSM GetParameter (JSON 1.1): whether CDK is bootstrapped in a region (the deploy pre-flight);
// - CloudFormation DescribeStacks (Query, XML): a stack's outputs (the admin CLI's table);
// - Lambda Invoke (REST JSON): a function version run in this process (the pre-traffic hook);
// - CodeDeploy PutLifecycleEventHookExecutionStatus (JSON 1.1): what the hook reported;
// - IAM GetRole, ListAttachedRolePolicies, GetPolicy (Query, XML): CDK's execution role and
//   footfall's policies (the deploy pre-flight);
// - Route 53 GetHostedZone (REST XML): the custom domain's zone (the deploy pre-flight);
// - SNS Publish (Query, XML, or JSON 1.0): the owner told of a link's open (the API function).

/** The account the stand-in says every working key belongs to. */
export const ACCOUNT = '123456789012';
export const CALLER_ARN = `arn:aws:iam::${ACCOUNT}:user/maya`;

/** Access keys that make the stand-in answer as AWS does for them; any other key works too. */
export const KEYS = {
  /** Signed in; SSM answers by region (see `bootstrapped`). */
  good: 'AKIAGOODEXAMPLE',
  /** STS refuses it: InvalidClientTokenId, as for a deleted or mistyped key. */
  refused: 'AKIAREFUSEDEXAMPLE',
  /** STS knows it; SSM denies it GetParameter. */
  ssmDenied: 'AKIASSMDENIEDEXAMPLE',
  /** STS and SSM answer it; IAM denies it every read. */
  iamDenied: 'AKIAIAMDENIEDEXAMPLE',
} as const;

/** The SSM parameter `cdk bootstrap` writes with footfall's (CDK's default) qualifier. */
const BOOTSTRAP_VERSION = '/cdk-bootstrap/hnb659fds/version';

/** One version of a function: a Lambda handler, as Lambda would run it. */
export type FunctionVersion = (event: unknown, context: typeof lambdaContext) => Promise<unknown>;

/** An IAM role as GetRole and ListAttachedRolePolicies show it. */
export interface StandInRole {
  /** The permissions boundary's ARN, if the role has one. */
  readonly boundary?: string;
  /** The ARNs of the managed policies attached to it. */
  readonly policies: readonly string[];
}

/** A Route 53 hosted zone as GetHostedZone shows it. */
export interface StandInHostedZone {
  /** As Route 53 spells it, with the trailing dot: `example.com.`. */
  readonly name: string;
  readonly privateZone?: boolean;
}

/** One `PutLifecycleEventHookExecutionStatus` CodeDeploy received. */
export interface HookReport {
  readonly deploymentId: string;
  readonly lifecycleEventHookExecutionId: string;
  readonly status: string;
  /** Whether the request was signed (SigV4), as every AWS call must be. */
  readonly signed: boolean;
}

export interface AwsStandIn {
  /** For every AWS_ENDPOINT_URL_<SERVICE> above. */
  readonly endpoint: string;
  /** SSM: regions where the bootstrap version parameter exists, with its value. */
  readonly bootstrapped: Map<string, string>;
  /** CloudFormation: each stack's outputs, by stack name; tests add theirs. */
  readonly stacks: Map<string, Record<string, string>>;
  /** IAM: the roles, by name. */
  readonly roles: Map<string, StandInRole>;
  /** IAM: the ARNs of the customer managed policies there are. */
  readonly policies: Set<string>;
  /** Route 53: the hosted zones, by id (`Z…`, without `/hostedzone/`). */
  readonly hostedZones: Map<string, StandInHostedZone>;
  /** Lambda: the function names (qualified ARNs) invoked, in order. */
  readonly invoked: string[];
  /** CodeDeploy: the hook statuses reported, in order. */
  readonly reports: HookReport[];
  /** Each request as `service:Action region`, in order. */
  readonly requests: string[];
  /** SNS: the messages published, in order. */
  readonly published: { topicArn: string; subject: string; message: string }[];
  close(): Promise<void>;
}

export interface AwsStandInOptions {
  /** Lambda: the function versions Invoke runs, by qualified function name. */
  readonly functions?: Readonly<Record<string, FunctionVersion>>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers = {}) =>
  res
    .writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify(body));
const xml = (res: ServerResponse, status: number, body: string) =>
  res.writeHead(status, { 'content-type': 'text/xml' }).end(body);
const jsonType = { 'content-type': 'application/x-amz-json-1.1' };

/** Starts the stand-in on a free loopback port. */
export async function startAwsStandIn(options: AwsStandInOptions = {}): Promise<AwsStandIn> {
  const functions = options.functions ?? {};
  const bootstrapped = new Map<string, string>();
  const stacks = new Map<string, Record<string, string>>();
  const roles = new Map<string, StandInRole>();
  const policies = new Set<string>();
  const hostedZones = new Map<string, StandInHostedZone>();
  const invoked: string[] = [];
  const published: { topicArn: string; subject: string; message: string }[] = [];
  const reports: HookReport[] = [];
  const requests: string[] = [];

  /** STS GetCallerIdentity, by the access key that signed it. */
  const sts = (res: ServerResponse, action: string, key: string | undefined) => {
    if (action !== 'GetCallerIdentity') {
      return xml(
        res,
        400,
        `<ErrorResponse><Error><Code>InvalidAction</Code><Message>${action}</Message></Error></ErrorResponse>`,
      );
    }
    if (key === KEYS.refused) {
      return xml(
        res,
        403,
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
          '<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message>' +
          '</Error><RequestId>1</RequestId></ErrorResponse>',
      );
    }
    return xml(
      res,
      200,
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
        `<Arn>${CALLER_ARN}</Arn><UserId>AIDAEXAMPLE</UserId><Account>${ACCOUNT}</Account>` +
        '</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
    );
  };

  /** CloudFormation DescribeStacks: the outputs a test gave the stack. */
  const cloudFormation = (res: ServerResponse, form: URLSearchParams) => {
    const name = form.get('StackName') ?? '';
    const outputs = stacks.get(name);
    if (!outputs) {
      return xml(
        res,
        400,
        `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${name} does not exist</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
      );
    }
    const members = Object.entries(outputs)
      .map(
        ([key, value]) =>
          `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`,
      )
      .join('');
    return xml(
      res,
      200,
      `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${name}</StackName><StackId>arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/${name}/1</StackId><StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    );
  };

  /** IAM's reads of roles and policies; a missing one is `NoSuchEntity`, as IAM says it. */
  const iam = (res: ServerResponse, action: string, form: URLSearchParams, key?: string) => {
    const error = (status: number, code: string, message: string) =>
      xml(
        res,
        status,
        `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
      );
    const answer = (body: string) =>
      xml(
        res,
        200,
        `<${action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><${action}Result>${body}</${action}Result><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></${action}Response>`,
      );
    if (key === KEYS.iamDenied) {
      return error(
        403,
        'AccessDenied',
        `User: ${CALLER_ARN} is not authorized to perform: iam:${action}`,
      );
    }
    if (action === 'GetPolicy') {
      const arn = form.get('PolicyArn') ?? '';
      if (!policies.has(arn))
        return error(404, 'NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
      const name = arn.split('/').pop() ?? '';
      return answer(
        `<Policy><PolicyName>${name}</PolicyName><PolicyId>ANPAEXAMPLE</PolicyId><Arn>${arn}</Arn><Path>/</Path><DefaultVersionId>v1</DefaultVersionId><AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable><CreateDate>2026-01-01T00:00:00Z</CreateDate><UpdateDate>2026-01-01T00:00:00Z</UpdateDate></Policy>`,
      );
    }
    const name = form.get('RoleName') ?? '';
    const role = roles.get(name);
    if (!role && (action === 'GetRole' || action === 'ListAttachedRolePolicies')) {
      return error(404, 'NoSuchEntity', `The role with name ${name} cannot be found.`);
    }
    if (action === 'GetRole' && role) {
      const boundary = role.boundary
        ? `<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>${role.boundary}</PermissionsBoundaryArn></PermissionsBoundary>`
        : '';
      return answer(
        `<Role><Path>/</Path><RoleName>${name}</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::${ACCOUNT}:role/${name}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument>${boundary}</Role>`,
      );
    }
    if (action === 'ListAttachedRolePolicies' && role) {
      const members = role.policies
        .map(
          (arn) =>
            `<member><PolicyName>${arn.split('/').pop()}</PolicyName><PolicyArn>${arn}</PolicyArn></member>`,
        )
        .join('');
      return answer(
        `<AttachedPolicies>${members}</AttachedPolicies><IsTruncated>false</IsTruncated>`,
      );
    }
    return error(400, 'InvalidAction', action);
  };

  /** Route 53 GetHostedZone (`GET /2013-04-01/hostedzone/{Id}`). */
  const route53 = (res: ServerResponse, url: URL) => {
    const id = decodeURIComponent(url.pathname.slice('/2013-04-01/hostedzone/'.length));
    const zone = hostedZones.get(id);
    const ns = 'https://route53.amazonaws.com/doc/2013-04-01/';
    if (!zone) {
      return xml(
        res,
        404,
        `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: ${id}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
      );
    }
    return xml(
      res,
      200,
      `<GetHostedZoneResponse xmlns="${ns}"><HostedZone><Id>/hostedzone/${id}</Id><Name>${zone.name}</Name><CallerReference>1</CallerReference><Config><PrivateZone>${zone.privateZone === true}</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone><DelegationSet><NameServers><NameServer>ns-1.awsdns-01.org</NameServer></NameServers></DelegationSet></GetHostedZoneResponse>`,
    );
  };

  /** SSM GetParameter: the bootstrap version, where a test said CDK is bootstrapped. */
  const ssm = (res: ServerResponse, body: string, key: string | undefined, region?: string) => {
    const name = (JSON.parse(body) as { Name: string }).Name;
    const version = region === undefined ? undefined : bootstrapped.get(region);
    if (key === KEYS.ssmDenied) {
      return json(
        res,
        400,
        {
          __type: 'AccessDeniedException',
          message: `User: ${CALLER_ARN} is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:${region}:${ACCOUNT}:parameter${name}`,
        },
        jsonType,
      );
    }
    if (version === undefined || name !== BOOTSTRAP_VERSION) {
      return json(res, 400, { __type: 'ParameterNotFound', message: '' }, jsonType);
    }
    return json(
      res,
      200,
      { Parameter: { Name: name, Type: 'String', Value: version, Version: 1 } },
      jsonType,
    );
  };

  /**
   * Lambda Invoke (`POST /2015-03-31/functions/{FunctionName}/invocations`), RequestResponse
   * only: runs the version named by the (qualified) function name, answers its result as JSON,
   * and a thrown error as Lambda does (`X-Amz-Function-Error: Unhandled`, still a 200).
   */
  const lambda = async (req: IncomingMessage, res: ServerResponse, url: URL, body: string) => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (req.method !== 'POST' || !match?.[1]) {
      return json(res, 404, { message: `no route ${req.method} ${url.pathname}` });
    }
    const qualifier = url.searchParams.get('Qualifier');
    const name = decodeURIComponent(match[1]) + (qualifier ? `:${qualifier}` : '');
    invoked.push(name);
    const version = functions[name];
    if (!version) {
      return json(
        res,
        404,
        { Type: 'User', message: `Function not found: ${name}` },
        { 'x-amzn-errortype': 'ResourceNotFoundException' },
      );
    }
    let result: unknown;
    try {
      result = await version(JSON.parse(body), lambdaContext);
    } catch (error) {
      return json(
        res,
        200,
        { errorType: (error as Error).name, errorMessage: (error as Error).message, trace: [] },
        { 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': name.split(':').pop() },
      );
    }
    return json(res, 200, result, { 'x-amz-executed-version': name.split(':').pop() });
  };

  /** CodeDeploy PutLifecycleEventHookExecutionStatus, recorded. */
  const codeDeploy = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const input = JSON.parse(body) as Omit<HookReport, 'signed'>;
    reports.push({
      deploymentId: input.deploymentId,
      lifecycleEventHookExecutionId: input.lifecycleEventHookExecutionId,
      status: input.status,
      signed: /^AWS4-HMAC-SHA256 Credential=/.test(req.headers.authorization ?? ''),
    });
    return json(
      res,
      200,
      { lifecycleEventHookExecutionId: input.lifecycleEventHookExecutionId },
      jsonType,
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const [, key, region, service] =
      String(req.headers.authorization ?? '').match(
        /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/,
      ) ?? [];
    const url = new URL(req.url ?? '/', 'http://aws');
    if (url.pathname.startsWith('/2015-03-31/functions/')) {
      requests.push(`lambda:Invoke ${region}`);
      return lambda(req, res, url, body);
    }
    if (url.pathname.startsWith('/2013-04-01/hostedzone/') && req.method === 'GET') {
      requests.push(`route53:GetHostedZone ${region}`);
      return route53(res, url);
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target === 'AmazonSSM.GetParameter') {
      requests.push(`ssm:GetParameter ${region}`);
      return ssm(res, body, key, region);
    }
    if (target === 'CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus') {
      requests.push(`codedeploy:PutLifecycleEventHookExecutionStatus ${region}`);
      return codeDeploy(req, res, body);
    }
    if (target === 'AmazonSNS.Publish') {
      requests.push(`sns:Publish ${region}`);
      const input = JSON.parse(body) as { TopicArn: string; Subject?: string; Message: string };
      published.push({
        topicArn: input.TopicArn,
        subject: input.Subject ?? '',
        message: input.Message,
      });
      return json(
        res,
        200,
        { MessageId: `m-${published.length}` },
        {
          'content-type': 'application/x-amz-json-1.0',
        },
      );
    }
    if (target !== '') {
      return json(res, 400, { __type: 'UnknownOperationException', message: target }, jsonType);
    }
    const form = new URLSearchParams(body);
    const action = form.get('Action') ?? '';
    requests.push(`${service}:${action} ${region}`);
    if (action === 'DescribeStacks') return cloudFormation(res, form);
    if (service === 'sns' && action === 'Publish') {
      published.push({
        topicArn: form.get('TopicArn') ?? '',
        subject: form.get('Subject') ?? '',
        message: form.get('Message') ?? '',
      });
      return xml(
        res,
        200,
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-${published.length}</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>`,
      );
    }
    if (service === 'iam') return iam(res, action, form, key);
    return sts(res, action, key);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString()).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bootstrapped,
    stacks,
    roles,
    policies,
    hostedZones,
    invoked,
    reports,
    requests,
    published,
    close: () =>
      new Promise<void>((resolve) => {
        // A function version that never answers still holds its request open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lambdaContext } from '../../test/support/lambda-events.js';

// Local stand-ins for the two AWS APIs the pre-traffic hook calls, speaking their wire
// protocols, so the hook runs with its real SDK clients (pointed here by
// AWS_ENDPOINT_URL_LAMBDA and AWS_ENDPOINT_URL_CODEDEPLOY) and nothing reaches AWS.

/** One version of a function: a Lambda handler, as Lambda would run it. */
export type FunctionVersion = (event: unknown, context: typeof lambdaContext) => Promise<unknown>;

export interface FakeEndpoint {
  readonly endpoint: string;
  close(): Promise<void>;
}

async function listen(
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => Promise<unknown>,
): Promise<FakeEndpoint> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks).toString(), res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // A version that never answers still holds its request open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (res: ServerResponse, status: number, body: unknown, headers = {}) =>
  res
    .writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify(body));

export interface FakeLambda extends FakeEndpoint {
  /** The function names (qualified ARNs) invoked, in order. */
  readonly invoked: string[];
}

/**
 * Lambda's Invoke (`POST /2015-03-31/functions/{FunctionName}/invocations`), RequestResponse
 * only: runs the version named by the (qualified) function name, answers its result as JSON,
 * and a thrown error as Lambda does (`X-Amz-Function-Error: Unhandled`, still a 200).
 */
export async function startFakeLambda(
  versions: Readonly<Record<string, FunctionVersion>>,
): Promise<FakeLambda> {
  const invoked: string[] = [];
  const server = await listen(async (req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://lambda');
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (req.method !== 'POST' || !match?.[1]) {
      return json(res, 404, { message: `no route ${req.method} ${url.pathname}` });
    }
    const qualifier = url.searchParams.get('Qualifier');
    const name = decodeURIComponent(match[1]) + (qualifier ? `:${qualifier}` : '');
    invoked.push(name);
    const version = versions[name];
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
  });
  return { ...server, invoked };
}

/** One `PutLifecycleEventHookExecutionStatus` CodeDeploy received. */
export interface HookReport {
  readonly deploymentId: string;
  readonly lifecycleEventHookExecutionId: string;
  readonly status: string;
  /** Whether the request was signed (SigV4), as every AWS call must be. */
  readonly signed: boolean;
}

export interface FakeCodeDeploy extends FakeEndpoint {
  readonly reports: HookReport[];
}

const PUT_HOOK_STATUS = 'CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus';

/** CodeDeploy's JSON 1.1 API, just `PutLifecycleEventHookExecutionStatus`, recording each call. */
export async function startFakeCodeDeploy(): Promise<FakeCodeDeploy> {
  const reports: HookReport[] = [];
  const server = await listen(async (req, body, res) => {
    const target = req.headers['x-amz-target'];
    const type = { 'content-type': 'application/x-amz-json-1.1' };
    if (req.method !== 'POST' || target !== PUT_HOOK_STATUS) {
      return json(res, 400, { __type: 'UnknownOperationException', message: String(target) }, type);
    }
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
      type,
    );
  });
  return { ...server, reports };
}

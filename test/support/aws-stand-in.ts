import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The account the stand-in says every working key belongs to. */
export const ACCOUNT = '123456789012';
export const CALLER_ARN = `arn:aws:iam::${ACCOUNT}:user/maya`;

/** Access keys that make the stand-in answer as AWS does for them. */
export const KEYS = {
  /** Signed in; SSM answers by region (see `bootstrapped`). */
  good: 'AKIAGOODEXAMPLE',
  /** STS refuses it: InvalidClientTokenId, as for a deleted or mistyped key. */
  refused: 'AKIAREFUSEDEXAMPLE',
  /** STS knows it; SSM denies it GetParameter. */
  ssmDenied: 'AKIASSMDENIEDEXAMPLE',
} as const;

export interface AwsStandIn {
  /** For AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL_SSM. */
  readonly endpoint: string;
  /** Regions where `/cdk-bootstrap/hnb659fds/version` exists, with its value. */
  readonly bootstrapped: Map<string, string>;
  /** Each request as `service:Action region`, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * STS GetCallerIdentity (the Query protocol's XML) and SSM GetParameter (JSON 1.1) on loopback,
 * answering by the access key and the region in each request's signature: the real SDK, signing
 * and parsing as it would against AWS, and no test reaching it.
 */
export async function startAwsStandIn(): Promise<AwsStandIn> {
  const bootstrapped = new Map<string, string>();
  const requests: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const scope =
        String(request.headers.authorization ?? '').match(
          /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/,
        ) ?? [];
      const [, key, region] = scope;
      const target = String(request.headers['x-amz-target'] ?? '');
      if (target === 'AmazonSSM.GetParameter') {
        requests.push(`ssm:GetParameter ${region}`);
        const name = (JSON.parse(body) as { Name: string }).Name;
        response.setHeader('content-type', 'application/x-amz-json-1.1');
        const version = region === undefined ? undefined : bootstrapped.get(region);
        if (key === KEYS.ssmDenied) {
          response.statusCode = 400;
          response.end(
            JSON.stringify({
              __type: 'AccessDeniedException',
              message: `User: ${CALLER_ARN} is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:${region}:${ACCOUNT}:parameter${name}`,
            }),
          );
        } else if (version === undefined || name !== '/cdk-bootstrap/hnb659fds/version') {
          response.statusCode = 400;
          response.end(JSON.stringify({ __type: 'ParameterNotFound', message: '' }));
        } else {
          response.end(
            JSON.stringify({
              Parameter: { Name: name, Type: 'String', Value: version, Version: 1 },
            }),
          );
        }
        return;
      }
      const action = new URLSearchParams(body).get('Action') ?? '';
      requests.push(`sts:${action} ${region}`);
      response.setHeader('content-type', 'text/xml');
      if (action !== 'GetCallerIdentity') {
        response.statusCode = 400;
        response.end(
          `<ErrorResponse><Error><Code>InvalidAction</Code><Message>${action}</Message></Error></ErrorResponse>`,
        );
      } else if (key === KEYS.refused) {
        response.statusCode = 403;
        response.end(
          '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
            '<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message>' +
            '</Error><RequestId>1</RequestId></ErrorResponse>',
        );
      } else {
        response.end(
          '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
            `<Arn>${CALLER_ARN}</Arn><UserId>AIDAEXAMPLE</UserId><Account>${ACCOUNT}</Account>` +
            '</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bootstrapped,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback port nothing listens on: connecting to it is refused at once. */
export async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

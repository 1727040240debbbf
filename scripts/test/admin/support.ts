import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';
import { ensureTable, localCredentials } from '../../../service/src/dev/local-dynamodb.js';
import { endpoint, testClient } from '../../../test/support/index.js';
import { run } from '../../admin/dispatch.js';

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in this process, as `npm run admin -- …argv` would, capturing its output. */
export async function admin(
  argv: string[],
  options: { now?: () => Date; env?: Record<string, string> } = {},
): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    ...(options.env ? { env: options.env } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return { code, stdout, stderr };
}

/** A fresh footfall table in the shared dynalite: the admin commands read whole tables. */
export async function freshTable(label: string): Promise<string> {
  const name = `admin-${label}-${randomUUID().slice(0, 8)}`;
  const client = testClient();
  await ensureTable(client, name);
  client.destroy();
  return name;
}

export interface FakeAws {
  /** The STS and CloudFormation endpoint. */
  readonly endpoint: string;
  /** Each stack's outputs, by stack name; tests add theirs. */
  readonly stacks: Map<string, Record<string, string>>;
  /** The actions asked for, in order. */
  readonly actions: string[];
  close(): Promise<void>;
}

/** The identity the fake STS answers with. */
export const CALLER_ARN = 'arn:aws:sts::000000000000:assumed-role/Owner/alice';

/**
 * The two AWS control-plane calls the CLI makes besides DynamoDB (STS GetCallerIdentity, for the
 * audit trail's who, and CloudFormation DescribeStacks, for the table), answered in their Query
 * protocol's XML: no test reaches AWS. DynamoDB itself is always the real dynalite.
 */
export async function startFakeAws(): Promise<FakeAws> {
  const stacks = new Map<string, Record<string, string>>();
  const actions: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const form = new URLSearchParams(body);
      const action = form.get('Action') ?? '';
      actions.push(action);
      response.setHeader('content-type', 'text/xml');
      if (action === 'GetCallerIdentity') {
        response.end(
          `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${CALLER_ARN}</Arn><UserId>AROAEXAMPLE:alice</UserId><Account>000000000000</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
        return;
      }
      if (action === 'DescribeStacks') {
        const name = form.get('StackName') ?? '';
        const outputs = stacks.get(name);
        if (!outputs) {
          response.statusCode = 400;
          response.end(
            `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${name} does not exist</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
          );
          return;
        }
        const members = Object.entries(outputs)
          .map(
            ([key, value]) =>
              `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`,
          )
          .join('');
        response.end(
          `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${name}</StackName><StackId>arn:aws:cloudformation:eu-west-1:000000000000:stack/${name}/1</StackId><StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
        );
        return;
      }
      response.statusCode = 400;
      response.end(
        `<ErrorResponse><Error><Code>InvalidAction</Code><Message>${action}</Message></Error></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stacks,
    actions,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The environment of someone signed in to AWS, with every AWS endpoint the CLI reaches pointed
 * here: DynamoDB at the shared dynalite, STS and CloudFormation at `fake`. No profile files are
 * read. `vi.unstubAllEnvs()` undoes it.
 */
export function stubAwsEnvironment(fake: FakeAws): void {
  const env: Record<string, string> = {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint(),
    AWS_ENDPOINT_URL_STS: fake.endpoint,
    AWS_ENDPOINT_URL_CLOUDFORMATION: fake.endpoint,
    AWS_CONFIG_FILE: '/nonexistent/footfall-test-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/footfall-test-credentials',
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.stubEnv('AWS_PROFILE', undefined);
}

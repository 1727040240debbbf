import { randomUUID } from 'node:crypto';
import { vi } from 'vitest';
import { ensureTable, localCredentials } from '../../../service/src/dev/local-dynamodb.js';
import type { AwsStandIn } from '../../../test/support/aws-stand-in.js';
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
    // The process's environment unless the test gives one, as main.ts does.
    env: options.env ?? process.env,
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

/**
 * The environment of someone signed in to AWS, with every AWS endpoint the CLI reaches pointed
 * here: DynamoDB at the shared dynalite, STS and CloudFormation at the stand-in `aws`. No profile files are
 * read. `vi.unstubAllEnvs()` undoes it.
 */
export function stubAwsEnvironment(aws: AwsStandIn): void {
  const env: Record<string, string> = {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint(),
    AWS_ENDPOINT_URL_STS: aws.endpoint,
    AWS_ENDPOINT_URL_CLOUDFORMATION: aws.endpoint,
    AWS_CONFIG_FILE: '/nonexistent/footfall-test-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/footfall-test-credentials',
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.stubEnv('AWS_PROFILE', undefined);
}

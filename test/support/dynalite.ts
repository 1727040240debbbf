import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject, vi } from 'vitest';
import { createDynamoDBClient } from '../../service/src/db/client.js';
import type { DynamoDBLimits } from '../../service/src/db/limits.js';
import { localCredentials, localRegion, scanAll } from '../../service/src/dev/local-dynamodb.js';

// The shared dynalite every test of a project uses (started by dynalite-setup.ts): its endpoint
// and tables, clients of it, and the environment a Lambda entry reads pointed at it.

export const endpoint = () => inject('dynamodbEndpoint');
export const tableName = () => inject('tableName');
export const visitsTableName = () => inject('visitsTableName');

/** A client of the shared dynalite (or of `at`, for fault tests), with production's limits. */
export function testClient(
  at: string = endpoint(),
  limits?: Partial<DynamoDBLimits>,
): DynamoDBClient {
  return createDynamoDBClient({
    endpoint: at,
    region: localRegion,
    credentials: localCredentials,
    ...(limits ? { limits } : {}),
  });
}

/** The environment a Lambda entry reads at import, pointed at the shared dynalite. */
export const lambdaEnvironment = (extra: Record<string, string> = {}): Record<string, string> => ({
  TABLE_NAME: tableName(),
  VISITS_TABLE_NAME: visitsTableName(),
  DYNAMODB_ENDPOINT: endpoint(),
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  ...extra,
});

/**
 * `lambdaEnvironment`, in this process (vitest's `vi.unstubAllEnvs()` undoes it): stub it, then
 * import the entry or the bundle.
 */
export function stubLambdaEnvironment(extra: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(lambdaEnvironment(extra))) vi.stubEnv(name, value);
}

/** Every item of a table, read in full (tests only: a scan reads everything). */
export const scanTable = scanAll;

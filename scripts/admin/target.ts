import { userInfo } from 'node:os';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createDynamoDBClient } from '../../service/src/db/client.js';
import {
  checkDataDir,
  ensureTable,
  LocalDataError,
  type LocalDynamoDB,
  localCredentials,
  localRegion,
  startLocalDynamoDB,
} from '../../service/src/dev/local-dynamodb.js';
import { type AdminDatabase, createAdminDatabase } from './database.js';
import { AdminError } from './errors.js';

/** Where the counts live: the dev server's data, or a deployed stack's table. */
export interface Target {
  readonly kind: 'local' | 'aws';
  /** For messages: `local data in .data (table footfall)`, `stack Footfall in eu-west-1 (…)`. */
  readonly label: string;
  readonly tableName: string;
  readonly client: DynamoDBClient;
  readonly database: AdminDatabase;
  /** Who is acting, for the audit trail: the IAM identity's ARN, or the OS user locally. */
  readonly who: string;
  /** The resume's address (`https://…`), when known: the stack's SiteUrl, the dev server's. */
  readonly siteUrl: string | undefined;
  close(): Promise<void>;
}

export interface LocalTargetOptions {
  /** The dev server's data folder (`FOOTFALL_DATA_DIR`, default `.data`). */
  readonly dataDir: string;
  readonly tableName: string;
  /** The dev server's address. */
  readonly siteUrl: string;
}

/**
 * The dev server's data, opened the way the dev server opens it. The folder is one process's
 * at a time (LevelDB locks it), so while `npm run dev` runs this says to stop it.
 */
export async function openLocalTarget(options: LocalTargetOptions): Promise<Target> {
  try {
    await checkDataDir(options.dataDir);
  } catch (error) {
    if (!(error instanceof LocalDataError)) throw error;
    throw new AdminError(
      error.reason === 'busy'
        ? `the dev server is using ${options.dataDir}: stop it (Ctrl-C in its terminal), then run this again`
        : `FOOTFALL_DATA_DIR=${options.dataDir} is a file, not a folder: point it at the dev server's data folder`,
    );
  }
  const dynamodb: LocalDynamoDB = await startLocalDynamoDB(options.dataDir);
  const client = createDynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: localRegion,
    credentials: localCredentials,
  });
  await ensureTable(client, options.tableName);
  return {
    kind: 'local',
    label: `local data in ${options.dataDir} (table ${options.tableName})`,
    tableName: options.tableName,
    client,
    database: createAdminDatabase(client, options.tableName),
    who: `${userInfo().username} (local)`,
    siteUrl: options.siteUrl,
    close: async () => {
      client.destroy();
      await dynamodb.close();
    },
  };
}

export interface AwsTargetOptions {
  /** The footfall stack whose `TableName` output names the table. */
  readonly stack: string;
  /** Overrides the SDK's region chain. */
  readonly region?: string | undefined;
}

/**
 * A deployed stack's table, reached with the caller's own credentials from the SDK's usual
 * chain (`AWS_PROFILE`, SSO, environment, instance roles). Endpoints follow the SDK's own
 * settings too (`AWS_ENDPOINT_URL_DYNAMODB`, …), which is how the tests point it at dynalite.
 */
export async function openAwsTarget(options: AwsTargetOptions): Promise<Target> {
  const region = options.region === undefined ? {} : { region: options.region };
  const sts = new STSClient(region);
  const cloudFormation = new CloudFormationClient(region);
  try {
    let resolvedRegion: string;
    try {
      resolvedRegion = await sts.config.region();
    } catch {
      throw new AdminError(
        'no AWS region is configured: set AWS_REGION (or a region in your profile), pass --region, or use --local',
      );
    }
    const who = await callerOf(sts);
    const { tableName, siteUrl } = await outputsOf(cloudFormation, options.stack, resolvedRegion);
    const client = createDynamoDBClient(region);
    return {
      kind: 'aws',
      label: `stack ${options.stack} in ${resolvedRegion} (table ${tableName})`,
      tableName,
      client,
      database: createAdminDatabase(client, tableName),
      who,
      siteUrl,
      close: async () => client.destroy(),
    };
  } finally {
    sts.destroy();
    cloudFormation.destroy();
  }
}

async function callerOf(sts: STSClient): Promise<string> {
  try {
    const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
    if (!Arn) throw new Error('GetCallerIdentity returned no ARN');
    return Arn;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'CredentialsProviderError' || name === 'ProviderError') {
      throw new AdminError(
        'no AWS credentials were found: sign in (aws sso login, or set AWS_PROFILE / pass --profile), or use --local',
      );
    }
    throw new AdminError(`AWS did not accept these credentials: ${(error as Error).message}`);
  }
}

async function outputsOf(
  cloudFormation: CloudFormationClient,
  stack: string,
  region: string,
): Promise<{ tableName: string; siteUrl: string | undefined }> {
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
    outputs = Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) {
      throw new AdminError(
        `stack ${stack} was not found in ${region}: pass --stack NAME (and --region) of your footfall stack, or deploy it first`,
      );
    }
    throw new AdminError(`could not read stack ${stack}: ${(error as Error).message}`);
  }
  const table = outputs.find((output) => output.OutputKey === 'TableName')?.OutputValue;
  if (!table) {
    throw new AdminError(`stack ${stack} has no TableName output: is it a footfall stack?`);
  }
  const siteUrl = outputs.find((output) => output.OutputKey === 'SiteUrl')?.OutputValue;
  return { tableName: table, siteUrl };
}

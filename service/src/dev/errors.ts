import type { Config } from '../config.js';
import type { LocalDataError } from './local-dynamodb.js';

// What stops the dev server from starting, said in one line with what to do: a setting that
// cannot work (exit 2) or a state a person can change (exit 1). Nothing here starts anything.

/**
 * The dev server cannot start, for a reason a person can fix: the message is one line saying
 * what is wrong and what to do. `exitCode` is 2 for a setting that cannot work, 1 otherwise.
 */
export class DevStartError extends Error {
  override readonly name = 'DevStartError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** Why the data folder cannot be used (another dev server has it, or it is a file). */
export function dataDirProblem(
  error: LocalDataError,
  config: Pick<Config, 'dataDir'>,
): DevStartError {
  return error.reason === 'busy'
    ? new DevStartError(
        `${config.dataDir} is in use by another dev server: stop it (Ctrl-C in its terminal), or set FOOTFALL_DATA_DIR to another folder`,
        1,
      )
    : new DevStartError(
        `FOOTFALL_DATA_DIR=${config.dataDir} is not a folder: set FOOTFALL_DATA_DIR to a folder for the dev server's data (it is created if missing)`,
        2,
      );
}

/** Why the server could not listen on HOST:PORT, as a DevStartError; undefined if not known. */
export function listenProblem(
  error: unknown,
  { host, port }: Pick<Config, 'host' | 'port'>,
): DevStartError | undefined {
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'EADDRINUSE':
      return new DevStartError(
        `port ${port} is in use: stop what is using it, or run PORT=${port < 65535 ? port + 1 : 0} npm run dev`,
        1,
      );
    case 'EACCES':
      return new DevStartError(
        `port ${port} may only be opened by an administrator here: use a port above 1023, e.g. PORT=8787`,
        2,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new DevStartError(
        `HOST=${host} does not resolve to an address: use HOST=127.0.0.1, or a name or address of this machine`,
        2,
      );
    case 'EADDRNOTAVAIL':
      return new DevStartError(
        `HOST=${host} is not an address of this machine: use HOST=127.0.0.1 (this machine only) or HOST=0.0.0.0 (every network interface)`,
        2,
      );
    default:
      return undefined;
  }
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'TimeoutError',
  'RequestTimeout',
]);

/** A failure of the DynamoDB at `DYNAMODB_ENDPOINT`, in one line saying what to do. */
export function storeProblem(error: unknown, config: Config, endpoint: string): DevStartError {
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  const at = `DYNAMODB_ENDPOINT=${endpoint}`;
  if (UNREACHABLE.has(code ?? '') || UNREACHABLE.has(name ?? '')) {
    return new DevStartError(
      `cannot reach DynamoDB at ${at} (${code ?? name}): start it, or unset DYNAMODB_ENDPOINT to use the built-in dynalite`,
      1,
    );
  }
  if (message === 'Region is missing') {
    return new DevStartError(
      `${at} is set but the AWS SDK has no region: set AWS_REGION (any value does for DynamoDB Local)`,
      2,
    );
  }
  if (name === 'CredentialsProviderError') {
    return new DevStartError(
      `${at} is set but the AWS SDK found no credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values do for DynamoDB Local)`,
      2,
    );
  }
  if (name === 'ResourceNotFoundException') {
    return new DevStartError(
      `table ${config.tableName} or ${config.visitsTableName} does not exist at ${at}: set TABLE_NAME and VISITS_TABLE_NAME to the deployed tables' names (the stack's TableName and VisitsTableName outputs)`,
      2,
    );
  }
  return new DevStartError(
    `DynamoDB at ${at} refused footfall (${name}: ${String(message).split('\n')[0]}): check DYNAMODB_ENDPOINT, TABLE_NAME and your AWS credentials`,
    1,
  );
}

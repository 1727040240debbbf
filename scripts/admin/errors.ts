/** A mistake in the command line: exit code 2, with the command's usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Something the CLI cannot or will not do (a missing stack, a busy data folder, a write to AWS
 * without `--yes`): exit code 1, the message alone, no stack trace.
 */
export class AdminError extends Error {
  override readonly name = 'AdminError';
}

/** DynamoDB refused a conditional write: the item was not as expected. */
export const isConditionFailed = (error: unknown): boolean =>
  (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** One line for any failure: ours as written, AWS's with its name and a hint where one helps. */
export function describeError(error: unknown): string {
  if (error instanceof AdminError) return error.message;
  const { name, message } = error as Error;
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return `${message.split('\n')[0]} (docs/admin.md lists the IAM actions the admin CLI needs)`;
  }
  if (name === 'ResourceNotFoundException')
    return `${message.split('\n')[0]}: has the table been deleted?`;
  return `${name && name !== 'Error' ? `${name}: ` : ''}${String(message ?? error).split('\n')[0]}`;
}

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

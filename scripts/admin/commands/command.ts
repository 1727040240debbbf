import type { ParseArgsConfig } from 'node:util';
import { AdminError } from '../errors.js';
import type { Target } from '../target.js';

/** Where the CLI writes, what it reads from its environment, and its clock. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Rewrites progress in place (a terminal) rather than line by line (a log). */
  readonly interactive?: boolean;
  /**
   * The environment, which the AWS SDK reads too (`main.ts` passes the process's): `--profile`
   * sets AWS_PROFILE in it.
   */
  readonly env: Record<string, string | undefined>;
  readonly now?: () => Date;
}

/** The command line's options, as `node:util`'s parseArgs returns them. */
export type Values = Record<string, string | boolean | undefined>;
export type Options = NonNullable<ParseArgsConfig['options']>;

/** What a command runs with: its parsed command line, the CLI's I/O, and its target. */
export interface Context {
  readonly values: Values;
  readonly positionals: string[];
  readonly io: Required<Omit<Io, 'interactive'>> & Pick<Io, 'interactive'>;
  /** Opens the target the options name; closed by the CLI after the command. */
  target(): Promise<Target>;
}

/** One admin command: its usage and help, the options it takes, and what it does. */
export interface Command {
  readonly usage: string;
  readonly summary: string;
  /** More lines for `--help`. */
  readonly details: string;
  readonly options: Options;
  readonly positionals: number;
  run(context: Context): Promise<void>;
}

/** The help line of `--yes`, for the commands that write. */
export const writeHelp =
  '  --yes              write to AWS (without it, prints what would change and stops)';
/** The help line of `--json`, for the commands that print tables. */
export const jsonHelp = '  --json             print JSON instead of a table';

/** A write to AWS goes ahead only with --yes; without it the plan is shown and nothing changes. */
export function confirm(context: Context, target: Target, plan: string): void {
  if (target.kind === 'local' || context.values.yes === true) return;
  context.io.stdout(`${plan}\n`);
  throw new AdminError(`nothing was changed: add --yes to write this to ${target.label}`);
}

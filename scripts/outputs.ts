import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** The flag, the same for `npm run bench` and `npm run screenshots`, that writes into docs/. */
export const UPDATE_DOCS = '--update-docs';

/** What each command writes: by default into `.cache/` (ignored by git), or the committed copy. */
const OUTPUTS = {
  bench: { scratch: '.cache/bench/benchmarks.md', committed: 'docs/benchmarks.md' },
  screenshots: { scratch: '.cache/screenshots', committed: 'docs/screenshots' },
} as const;
export type OutputCommand = keyof typeof OUTPUTS;

export interface Output {
  /** Absolute: a file for the benchmark, a folder for the screenshots. */
  readonly path: string;
  /** The same, relative to the repository, for messages. */
  readonly relative: string;
  /** Whether this is the copy committed in docs/ (only with --update-docs). */
  readonly committed: boolean;
  /** One line to print once written: where it went, and how to get the other one. */
  readonly note: string;
}

/**
 * Where `command` writes, from its command line: `.cache/…` unless `--update-docs` is given, so
 * that running it leaves no tracked file changed. Anything else on the line is refused.
 */
export function outputFor(root: string, command: OutputCommand, args: readonly string[]): Output {
  const { values } = parseArgs({
    args: [...args],
    options: { 'update-docs': { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  const committed = values['update-docs'];
  const paths = OUTPUTS[command];
  const relative = committed ? paths.committed : paths.scratch;
  return {
    path: join(root, relative),
    relative,
    committed,
    note: committed
      ? `written to ${relative} (committed: review the diff before you commit it)`
      : `written to ${relative} (ignored by git; \`npm run ${command} -- ${UPDATE_DOCS}\` writes ${paths.committed})`,
  };
}

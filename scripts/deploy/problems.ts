// How the deploy tools report what stops them: every problem at once, each with its fix, in one
// block and no stack trace. `npm run bootstrap` and the deploy pre-flight both say it this way.

/** Something missing or wrong, and what to do about it. */
export interface Problem {
  readonly what: string;
  readonly fix: string;
}

/** One block: a heading, each problem with its fix, a closing line. No stack trace. */
export function formatProblems(heading: string, problems: readonly Problem[], closing: string) {
  return [
    `✗ ${heading}`,
    ...problems.map((problem) => `  • ${problem.what}\n    → ${problem.fix}`),
    closing,
  ].join('\n');
}

/**
 * A deploy-configuration error (`DeployConfigError`: a heading, then one setting a line) as one
 * problem per setting, each with its fix.
 */
export function settingProblems(error: Error, fix: (line: string) => string): Problem[] {
  const lines = error.message
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return (lines.length > 0 ? lines : [error.message]).map((line) => ({
    what: `invalid deploy setting: ${line}`,
    fix: fix(line),
  }));
}

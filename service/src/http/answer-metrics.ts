import type { Logger } from './http.js';
import { answerMetrics } from './metric-names.js';

export { answerMetrics };

export type AnswerMetric = typeof answerMetrics.originRefused | typeof answerMetrics.serverErrors;

/** Which function instance is counting. */
export interface FunctionInstance {
  readonly functionName: string;
  readonly version: string;
}

/** Outside Lambda (the dev server, tests): no function, the unpublished version. */
export const localInstance: FunctionInstance = { functionName: 'local', version: '$LATEST' };

/**
 * Counts answers in memory and writes them as one EMF line at most once per
 * `answerMetrics.flushIntervalMs`: the first answer after a quiet second is written at once (so
 * a single refusal is seen), the rest of a burst is added up and written with the next answer
 * after the interval. A flood of refusals costs one line a second per instance, not one a
 * request; what an instance counted after its last line is lost if it never answers again.
 */
export class AnswerCounter {
  private readonly pending = new Map<AnswerMetric, number>();
  private lastWrite = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly log: Logger,
    private readonly instance: FunctionInstance,
    private readonly now: () => number = () => Date.now(),
  ) {}

  count(metric: AnswerMetric): void {
    this.pending.set(metric, (this.pending.get(metric) ?? 0) + 1);
    this.flushIfDue();
  }

  /** Writes what was counted, if anything was and the last line is an interval old. */
  flushIfDue(): void {
    if (this.pending.size === 0) return;
    const now = this.now();
    if (now - this.lastWrite < answerMetrics.flushIntervalMs) return;
    this.lastWrite = now;
    const counts = Object.fromEntries(this.pending);
    this.pending.clear();
    this.log(answersEntry(counts, this.instance, now));
  }
}

/** One EMF line: each metric counted since the last, by function and by function and version. */
export function answersEntry(
  counts: Partial<Record<AnswerMetric, number>>,
  instance: FunctionInstance,
  timestamp: number,
): Record<string, unknown> {
  const { function: fn, version } = answerMetrics.dimensions;
  return {
    level: 'info',
    msg: 'answers counted',
    [fn]: instance.functionName,
    [version]: instance.version,
    ...counts,
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: answerMetrics.namespace,
          // The version's own series for the canary; the function's, all versions, to compare.
          Dimensions: [[fn, version], [fn]],
          Metrics: Object.keys(counts).map((name) => ({ Name: name, Unit: 'Count' })),
        },
      ],
    },
  };
}

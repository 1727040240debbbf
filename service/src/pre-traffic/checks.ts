import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { SMOKE_PAGE } from '../domain/smoke.js';
import type { Logger } from '../http/http.js';
import { type ApiRequest, apiEvent } from './events.js';
import { CHECKS } from './limits.js';

/** What CodeDeploy is told: the new version may take traffic, or the deployment rolls back. */
export type HookStatus = 'Succeeded' | 'Failed';

/** What Lambda's `Invoke` returned: the function's answer, and its `FunctionError` if it failed. */
export interface Invocation {
  readonly payload: string;
  readonly functionError?: string | undefined;
}

/** Invokes the new version with one event; `signal` aborts when the check gives up on it. */
export type Invoke = (event: APIGatewayProxyEventV2, signal: AbortSignal) => Promise<Invocation>;

export interface CheckDeps {
  readonly invoke: Invoke;
  /** How long one invocation may take before its check fails. */
  readonly timeoutMs: number;
  /** The secret CloudFront would send; undefined when the API checks none. */
  readonly originSecret?: string | undefined;
  readonly log: Logger;
  /** The time the events carry. @default the system clock */
  readonly now?: () => Date;
}

export type CheckName = (typeof CHECKS)[number];

export type ChecksOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly check: CheckName; readonly reason: string };

/** A check's verdict on an answer; the message is the one-line reason. */
class CheckFailed extends Error {
  override readonly name = 'CheckFailed';
}

interface Answer {
  readonly status: number;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly json: unknown;
  readonly text: string;
}

interface Counts {
  readonly views: number;
  readonly visitors: number;
  readonly bots: number;
}

const smokeQuery = `page=${encodeURIComponent(SMOKE_PAGE)}`;

/**
 * Invokes the new version as the API would be called through CloudFront and checks every answer:
 * health, a read of the smoke counter, a bot's increment of it (exactly one more bot), and a bad
 * request refused. Stops at the first failure: the checks after it would only wait out their own
 * timeouts on a version that is already refused. Logs one JSON line per check that ran.
 */
export async function runChecks(deps: CheckDeps): Promise<ChecksOutcome> {
  const now = deps.now ?? (() => new Date());
  const call = async (request: ApiRequest): Promise<Answer> => {
    const event = apiEvent(request, { originSecret: deps.originSecret, now: now() });
    return answerOf(await within(deps.timeoutMs, (signal) => deps.invoke(event, signal)));
  };

  let before: Counts | undefined;
  const checks: Record<CheckName, () => Promise<void>> = {
    health: async () => {
      const answer = expectStatus(await call({ method: 'GET', path: '/api/health' }), 200);
      if (JSON.stringify(answer.json) !== '{"ok":true}') {
        throw new CheckFailed(`expected {"ok":true}, got ${answer.text}`);
      }
    },
    read: async () => {
      const answer = await call({ method: 'GET', path: '/api/count', rawQueryString: smokeQuery });
      before = countsOf(expectStatus(answer, 200));
    },
    increment: async () => {
      const answer = await call({ method: 'POST', path: '/api/count', rawQueryString: smokeQuery });
      const after = countsOf(expectStatus(answer, 200));
      const counted = (answer.json as { counted?: unknown }).counted;
      // `before` is set: the read ran and passed, or this check would not run.
      const { bots, views, visitors } = before as Counts;
      if (counted !== 'bot' || after.bots !== bots + 1 || after.views !== views) {
        throw new CheckFailed(
          `a bot's POST should add exactly one bot: bots ${bots} → ${after.bots}, views ` +
            `${views} → ${after.views}, visitors ${visitors} → ${after.visitors}, counted ` +
            `${JSON.stringify(counted)}`,
        );
      }
    },
    'bad-request': async () => {
      const answer = expectStatus(
        await call({ method: 'GET', path: '/api/count', rawQueryString: 'page=no-slash' }),
        400,
      );
      const code = (answer.json as { error?: { code?: unknown } } | undefined)?.error?.code;
      if (code !== 'invalid_page') {
        throw new CheckFailed(`expected a JSON error with code invalid_page, got ${answer.text}`);
      }
    },
  };

  for (const name of CHECKS) {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    try {
      await checks[name]();
      deps.log({ level: 'info', msg: 'pre-traffic check passed', check: name, ms: ms() });
    } catch (error) {
      const reason = oneLine(
        error instanceof CheckFailed
          ? error.message
          : `the invocation failed: ${(error as Error)?.name}: ${(error as Error)?.message}`,
      );
      deps.log({ level: 'error', msg: 'pre-traffic check failed', check: name, ms: ms(), reason });
      return { ok: false, check: name, reason };
    }
  }
  return { ok: true };
}

export interface HookDeps {
  /** Runs the checks. A throw (a bad configuration, a bug) fails the deployment like a check. */
  readonly checks: () => Promise<ChecksOutcome>;
  /** Tells CodeDeploy. */
  readonly report: (status: HookStatus) => Promise<void>;
  readonly log: Logger;
}

/**
 * The hook: runs the checks and reports the verdict, whatever happens. A hook that exits without
 * reporting leaves the deployment waiting for an hour, then failing with no reason given. If the
 * report itself fails, that error is thrown: Lambda retries the asynchronous invocation.
 */
export async function runPreTrafficHook(deps: HookDeps): Promise<HookStatus> {
  let status: HookStatus = 'Failed';
  try {
    const outcome = await deps.checks();
    if (outcome.ok) status = 'Succeeded';
  } catch (error) {
    deps.log({
      level: 'error',
      msg: 'pre-traffic checks could not run',
      reason: oneLine(`${(error as Error)?.name}: ${(error as Error)?.message}`),
    });
  }
  await deps.report(status);
  deps.log({ level: status === 'Succeeded' ? 'info' : 'error', msg: 'reported', status });
  return status;
}

/** Runs `work`, failing with a CheckFailed (and aborting it) after `ms`. */
async function within<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new CheckFailed(`no answer within ${ms} ms`));
      controller.abort();
    }, ms);
  });
  try {
    // The timer decides, even if `work` ignores the signal.
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The function's answer as HTTP, or a CheckFailed saying why it is none. */
function answerOf(invocation: Invocation): Answer {
  const payload = parseJson(invocation.payload);
  if (invocation.functionError !== undefined) {
    const { errorType, errorMessage } = (payload ?? {}) as Record<string, unknown>;
    throw new CheckFailed(
      `the function failed (${invocation.functionError}): ${String(errorType ?? 'Error')}: ` +
        `${String(errorMessage ?? invocation.payload)}`,
    );
  }
  const result = payload as { statusCode?: unknown; body?: unknown; isBase64Encoded?: unknown };
  if (
    typeof result !== 'object' ||
    result === null ||
    !Number.isInteger(result.statusCode) ||
    typeof result.body !== 'string'
  ) {
    throw new CheckFailed(
      `the function's answer is not an HTTP response: ${invocation.payload.slice(0, 200)}`,
    );
  }
  const text =
    result.isBase64Encoded === true ? Buffer.from(result.body, 'base64').toString() : result.body;
  const status = result.statusCode as number;
  if (status >= 500) throw new CheckFailed(`answered ${status}: ${text}`);
  return { status, json: parseJson(text), text };
}

function expectStatus(answer: Answer, expected: number): Answer {
  if (answer.status !== expected) {
    const hint =
      answer.status === 403 ? ' (does the hook have the same ORIGIN_SECRETS as the function?)' : '';
    throw new CheckFailed(`answered ${answer.status}, expected ${expected}${hint}: ${answer.text}`);
  }
  return answer;
}

function countsOf(answer: Answer): Counts {
  const body = answer.json as Partial<Record<string, unknown>> | undefined;
  const count = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
  if (
    body?.page !== SMOKE_PAGE ||
    !count(body.views) ||
    !count(body.visitors) ||
    !count(body.bots)
  ) {
    throw new CheckFailed(
      `expected {"page":"${SMOKE_PAGE}","views":N,"visitors":N,"bots":N,…}, got ${answer.text}`,
    );
  }
  return body as unknown as Counts;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A reason fit for one log line: no line breaks, and short. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}

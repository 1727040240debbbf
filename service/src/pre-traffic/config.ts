import { ConfigError, parseOriginSecrets } from '../config.js';
import { preTrafficLimits } from './limits.js';

/** The hook's settings, from the environment CDK gives its function. */
export interface HookConfig {
  /** The new version's ARN (`…:function:NAME:VERSION`), invoked directly. */
  readonly targetFunction: string;
  /** Sent in the origin header as CloudFront would; undefined when the API checks none. */
  readonly originSecret: string | undefined;
  /** How long one invocation may take before its check fails. */
  readonly checkTimeoutMs: number;
}

// A published version's ARN. Not an alias (during the hook it still points at the old version,
// which would be checked instead) and not $LATEST (which may not be the code being deployed).
const VERSION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}:\d+$/;

type Env = Readonly<Record<string, string | undefined>>;

/** Parses the hook's environment; throws one ConfigError, on one line, naming every problem. */
export function loadHookConfig(env: Env): HookConfig {
  const problems: string[] = [];

  const targetFunction = env.TARGET_FUNCTION?.trim() ?? '';
  if (!VERSION_ARN.test(targetFunction)) {
    problems.push(
      `TARGET_FUNCTION: "${targetFunction}" is not a function version's ARN ` +
        '(arn:aws:lambda:REGION:ACCOUNT:function:NAME:VERSION)',
    );
  }

  let originSecret: string | undefined;
  try {
    originSecret = parseOriginSecrets(env.ORIGIN_SECRETS ?? '')[0];
  } catch (error) {
    problems.push(`ORIGIN_SECRETS: ${(error as Error).message}`);
  }

  const { defaultCheckTimeoutMs, maxCheckTimeoutMs } = preTrafficLimits;
  const rawTimeout = env.CHECK_TIMEOUT_MS?.trim() || String(defaultCheckTimeoutMs);
  const checkTimeoutMs = Number(rawTimeout);
  if (!/^\d+$/.test(rawTimeout) || checkTimeoutMs < 1 || checkTimeoutMs > maxCheckTimeoutMs) {
    problems.push(
      `CHECK_TIMEOUT_MS: "${rawTimeout}" is not a whole number of ms (1-${maxCheckTimeoutMs})`,
    );
  }

  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return { targetFunction, originSecret, checkTimeoutMs };
}

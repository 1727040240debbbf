import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Logger } from './http/http.js';
import {
  codeDeployReporter,
  createCodeDeployClient,
  createLambdaClient,
  type LifecycleHookEvent,
  lambdaInvoker,
} from './pre-traffic/aws.js';
import { type HookStatus, runChecks, runPreTrafficHook } from './pre-traffic/checks.js';
import { loadHookConfig } from './pre-traffic/config.js';

// One JSON line per entry; Lambda files console.log under INFO and console.error under ERROR.
const log: Logger = (entry) =>
  (entry.level === 'error' ? console.error : console.log)(JSON.stringify(entry));

/**
 * CodeDeploy's BeforeAllowTraffic hook: invokes the new version of the API function directly
 * with real API events, then reports Succeeded (the alias moves to it) or Failed (the deployment
 * rolls back). Everything is read and built per invocation, not at load: a bad setting must be
 * reported as a failure, not crash the function before it can report, and a hook runs once per
 * deployment, so there is no warm start to save.
 */
export async function handler(event: unknown): Promise<HookStatus> {
  const hook = lifecycleHookEvent(event);
  const codeDeploy = createCodeDeployClient();
  let lambda: LambdaClient | undefined;
  try {
    return await runPreTrafficHook({
      checks: () => {
        const config = loadHookConfig(process.env);
        lambda = createLambdaClient(config.checkTimeoutMs);
        return runChecks({
          invoke: lambdaInvoker(lambda, config.targetFunction),
          timeoutMs: config.checkTimeoutMs,
          originSecret: config.originSecret,
          log,
        });
      },
      report: codeDeployReporter(codeDeploy, hook),
      log,
    });
  } catch (error) {
    // Only the report can fail here. Thrown on, so Lambda retries the hook's invocation.
    log({ level: 'error', msg: 'could not report to CodeDeploy', error: String(error) });
    throw error;
  } finally {
    lambda?.destroy();
    codeDeploy.destroy();
  }
}

/** The event's ids; without them there is no deployment to report to, so it throws. */
function lifecycleHookEvent(event: unknown): LifecycleHookEvent {
  const { DeploymentId, LifecycleEventHookExecutionId } = (event ?? {}) as Record<string, unknown>;
  if (typeof DeploymentId !== 'string' || typeof LifecycleEventHookExecutionId !== 'string') {
    throw new Error(
      'not a CodeDeploy lifecycle hook event: expected DeploymentId and LifecycleEventHookExecutionId',
    );
  }
  return { DeploymentId, LifecycleEventHookExecutionId };
}

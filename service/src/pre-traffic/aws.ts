import {
  CodeDeployClient,
  PutLifecycleEventHookExecutionStatusCommand,
} from '@aws-sdk/client-codedeploy';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HookStatus, Invoke } from './checks.js';
import { preTrafficLimits } from './limits.js';

// Endpoints, region and credentials are the SDK's own (AWS_ENDPOINT_URL_LAMBDA,
// AWS_ENDPOINT_URL_CODEDEPLOY, AWS_REGION, the function's role): nothing is passed here.

function boundedHandler(requestTimeoutMs: number): NodeHttpHandler {
  return new NodeHttpHandler({
    connectionTimeout: preTrafficLimits.connectionTimeoutMs,
    requestTimeout: requestTimeoutMs,
    // Without this, requestTimeout only logs a warning and the request waits forever.
    throwOnRequestTimeout: true,
    socketTimeout: requestTimeoutMs,
  });
}

/**
 * The client that invokes the new version. One attempt per call: a retried POST after a lost
 * answer could count twice and fail the increment check for nothing. Its time limit is only a
 * backstop, a second after the check's own, which fires first and says so.
 */
export function createLambdaClient(checkTimeoutMs: number): LambdaClient {
  return new LambdaClient({
    maxAttempts: 1,
    requestHandler: boundedHandler(checkTimeoutMs + 1_000),
  });
}

export function createCodeDeployClient(): CodeDeployClient {
  return new CodeDeployClient({
    maxAttempts: preTrafficLimits.reportAttempts,
    retryMode: 'standard',
    requestHandler: boundedHandler(preTrafficLimits.reportTimeoutMs),
  });
}

/** `Invoke` (RequestResponse) of `functionName`, which carries its version. */
export function lambdaInvoker(client: LambdaClient, functionName: string): Invoke {
  const decoder = new TextDecoder();
  return async (event, signal) => {
    const response = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
      { abortSignal: signal },
    );
    return {
      payload: decoder.decode(response.Payload ?? new Uint8Array()),
      functionError: response.FunctionError,
    };
  };
}

/** The lifecycle event CodeDeploy invokes a hook with. */
export interface LifecycleHookEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
}

/** Tells CodeDeploy the verdict on the hook execution `event` names. */
export function codeDeployReporter(
  client: CodeDeployClient,
  event: LifecycleHookEvent,
): (status: HookStatus) => Promise<void> {
  return async (status) => {
    await client.send(
      new PutLifecycleEventHookExecutionStatusCommand({
        deploymentId: event.DeploymentId,
        lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
        status,
      }),
    );
  };
}

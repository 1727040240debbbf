import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { stackNames } from '../../../cdk/lib/deploy-names.js';
import { awsCheckClientOptions, isNetworkError, unreachableProblem } from '../aws-access.js';
import type { Problem } from '../problems.js';
import { type DeployAccessOutputs, githubRolesProblem } from './plan.js';

/**
 * Without GitHub: a deploy-access stack that already holds GitHub's deploy roles must keep them,
 * so the bootstrap refuses to redeploy it without them. Read, never changed; a stack that is not
 * there has nothing to keep.
 */
export async function deployAccessRolesProblem(region: string): Promise<Problem | undefined> {
  const cloudFormation = new CloudFormationClient({
    region,
    ...awsCheckClientOptions(),
  });
  try {
    const { Stacks } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackNames.deployAccess }),
    );
    const outputs = Object.fromEntries(
      (Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
    ) as DeployAccessOutputs;
    return githubRolesProblem(outputs);
  } catch (error) {
    // CloudFormation says a stack that is not there "does not exist": nothing to keep.
    if (isNetworkError(error)) return unreachableProblem('CloudFormation', error);
    else if (!/does not exist/.test((error as Error).message)) {
      return {
        what: `could not read the stack ${stackNames.deployAccess} (${(error as Error).name}: ${(error as Error).message})`,
        fix: 'run this again in a minute; if it goes on, see https://health.aws.amazon.com',
      };
    }
  } finally {
    cloudFormation.destroy();
  }
  return undefined;
}

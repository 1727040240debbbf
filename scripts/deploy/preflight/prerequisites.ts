/**
 * Reads what the templates need that a deploy does not create: CDK's execution role in each
 * bootstrapped region (IAM GetRole, ListAttachedRolePolicies), footfall's execution policy and
 * boundary (IAM GetPolicy), and the custom domain's hosted zone (Route 53 GetHostedZone). What
 * each answer means is decided in `checks.ts`; the runner is `main.ts`.
 */
import {
  GetPolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import type { DeployConfig } from '../../../cdk/lib/deploy-config.js';
import { bootstrapPolicyNames } from '../../../cdk/lib/deploy-names.js';
import { awsCheckClientOptions } from '../aws-access.js';
import type { Problem } from '../problems.js';
import {
  boundaryPolicyProblem,
  type DeployRegion,
  deniedWarning,
  type ExecutionRole,
  executionRoleName,
  executionRoleProblem,
  type Found,
  footfallPolicyArns,
  type HostedZone,
  hostedZoneProblem,
  notFound,
  type SetupContext,
  unansweredProblem,
} from './checks.js';

/** IAM's "no such role or policy": its wire code, and the SDK's name for it. */
const NO_SUCH_ENTITY = ['NoSuchEntity', 'NoSuchEntityException'];

async function read<T>(ask: () => Promise<T>, missingCodes: readonly string[]): Promise<Found<T>> {
  try {
    return { state: 'found', value: await ask() };
  } catch (error) {
    return notFound(error, missingCodes);
  }
}

export interface SetupFindings {
  readonly problems: Problem[];
  readonly warnings: string[];
}

/**
 * footfall's setup in IAM and Route 53: the policies (IAM is global: once), CDK's execution role
 * in each region given (those SSM did not show unbootstrapped), the hosted zone with a domain.
 */
export async function checkFootfallSetup(
  context: SetupContext,
  regions: readonly DeployRegion[],
  domain: DeployConfig['domain'],
): Promise<SetupFindings> {
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const note = (found: Found<unknown>, service: string, what: string, action: string) => {
    const problem = unansweredProblem(found, service, what);
    if (problem) problems.push(problem);
    const warning = deniedWarning(found, what, action);
    if (warning) warnings.push(warning);
  };

  // IAM and Route 53 are global; the app's region finds their partition's endpoint.
  const iam = new IAMClient({ region: context.appRegion, ...awsCheckClientOptions() });
  try {
    const arns = footfallPolicyArns(context);
    const names = bootstrapPolicyNames(context.qualifier);
    const policy = (arn: string) =>
      read(() => iam.send(new GetPolicyCommand({ PolicyArn: arn })), NO_SUCH_ENTITY);
    const [boundary, execution] = [await policy(arns.boundary), await policy(arns.execution)];
    note(boundary, 'IAM', `the policy ${names.boundary}`, 'iam:GetPolicy');
    const boundaryProblem = boundaryPolicyProblem(boundary, context);
    if (boundaryProblem) problems.push(boundaryProblem);
    const policiesExist = boundary.state === 'found' && execution.state === 'found';

    for (const target of regions) {
      const RoleName = executionRoleName(context.qualifier, context.account, target.region);
      const role = await read<ExecutionRole>(async () => {
        const { Role } = await iam.send(new GetRoleCommand({ RoleName }));
        const { AttachedPolicies } = await iam.send(
          new ListAttachedRolePoliciesCommand({ RoleName }),
        );
        return {
          boundary: Role?.PermissionsBoundary?.PermissionsBoundaryArn,
          policies: (AttachedPolicies ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])),
        };
      }, NO_SUCH_ENTITY);
      note(role, 'IAM', `CDK's execution role ${RoleName}`, 'iam:GetRole');
      const problem = executionRoleProblem(target, role, context, policiesExist);
      if (problem) problems.push(problem);
    }
  } finally {
    iam.destroy();
  }

  if (domain) {
    const route53 = new Route53Client({ region: context.appRegion, ...awsCheckClientOptions() });
    try {
      const zone = await read<HostedZone>(async () => {
        const { HostedZone } = await route53.send(
          new GetHostedZoneCommand({ Id: domain.hostedZoneId }),
        );
        return {
          name: HostedZone?.Name ?? '',
          privateZone: HostedZone?.Config?.PrivateZone ?? false,
        };
      }, ['NoSuchHostedZone']);
      note(zone, 'Route 53', `the hosted zone ${domain.hostedZoneId}`, 'route53:GetHostedZone');
      const problem = hostedZoneProblem(domain, zone, context.account);
      if (problem) problems.push(problem);
    } finally {
      route53.destroy();
    }
  }
  return { problems, warnings };
}

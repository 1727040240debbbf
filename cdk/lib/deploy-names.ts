// The names footfall's deployed things get, written once: the stacks (what `cdk deploy`, the
// pipeline, `npm run deploy` and the admin CLI's --stack name) and the IAM policies `npm run
// bootstrap` creates. Plain data: the CDK app, the deploy scripts, the admin CLI and tests import it.

/** Stack names: what `cdk deploy` and the pipeline name. */
export const stackNames = {
  app: 'Footfall',
  staging: 'FootfallStaging',
  deployAccess: 'FootfallDeployAccess',
  certificate: 'FootfallCertificate',
} as const;

/** The names of the two IAM policies `npm run bootstrap` hands to `cdk bootstrap`. */
export function bootstrapPolicyNames(qualifier: string) {
  return {
    /** Attached to CDK's CloudFormation execution role instead of AdministratorAccess. */
    execution: `footfall-${qualifier}-cfn-execution`,
    /** On the execution role and on every role the app stacks create. */
    boundary: `footfall-${qualifier}-permissions-boundary`,
  };
}

import { type App, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CertificateStack } from './certificate-stack.js';
import { deployDefaults } from './defaults.js';
import { DeployAccessStack } from './deploy-access-stack.js';
import { type DeployConfig, DeployConfigError } from './deploy-config.js';
import { bootstrapPolicyNames, stackNames } from './deploy-names.js';
import { deployScopeOf } from './deploy-permissions.js';
import { FootfallStack, type Stage } from './footfall-stack.js';
import { acknowledgeFindings } from './nag-acknowledgements.js';
import { WafStack } from './waf-stack.js';

export interface FootfallAppProps {
  readonly config: DeployConfig;
  readonly projectRoot: string;
  readonly siteDir: string;
  /** Where the app stack goes; the region is required with a custom domain. */
  readonly env?: { readonly account?: string | undefined; readonly region?: string | undefined };
}

export interface FootfallStacks {
  /** Production. */
  readonly app: FootfallStack;
  /** Staging, deployed and smoke-tested before production; undefined when switched off. */
  readonly staging: FootfallStack | undefined;
  /** Each stage's web ACL, when WAF is on. */
  readonly waf: WafStack[];
  /** The execution policy and the boundary, and GitHub's deploy roles when a repository is set. */
  readonly deployAccess: DeployAccessStack;
  readonly certificate: CertificateStack | undefined;
}

/** footfall's stacks, checked by cdk-nag's AWS Solutions rules on every synth. */
export function addFootfallStacks(app: App, props: FootfallAppProps): FootfallStacks {
  const { config } = props;
  const env = { account: props.env?.account, region: props.env?.region };

  let certificate: CertificateStack | undefined;
  if (config.domain) {
    if (!env.region) {
      throw new DeployConfigError(
        "invalid deploy configuration:\n  domainName: a custom domain needs the app stack's region: set AWS_REGION (or CDK_DEFAULT_REGION)",
      );
    }
    certificate = new CertificateStack(app, stackNames.certificate, {
      env: { account: env.account, region: 'us-east-1' },
      crossRegionReferences: true,
      domainName: config.domain.name,
      hostedZoneId: config.domain.hostedZoneId,
      zoneName: config.domain.zoneName,
      description: 'footfall: TLS certificate for the custom domain (CloudFront needs us-east-1)',
    });
  }

  const waf: WafStack[] = [];
  const stage = (stage: Stage, name: string) => {
    let webAcl: WafStack | undefined;
    if (config.wafRateLimit > 0) {
      webAcl = new WafStack(app, `${name}Waf`, {
        env: { account: env.account, region: 'us-east-1' },
        crossRegionReferences: true,
        rateLimit: config.wafRateLimit,
        siteRateLimit: config.wafSiteRateLimit,
        description: `footfall (${stage}): per-address rate limits on the API and the whole site (CloudFront WAF lives in us-east-1)`,
      });
      waf.push(webAcl);
    }
    const withCertificate = stage === 'production' ? certificate : undefined;
    return new FootfallStack(app, name, {
      env,
      crossRegionReferences: withCertificate !== undefined || webAcl !== undefined,
      config,
      stage,
      projectRoot: props.projectRoot,
      siteDir: props.siteDir,
      ...(withCertificate ? { certificate: withCertificate.certificate } : {}),
      ...(webAcl ? { webAclArn: webAcl.webAcl.attrArn } : {}),
      description: `footfall (${stage}): visitor counter and resume site`,
    });
  };
  const staging = config.staging ? stage('staging', stackNames.staging) : undefined;
  const footfall = stage('production', stackNames.app);

  // Every stack so far is deployed through the CDK bootstrap roles: each role in them carries the
  // permissions boundary that `npm run bootstrap` created (the execution role may create no other).
  const appStacks = app.node.children.filter(Stack.isStack);
  const boundaryName = bootstrapPolicyNames(config.bootstrapQualifier).boundary;
  for (const stack of appStacks) {
    iam.PermissionsBoundary.of(stack).apply(
      iam.ManagedPolicy.fromManagedPolicyName(stack, 'FootfallPermissionsBoundary', boundaryName),
    );
  }

  // With a repository, GitHub's deploy roles too; without, only the policies (deploys by hand).
  const deployAccess = new DeployAccessStack(app, stackNames.deployAccess, {
    env,
    repository: config.repository,
    // parseDeployConfig requires the id with the repository.
    repositoryId: config.repositoryId,
    repositoryOwnerId: config.repositoryOwnerId,
    environments: {
      production: config.environmentName,
      staging: config.staging ? deployDefaults.stagingEnvironmentName : undefined,
    },
    appStackNames: appStacks.map((stack) => stack.stackName),
    // The kept tables no deploy may delete, the secrets, the hosted zone: all the scoped
    // services may touch, with or without a repository.
    deployScope: deployScopeOf(
      appStacks,
      config.domain
        ? { hostedZoneId: config.domain.hostedZoneId, name: config.domain.name }
        : undefined,
    ),
    // The web ACLs' and the certificate's: the pipeline deploys them with the app stacks.
    otherDeployRegions: appStacks
      .map((stack) => stack.region)
      .filter((region) => !Token.isUnresolved(region)),
    bootstrapQualifier: config.bootstrapQualifier,
    ...(config.githubOidcProviderArn ? { oidcProviderArn: config.githubOidcProviderArn } : {}),
    description: config.repository
      ? 'footfall: GitHub OIDC deploy roles, CDK execution policy and permissions boundary (npm run bootstrap deploys it)'
      : 'footfall: CDK execution policy and permissions boundary (npm run bootstrap -- --no-github deploys it)',
  });

  acknowledgeFindings({
    app: footfall,
    deployAccess,
    certificate,
    bootstrapQualifier: config.bootstrapQualifier,
  });
  if (staging) {
    acknowledgeFindings({
      app: staging,
      deployAccess: undefined,
      certificate: undefined,
      bootstrapQualifier: config.bootstrapQualifier,
    });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app: footfall, staging, waf, deployAccess, certificate };
}

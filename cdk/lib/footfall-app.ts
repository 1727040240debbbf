import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CertificateStack } from './certificate-stack.js';
import type { DeployConfig } from './config.js';
import { DeployAccessStack } from './deploy-access-stack.js';
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
  readonly deployAccess: DeployAccessStack | undefined;
  readonly certificate: CertificateStack | undefined;
}

/** Stack names: what `cdk deploy` and the pipeline name. */
export const stackNames = {
  app: 'Footfall',
  staging: 'FootfallStaging',
  deployAccess: 'FootfallDeployAccess',
  certificate: 'FootfallCertificate',
} as const;

/** footfall's stacks, checked by cdk-nag's AWS Solutions rules on every synth. */
export function addFootfallStacks(app: App, props: FootfallAppProps): FootfallStacks {
  const { config } = props;
  const env = { account: props.env?.account, region: props.env?.region };

  let certificate: CertificateStack | undefined;
  if (config.domain) {
    if (!env.region) {
      throw new Error(
        "a custom domain needs the app stack's region: set CDK_DEFAULT_REGION or AWS_REGION",
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
        description: `footfall (${stage}): per-address rate limit on the API (CloudFront WAF lives in us-east-1)`,
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

  const deployAccess = config.repository
    ? new DeployAccessStack(app, stackNames.deployAccess, {
        env,
        repository: config.repository,
        environmentName: config.environmentName,
        bootstrapQualifier: config.bootstrapQualifier,
        ...(config.githubOidcProviderArn ? { oidcProviderArn: config.githubOidcProviderArn } : {}),
        description: 'footfall: GitHub OIDC deploy role (deployed once, by hand)',
      })
    : undefined;

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

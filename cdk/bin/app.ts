import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { type DeployConfig, DeployConfigError, parseDeployConfig } from '../lib/config.js';
import { addFootfallStacks } from '../lib/footfall-app.js';
import { builtSiteDir } from '../lib/static-site.js';

// The only place the deploy reads its environment; everything below is configured by props.
const app = new App();
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
let config: DeployConfig;
try {
  config = parseDeployConfig({ context: (key) => app.node.tryGetContext(key), env: process.env });
} catch (error) {
  // A setting a person got wrong: its message says what to do, and a stack trace would bury it.
  if (!(error instanceof DeployConfigError)) throw error;
  console.error(
    `footfall: ${error.message}\nDeploy settings are read from cdk.json's "context" and -c key=value.`,
  );
  process.exit(1);
}

const { deployAccess } = addFootfallStacks(app, {
  config,
  projectRoot,
  siteDir: builtSiteDir(projectRoot),
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION,
  },
});
if (!deployAccess) {
  console.warn(
    'footfall: no repository configured (context "repository" and "repositoryId", or GITHUB_REPOSITORY), so the ' +
      'deploy-access stack is left out. See docs/deploy.md.',
  );
}

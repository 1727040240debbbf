import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { parseDeployConfig } from '../lib/config.js';
import { addFootfallStacks } from '../lib/footfall-app.js';
import { builtSiteDir } from '../lib/static-site.js';

// The only place the deploy reads its environment; everything below is configured by props.
const app = new App();
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const config = parseDeployConfig({
  context: (key) => app.node.tryGetContext(key),
  env: process.env,
});

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

import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { type DeployConfig, DeployConfigError, parseDeployConfig } from '../lib/deploy-config.js';
import { addFootfallStacks, type FootfallStacks } from '../lib/footfall-app.js';
import { builtSiteDir } from '../lib/static-site.js';

/** A setting a person got wrong: its message says what to do, and a stack trace would bury it. */
function settingsRefused(error: unknown): never {
  if (!(error instanceof DeployConfigError)) throw error;
  console.error(
    `footfall: ${error.message}\nDeploy settings are read from cdk.json's "context" and -c key=value.`,
  );
  process.exit(1);
}

// The only place the deploy reads its environment; everything below is configured by props.
const app = new App();
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
let config: DeployConfig;
try {
  config = parseDeployConfig({
    context: (key) => app.node.tryGetContext(key),
    env: process.env,
    warn: (line) => console.warn(`footfall: ${line}`),
  });
} catch (error) {
  settingsRefused(error);
}

// What `npm run build` wrote (into FOOTFALL_DIST_DIR when it was told another folder than dist/).
const siteDir = builtSiteDir(projectRoot, process.env.FOOTFALL_DIST_DIR?.trim() || undefined);
if (!existsSync(join(siteDir, 'index.html'))) {
  console.error(
    `footfall: the site is not built (${relative(process.cwd(), siteDir) || '.'} has no index.html): ` +
      'run npm run build first (npm run synth and npm run deploy build it for you)',
  );
  process.exit(1);
}

let stacks: FootfallStacks;
try {
  stacks = addFootfallStacks(app, {
    config,
    projectRoot,
    siteDir,
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION,
    },
  });
} catch (error) {
  settingsRefused(error);
}
if (!stacks.deployAccess.roles) {
  console.warn(
    'footfall: no repository configured (context "repository" and "repositoryId", or GITHUB_REPOSITORY), so the ' +
      'deploy-access stack holds no GitHub deploy roles, only the execution policy and the boundary (deploys by hand). See docs/deploy.md.',
  );
}

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles only (esbuild `alias`,
 * `lambdaBuildOptions`). Every AWS SDK client imports that package's `defaultProvider` statically
 * in its Node runtime config, so a client given `credentials` still bundles the whole default
 * chain: the SSO, INI-file, process, web-identity, login, container and instance-metadata
 * providers, and `@aws-sdk/nested-clients` (STS, SSO, SSO-OIDC and sign-in clients) for them.
 * A Lambda function never needs them: Lambda puts the role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the first link of that chain.
 * Region is not a credential and is untouched: the clients still read AWS_REGION.
 *
 * Local runs (the dev server, the admin CLI, scripts, the tests' own clients) do not use the
 * bundle and keep the SDK's whole chain. Docs/adr/0006, "Issue 24: credentials".
 */
import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

/** What the clients call: the chain reduced to its first link, credentials from the environment. */
export const defaultProvider = (init: FromEnvInit = {}) => fromEnv(init);

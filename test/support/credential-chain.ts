/**
 * The AWS SDK's default credential chain beyond its first link, with the clients it signs in
 * with: what `service/build/lambda-credentials.ts` keeps out of every Lambda bundle, which takes
 * its credentials from the environment (docs/adr/0006, "Issue 24: credentials").
 */
export const CREDENTIAL_CHAIN_PACKAGES = [
  '@aws-sdk/credential-provider-node',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
  '@aws-sdk/token-providers',
  '@aws-sdk/nested-clients',
] as const;

/** The one credential provider a Lambda bundle holds. */
export const ENVIRONMENT_CREDENTIALS_PACKAGE = '@aws-sdk/credential-provider-env';

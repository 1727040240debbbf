/**
 * The header CloudFront adds to every request it sends the API, holding a secret only it and
 * the function know (ADR 9). Plain data: the CDK stack configures CloudFront with it.
 */
export const ORIGIN_VERIFY_HEADER = 'x-footfall-origin-verify';

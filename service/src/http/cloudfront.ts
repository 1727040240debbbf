/**
 * The header CloudFront adds to every request it sends the API, holding a secret only it and
 * the function know (ADR 9). Plain data: the CDK stack configures CloudFront with it.
 */
export const ORIGIN_VERIFY_HEADER = 'x-footfall-origin-verify';

/**
 * The API's badge paths: the only answers CloudFront may cache (60 s) and other sites may embed.
 * Plain data, like the header above: the CDK stack gives them a behaviour of their own.
 */
export const BADGE_PATHS = ['/api/badge.svg', '/api/shield'] as const;

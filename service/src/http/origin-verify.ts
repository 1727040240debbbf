import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ORIGIN_VERIFY_HEADER } from './cloudfront.js';
import { errorResponse } from './http.js';

/**
 * Refuses every request that does not carry one of `secrets` in `ORIGIN_VERIFY_HEADER`: in AWS
 * only CloudFront knows them, so a request to the API's own endpoint cannot pick its viewer
 * address (`CloudFront-Viewer-Address`) or skip what CloudFront adds. More than one secret is
 * accepted while one is being rotated.
 */
export function verifyOrigin(secrets: readonly string[]): MiddlewareHandler {
  const accepted = secrets.map((secret) => Buffer.from(secret));
  return async (c, next) => {
    const offered = Buffer.from(c.req.header(ORIGIN_VERIFY_HEADER) ?? '');
    // Compared in constant time, so timing tells nothing about how much of a guess was right.
    const known = accepted.some(
      (secret) => secret.length === offered.length && timingSafeEqual(secret, offered),
    );
    if (!known) {
      return errorResponse(
        c,
        403,
        'forbidden',
        "the API answers only requests that come through the site's CloudFront distribution",
      );
    }
    return next();
  };
}

import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { type AnswerCounter, answerMetrics } from './answer-metrics.js';
import { ORIGIN_VERIFY_HEADER } from './cloudfront.js';
import { errorResponse } from './http.js';

/**
 * Refuses every request that does not carry one of `secrets` in `ORIGIN_VERIFY_HEADER`: in AWS
 * only CloudFront knows them, so a request to the API's own endpoint cannot pick its viewer
 * address (`CloudFront-Viewer-Address`) or skip what CloudFront adds. More than one secret is
 * accepted while one is being rotated. Each refusal is counted (`OriginRefused`), so a version
 * that refuses CloudFront itself (a broken check, a secret it was not given) shows in the metric
 * the deployment's canary rolls back on.
 */
export function verifyOrigin(
  secrets: readonly string[],
  answers: AnswerCounter,
): MiddlewareHandler {
  const accepted = secrets.map((secret) => Buffer.from(secret));
  return async (c, next) => {
    const offered = Buffer.from(c.req.header(ORIGIN_VERIFY_HEADER) ?? '');
    // Compared in constant time, so timing tells nothing about how much of a guess was right.
    const known = accepted.some(
      (secret) => secret.length === offered.length && timingSafeEqual(secret, offered),
    );
    if (!known) {
      answers.count(answerMetrics.originRefused);
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

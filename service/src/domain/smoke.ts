/**
 * The smoke counter: the page key that deploy checks count on, so a real page's count is never
 * inflated by them. Plain data: the pre-traffic hook (which checks a new version before it takes
 * traffic) and `npm run smoke` (which checks a deployed site) both count here.
 */
export const SMOKE_PAGE = '/__footfall-smoke__';

/**
 * How those checks announce themselves: as a bot (`isbot` knows "bot"), never as a person, so
 * they add to the smoke counter's bots only and leave no visitor record. It is the one page a
 * bot's POST may create (ADR 12): a fixed key, so bots still create nothing a client chooses.
 */
export const SMOKE_USER_AGENT = 'footfall-smoke-test/1 (bot; +https://github.com/)';

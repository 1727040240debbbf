/**
 * How many days of history one request covers (`GET /api/stats?days=`, and the admin CLI's
 * `show --days`): at least MIN_DAYS, at most MAX_DAYS (a year, leap day included), DEFAULT_DAYS
 * when none is asked for. Plain data, written once: the route, the CLI's help and the tests
 * read it here.
 */
export const MIN_DAYS = 1;
export const MAX_DAYS = 366;
export const DEFAULT_DAYS = 30;

import autocannon from 'autocannon';

export interface LoadResult {
  /** Requests sent, answered with 2xx, and anything else (non-2xx, errors, timeouts). */
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** The page's count (views and bots) before and after. */
  readonly before: number;
  readonly after: number;
}

const views = async (baseUrl: string, page: string) => {
  const res = await fetch(`${baseUrl}/api/count?page=${encodeURIComponent(page)}`);
  const counts = (await res.json()) as { views: number; bots: number };
  return counts.views + counts.bots;
};

/** One person's browser: after the first request, every POST is a returning visitor's view. */
const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0 footfall-load/1';

/**
 * POSTs one page as hard as `connections` keep-alive connections can for `seconds`, as one
 * person's browser, against a footfall on loopback, then reads the count back. The footfall must
 * count every view (`VIEWS_PER_ADDRESS_PER_DAY=0`). Bounded in time; never leaves loopback.
 */
export async function loadTest(
  baseUrl: string,
  options: { connections: number; seconds: number; page: string },
): Promise<LoadResult> {
  const { hostname } = new URL(baseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) {
    throw new Error(`load tests only run against loopback, not ${hostname}`);
  }
  const before = await views(baseUrl, options.page);
  const result = await autocannon({
    url: `${baseUrl}/api/count?page=${encodeURIComponent(options.page)}`,
    method: 'POST',
    headers: { 'user-agent': BROWSER },
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
  });
  // Requests still in flight when the clock stopped finish on the server: let them land.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = await views(baseUrl, options.page);
  return {
    sent: result.requests.sent,
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    before,
    after,
  };
}

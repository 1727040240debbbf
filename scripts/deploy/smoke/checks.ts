/**
 * The smoke test: is a deployed footfall (or the dev server) up and counting? It reads the page,
 * reads and increments a dedicated smoke counter (never the real one), and checks the security
 * headers. Every check says what it found; the first failure says what is wrong.
 */

import { SMOKE_PAGE, SMOKE_USER_AGENT } from '../../../service/src/domain/smoke.js';

export interface SmokeCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export class SmokeFailure extends Error {
  override readonly name = 'SmokeFailure';
}

const TIMEOUT_MS = 10_000;

async function request(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      redirect: 'follow',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new SmokeFailure(
      `cannot reach ${url} (${why}): is the URL right and the stack deployed?`,
    );
  }
}

interface SmokeCounts {
  views: number;
  bots: number;
}

async function countFrom(res: Response, what: string): Promise<SmokeCounts> {
  if (res.status >= 500) {
    throw new SmokeFailure(
      `${what}: the API answered ${res.status} ${await res.text().catch(() => '')}`.trim(),
    );
  }
  if (res.status === 403) {
    // The function refuses what CloudFront sends: every visitor's count is refused too.
    throw new SmokeFailure(
      `${what}: the API answered 403, expected 200: the function refuses the origin secret ` +
        'CloudFront sends (a rotation step skipped or out of order? docs/deploy.md, "Rotating the origin secret")',
    );
  }
  if (!res.ok) throw new SmokeFailure(`${what}: the API answered ${res.status}, expected 200`);
  const body = (await res.json().catch(() => undefined)) as
    | { page?: unknown; views?: unknown; bots?: unknown }
    | undefined;
  if (
    !body ||
    body.page !== SMOKE_PAGE ||
    typeof body.views !== 'number' ||
    typeof body.bots !== 'number'
  ) {
    throw new SmokeFailure(
      `${what}: expected {"page":"${SMOKE_PAGE}","views":N,"bots":B,…}, got ${JSON.stringify(body)}`,
    );
  }
  return { views: body.views, bots: body.bots };
}

function header(
  res: Response,
  name: string,
  expected: RegExp,
  checks: SmokeCheck[],
  where: string,
) {
  const value = res.headers.get(name);
  const ok = value !== null && expected.test(value);
  checks.push({ name: `${where} sends ${name}`, ok, detail: value ?? 'missing' });
}

/**
 * Runs every check against the site at `siteUrl` (its API at `/api`). Resolves with the checks;
 * rejects with a SmokeFailure naming the first thing that made further checks pointless.
 */
export async function runSmoke(siteUrl: string): Promise<SmokeCheck[]> {
  let base: URL;
  try {
    base = new URL(siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`);
  } catch {
    throw new SmokeFailure(`"${siteUrl}" is not a URL`);
  }
  const https = base.protocol === 'https:';
  const checks: SmokeCheck[] = [];

  // 1. The page.
  const page = await request(base.href);
  if (!page.ok) throw new SmokeFailure(`the page at ${base.href} answered ${page.status}`);
  const html = await page.text();
  if (!/id="visitor-count"/.test(html)) {
    throw new SmokeFailure(
      `the page at ${base.href} has no #visitor-count element: is this a footfall site?`,
    );
  }
  const script = html.match(/<script[^>]*\ssrc="([^"]+)"/)?.[1];
  checks.push({
    name: 'page loads with the counter',
    ok: true,
    detail: `${page.status}, ${html.length} bytes`,
  });
  if (script) {
    const asset = await request(new URL(script, base).href);
    checks.push({ name: 'widget script loads', ok: asset.ok, detail: `${asset.status} ${script}` });
  }
  header(page, 'content-security-policy', /default-src 'none'/, checks, 'page');
  header(page, 'x-content-type-options', /^nosniff$/, checks, 'page');
  header(page, 'referrer-policy', /\S/, checks, 'page');
  if (https) header(page, 'strict-transport-security', /max-age=\d{6,}/, checks, 'page');

  // 2. The API, on the smoke counter.
  const api = new URL(`api/count?page=${encodeURIComponent(SMOKE_PAGE)}`, base).href;
  const before = await countFrom(await request(api), 'GET /api/count');
  // The smoke test is a bot, and says so: it adds to the smoke counter's bots, never its views.
  const posted = await request(api, {
    method: 'POST',
    headers: { 'user-agent': SMOKE_USER_AGENT },
  });
  header(posted, 'x-content-type-options', /^nosniff$/, checks, 'API');
  header(posted, 'cache-control', /no-store/, checks, 'API');
  const after = await countFrom(posted, 'POST /api/count');
  checks.push({
    name: 'POST /api/count from a bot adds exactly one bot and no view',
    ok: after.bots === before.bots + 1 && after.views === before.views,
    detail: `bots ${before.bots} → ${after.bots}, views ${before.views} → ${after.views}`,
  });
  const reread = await countFrom(await request(api), 'GET /api/count after POST');
  checks.push({
    name: 'GET /api/count reads it back',
    ok: reread.bots >= after.bots,
    detail: `bots ${reread.bots}`,
  });

  // 3. Bad input is refused, not counted.
  const bad = await request(new URL('api/count?page=no-slash', base).href, { method: 'POST' });
  checks.push({
    name: 'an invalid page key is refused with 400',
    ok: bad.status === 400,
    detail: String(bad.status),
  });

  return checks;
}

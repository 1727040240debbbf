import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, expect, test } from 'vitest';
import { query, tableName, testApp, uniquePage } from '../../test/support/index.js';
import { BOT_USER_AGENTS, BROWSER_USER_AGENTS } from '../../test/support/user-agents.js';

/*
 * Property-based fuzzing of the whole API in-process: thousands of random requests (methods,
 * paths, query strings, headers, bodies) go to the real app over the real store on dynalite.
 * Every page key a request can name is either under PREFIX (unique to this run) or invalid by
 * construction, so the only counters this file can change are its own, and the final tally of
 * successful POSTs must match what the table holds under PREFIX, exactly.
 */

const FRIEND = 'https://friend.example';
// No per-address limit, so every counted POST can be held to an exact tally.
const { app, client, database, logs } = testApp({
  allowedOrigins: [FRIEND],
  viewsPerAddressPerDay: 0,
});
afterAll(() => client.destroy());

/** Every valid page key this file sends starts with this. */
const PREFIX = uniquePage('fuzz');
/** From the API contract: longest page key in code points, largest POST body in bytes. */
const MAX_PAGE_LENGTH = 256;
const MAX_BODY_BYTES = 1024;
const ALLOW = 'GET, POST, OPTIONS';

const BATCH = 25;
const RUNS = 240;
const MIN_REQUESTS = 5_000;
const seed = Number(process.env.FUZZ_SEED) || Math.floor(Math.random() * 2 ** 31);

// ---------------------------------------------------------------------------------------------
// What a request is made of
// ---------------------------------------------------------------------------------------------

type BodySpec =
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array<ArrayBuffer> }
  | { kind: 'fill'; size: number; byte: number }
  | { kind: 'stream'; size: number; chunk: number };

interface RequestSpec {
  method: string;
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  headers: [string, string][];
  body: BodySpec | undefined;
}

const percent = (code: number, lower: boolean) => {
  const hex = code.toString(16).padStart(2, '0');
  return `%${lower ? hex : hex.toUpperCase()}`;
};

/** PREFIX written raw, fully percent-encoded, or any mix (hex in either case): all decode to it. */
const encodedPrefix = fc.oneof(
  fc.constant(PREFIX),
  fc.constant(encodeURIComponent(PREFIX)),
  fc
    .array(fc.constantFrom('raw', 'upper', 'lower'), {
      minLength: PREFIX.length,
      maxLength: PREFIX.length,
    })
    .map((modes) =>
      [...PREFIX]
        .map((ch, i) => (modes[i] === 'raw' ? ch : percent(ch.charCodeAt(0), modes[i] === 'lower')))
        .join(''),
    ),
);

/** Raw fragments that are interesting inside a query value (valid or not). */
const queryTokens = [
  '+',
  '%20',
  '%2B',
  '%2F',
  '%2f',
  '/',
  '//',
  '/..',
  '/./',
  '%2E%2E',
  '=',
  '&',
  '&&',
  '#',
  '?',
  '%',
  '%%',
  '%Z',
  '%ZZ',
  '%u0041',
  '%00',
  '%0A',
  '%0D',
  '%09',
  '%1F',
  '%7F',
  '%C2%85',
  '%C2%9F',
  '%C2%A0',
  '%E0%A4%A',
  '%C0%AF',
  '%ED%A0%80',
  '%EF%BF%BD',
  '%EF%BF%BE',
  '%F0%9F%8E%89',
  '%F4%8F%BF%BF',
  '%F4%90%80%80',
  '%E2%80%AE',
  '%E2%80%8B',
  'é',
  'e\u0301',
  '🎉',
  '\u0000',
  '\t',
  '\n',
  '\r',
  ' ',
  '\uD800',
  '\uDC00',
  '\u2028',
  '\uFEFF',
  '\\',
  '"',
  "'",
  '<script>',
  '%24%7Bx%7D',
  'null',
  '__proto__',
];

const rawString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary-ascii', maxLength: 12 }),
);

const suffixPiece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...queryTokens) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }).map(encodeURIComponent) },
  { weight: 2, arbitrary: rawString },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xff }).map((n) => percent(n, false)) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~!$'()*,;:@/-]{1,10}$/) },
);

/** Padding around the 256-code-point limit (PREFIX is ~47), or far past it. */
const padding = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('a', '%C3%A9', '%F0%9F%8E%89', 'é', '🎉'),
      fc.integer({ min: 200, max: 215 }),
    )
    .map(([unit, n]) => unit.repeat(n)),
  fc.constantFrom(1_000, 8_192, 65_536).map((n) => 'a'.repeat(n)),
);

/** A value that decodes to PREFIX followed by anything: valid or not, never another page. */
const underPrefix = fc.oneof(
  {
    weight: 2,
    // A few fixed suffixes, so pages are hit more than once (and concurrently); '/é' raw and
    // '/%C3%A9' are the same page.
    arbitrary: fc
      .tuple(encodedPrefix, fc.constantFrom('', '/a', '/b', '/%C3%A9', '/é', '/a+b', '/a%20b'))
      .map(([prefix, suffix]) => prefix + suffix),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        encodedPrefix,
        fc.array(suffixPiece, { maxLength: 6 }),
        fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: padding }),
      )
      .map(([prefix, pieces, pad]) => prefix + pieces.join('') + pad),
  },
);

/**
 * Values no decoding can turn into a valid page key: the first decoded character is not '/', or
 * the key is empty, malformed, too long or holds a control character.
 */
const invalidValue = fc.oneof(
  fc.constant(''),
  fc
    .tuple(
      fc.constantFrom(
        'x',
        'about',
        '%61bout',
        '+',
        '+/',
        '%20/',
        ' /',
        '\\',
        '%5C',
        '.',
        '~',
        'http:',
        'https://evil.example/',
        '%Z',
        '%E0%A4%A',
        '%C0%AF',
        '%ED%A0%80',
        '%00',
        '%0A',
        '%7F',
        '%C2%85',
        '%FF',
        'é',
        '%EF%BB%BF/',
      ),
      rawString,
    )
    .map(([start, rest]) => start + rest),
  fc.constantFrom(
    '/%00',
    '/a%0Ab',
    '%2F%09',
    '/%ZZ',
    '/abc%',
    '/%E0%A4%A',
    '/%C0%AF',
    '/%ED%A0%80',
    '/a%C2%85b',
    '/%7F',
    `/${'a'.repeat(MAX_PAGE_LENGTH)}`,
    `%2F${'%F0%9F%8E%89'.repeat(MAX_PAGE_LENGTH)}`,
  ),
);

/** One `page` parameter: its name always decodes to `page`; its value is under PREFIX or invalid. */
const pageParam = fc
  .tuple(
    fc.constantFrom('page', 'page', 'page', 'pag%65', '%70%61%67%65'),
    fc.oneof({ weight: 2, arbitrary: underPrefix }, { weight: 1, arbitrary: invalidValue }),
    fc.boolean(),
  )
  .map(([name, value, bare]) => (bare && value === '' ? name : `${name}=${value}`));

/** Parameters that are not `page` (though a random one may decode to it: that makes a 400). */
const otherParam = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(
        'Page',
        'PAGE',
        'pages',
        'page%20',
        'page+',
        'page%00',
        'pag',
        'p',
        'utm_source',
        '',
        '%',
        '%ZZ',
        'views',
        '__proto__',
      ),
      rawString,
    ),
    fc.option(rawString),
  )
  // A '#' here would cut off the `page` parameters that follow.
  .map(([name, value]) => (value === null ? name : `${name}=${value}`).replaceAll('#', '%23'));

/** Always at least one `page` parameter, so no request can fall back to the shared root '/'. */
const queryString = fc
  .tuple(
    fc.oneof(
      { weight: 5, arbitrary: pageParam.map((page) => [page]) },
      { weight: 1, arbitrary: fc.array(pageParam, { minLength: 2, maxLength: 3 }) },
    ),
    fc.array(otherParam, { maxLength: 3 }),
    fc.nat(),
  )
  .map(([pages, others, at]) => {
    const params = [...others];
    for (const page of pages) params.splice(at % (params.length + 1), 0, page);
    return params.join('&');
  });

const method = fc.oneof(
  { weight: 4, arbitrary: fc.constant('GET') },
  { weight: 6, arbitrary: fc.constant('POST') },
  { weight: 4, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'get',
      'post',
      'Post',
      'patch',
      'head',
      'options',
      'PROPFIND',
      'QUERY',
      'PURGE',
      'LINK',
      'M-SEARCH',
      'FOO',
      'CONNECT',
      'TRACE',
    ),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,10}$/) },
);

const nearMisses = [
  '/api/count/',
  '/api/Count',
  '/API/count',
  '/api/COUNT',
  '/api',
  '/api/',
  '/api//count',
  '//api/count',
  '/api/count//',
  '/api/counts',
  '/api/coun',
  '/api/count/extra',
  '/api/count/.',
  '/api/./count',
  '/api/x/../count',
  '/api/%63ount',
  '/api/count%2F',
  '/api/count%20',
  '/api/count%00',
  '/api/count%',
  '/api/count%ZZ',
  '/api/%E0%A4%A',
  '/api/count;v=1',
  '/api/count.json',
  '/api\\count',
  '/api/health/',
  '/api/Health',
  '/api/%68ealth',
  '/api/health/x',
  '/',
  '',
  '/%',
  '/elsewhere',
  '/index.html',
  // Application links: a redirect, never JSON (ADR 14).
  '/r',
  '/r/',
  '/r/acme',
  '/r/Not_A_Slug',
  '/r/a/b',
];

const path = fc
  .oneof(
    { weight: 12, arbitrary: fc.constant('/api/count') },
    { weight: 1, arbitrary: fc.constant('/api/health') },
    { weight: 2, arbitrary: fc.constant('/api/stats') },
    { weight: 1, arbitrary: fc.constant('/api/pages') },
    { weight: 1, arbitrary: fc.constantFrom('/api/badge.svg', '/api/shield') },
    { weight: 3, arbitrary: fc.constantFrom(...nearMisses) },
    { weight: 1, arbitrary: fc.webPath() },
    { weight: 1, arbitrary: rawString.map((s) => `/${s}`) },
    { weight: 1, arbitrary: rawString.map((s) => `/api/${s}`) },
  )
  // A '?' or '#' in the path would swallow the query and its `page` parameters.
  .map((p) => p.replaceAll('?', '%3F').replaceAll('#', '%23'));

const headerValue = fc.oneof(
  {
    weight: 40,
    arbitrary: fc.string({
      unit: fc
        .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }))
        .map((code) => String.fromCharCode(code)),
      maxLength: 40,
    }),
  },
  // The WHATWG Headers class refuses these; such requests are skipped.
  { weight: 1, arbitrary: fc.constantFrom('a\nb', 'a\rb', 'a\0b', '€', '\uD800') },
);

const headerName = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/);

const header: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(
    fc.constantFrom('user-agent', 'User-Agent'),
    fc.oneof(fc.constantFrom(...BROWSER_USER_AGENTS, ...BOT_USER_AGENTS, '', ' '), headerValue),
  ),
  fc.tuple(
    fc.constant('cloudfront-viewer-address'),
    fc.oneof(
      fc.constantFrom(
        '203.0.113.7:443',
        '198.51.100.1:1',
        '2001:db8::1:65535',
        '[2001:db8::2]:80',
        '::ffff:192.0.2.1:9',
        '203.0.113.7',
        'not-an-address:1',
        ':',
      ),
      headerValue,
    ),
  ),
  fc.tuple(
    fc.constantFrom('sec-fetch-site', 'Sec-Fetch-Site'),
    fc.oneof(fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none', ''), headerValue),
  ),
  fc.tuple(
    fc.constantFrom('origin', 'Origin'),
    fc.oneof(
      fc.constantFrom(
        FRIEND,
        FRIEND,
        'https://evil.example',
        'null',
        '',
        'https://friend.example/',
        'HTTPS://FRIEND.EXAMPLE',
        'https://friend.example:443',
        'https://friend.example.evil.example',
        '*',
      ),
      headerValue,
    ),
  ),
  fc.tuple(
    fc.constantFrom('content-type', 'Content-Type'),
    fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'text/plain;charset=UTF-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'multipart/form-data',
        'application/octet-stream',
        '',
      ),
      headerValue,
    ),
  ),
  fc.tuple(
    fc.constant('content-encoding'),
    fc.oneof(
      fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'zstd', 'gzip, br', 'x-unknown'),
      headerValue,
    ),
  ),
  fc.tuple(
    fc.constant('accept'),
    fc.oneof(
      fc.constantFrom(
        'application/json',
        'text/html',
        '*/*',
        'text/event-stream',
        'application/xml;q=0.9, */*;q=0.1',
      ),
      headerValue,
    ),
  ),
  fc.tuple(
    fc.constantFrom(
      'content-length',
      'transfer-encoding',
      'access-control-request-method',
      'access-control-request-headers',
      'x-forwarded-for',
      'x-forwarded-proto',
      'x-http-method-override',
      'host',
      'cookie',
      'authorization',
      'range',
      'if-none-match',
      'accept-encoding',
      'expect',
      'connection',
    ),
    fc.oneof(
      fc.constantFrom(
        '0',
        '1',
        '1024',
        '1025',
        '-1',
        'abc',
        '99999999999999999999',
        'chunked',
        'POST',
        'DELETE',
        'GET',
        '100-continue',
        'close',
      ),
      headerValue,
    ),
  ),
  fc.tuple(headerName, headerValue),
);

const body: fc.Arbitrary<BodySpec | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.string({ unit: 'grapheme', maxLength: 64 }),
        fc.constantFrom('{}', '{"views":1000}', '{"page":"/"}', 'page=%2F', '{', 'é'.repeat(512)),
        // 1,026 bytes in 513 characters: the limit is in bytes.
        fc.constant('é'.repeat(513)),
      )
      .map((text): BodySpec => ({ kind: 'text', text })),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 64 })
      .map((bytes): BodySpec => ({ kind: 'bytes', bytes })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.oneof(
          fc.constantFrom(MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1),
          fc.integer({ min: 0, max: 4 * MAX_BODY_BYTES }),
        ),
        fc.integer({ min: 0, max: 0xff }),
      )
      .map(([size, byte]): BodySpec => ({ kind: 'fill', size, byte })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.oneof(
          fc.constantFrom(MAX_BODY_BYTES, MAX_BODY_BYTES + 1),
          fc.integer({ min: 0, max: 3 * MAX_BODY_BYTES }),
        ),
        fc.integer({ min: 1, max: 700 }),
      )
      .map(([size, chunk]): BodySpec => ({ kind: 'stream', size, chunk })),
  },
);

const requestSpec: fc.Arbitrary<RequestSpec> = fc.record({
  method,
  path,
  query: queryString,
  headers: fc.array(header, { maxLength: 4 }),
  body,
});

// ---------------------------------------------------------------------------------------------
// Sending and checking
// ---------------------------------------------------------------------------------------------

function bodyBytes(spec: BodySpec): number {
  switch (spec.kind) {
    case 'text':
      return new TextEncoder().encode(spec.text).length;
    case 'bytes':
      return spec.bytes.length;
    default:
      return spec.size;
  }
}

function bodyInit(spec: BodySpec): BodyInit {
  switch (spec.kind) {
    case 'text':
      return spec.text;
    case 'bytes':
      return spec.bytes;
    case 'fill':
      return new Uint8Array(spec.size).fill(spec.byte);
    case 'stream': {
      const { size, chunk } = spec;
      return new ReadableStream<Uint8Array>({
        start(controller) {
          for (let sent = 0; sent < size; sent += chunk) {
            controller.enqueue(new Uint8Array(Math.min(chunk, size - sent)).fill(0x79));
          }
          controller.close();
        },
      });
    }
  }
}

/** The Request for a spec, or undefined when the Fetch API itself refuses the input. */
function build(spec: RequestSpec): Request | undefined {
  try {
    const headers = new Headers();
    for (const [name, value] of spec.headers) headers.append(name, value);
    const init: RequestInit & { duplex?: 'half' } = { method: spec.method, headers };
    // GET and HEAD cannot have a body (the method is matched case-insensitively).
    if (spec.body && !['GET', 'HEAD'].includes(spec.method.toUpperCase())) {
      init.body = bodyInit(spec.body);
      if (spec.body.kind === 'stream') init.duplex = 'half';
    }
    return new Request(`http://localhost${spec.path}?${spec.query}`, init);
  } catch {
    return undefined;
  }
}

const stats = {
  sent: 0,
  skipped: 0,
  okPosts: 0,
  statuses: new Map<number, number>(),
};
/**
 * Counted POSTs per stored key (the page, scoped to its site), and the totals each of them
 * answered: views for people, bots for bots.
 */
const tally = new Map<string, { views: number[]; bots: number[] }>();

/** The key a counted request is stored under, as the contract says (ADR 8). */
function storedKey(request: Request, page: string): string {
  const fetchSite = request.headers.get('sec-fetch-site');
  const origin = request.headers.get('origin');
  return fetchSite !== 'same-origin' && origin === FRIEND ? `${FRIEND}${page}` : page;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why a page key returned in a 200 breaks the contract, if it does. */
function pageProblem(page: unknown): string | undefined {
  if (typeof page !== 'string') return 'page is not a string';
  if (!page.startsWith(PREFIX)) return `page is outside this run's prefix ${PREFIX}`;
  if ([...page].length > MAX_PAGE_LENGTH) return 'page is longer than 256 code points';
  if (Buffer.byteLength(page) > MAX_PAGE_LENGTH) return 'page is longer than 256 bytes of UTF-8';
  if (/\p{Cc}/u.test(page)) return 'page holds a control character';
  return undefined;
}

/** Sends one request and lists every property it breaks (empty when it keeps them all). */
async function exercise(spec: RequestSpec, request: Request): Promise<string[]> {
  const problems: string[] = [];
  const { method } = request;
  const res = await app.fetch(request.clone());
  const text = await res.text();
  stats.statuses.set(res.status, (stats.statuses.get(res.status) ?? 0) + 1);

  if (res.status >= 500) problems.push(`answered ${res.status}`);
  if (res.status === 204 && text !== '') problems.push('204 with a body');

  let json: unknown;
  const pathname = new URL(request.url).pathname;
  if (/^\/r(\/|$)/.test(pathname)) {
    // The application links' redirect: home, or a link's page, on this site; nothing else.
    const location = res.headers.get('location') ?? '';
    if (res.status !== 302) problems.push(`a link answered ${res.status}, not 302`);
    else if (!location.startsWith('/') || location.startsWith('//')) {
      problems.push(`a link redirected to ${location}`);
    }
  } else if (res.status === 200 && res.headers.get('content-type')?.startsWith('image/svg+xml')) {
    if (new URL(request.url).pathname !== '/api/badge.svg') problems.push('an SVG from elsewhere');
    if (method !== 'HEAD' && XMLValidator.validate(text) !== true) problems.push('SVG is not XML');
  } else if (res.status !== 204 && method !== 'HEAD') {
    if (!/^application\/json/.test(res.headers.get('content-type') ?? '')) {
      problems.push(`content-type is ${res.headers.get('content-type')}, not application/json`);
    }
    try {
      json = JSON.parse(text);
    } catch {
      problems.push('body is not JSON');
    }
  }

  if (json !== undefined && res.status >= 400 && res.status < 500) {
    const error = isRecord(json) ? json.error : undefined;
    if (
      !isRecord(error) ||
      typeof error.code !== 'string' ||
      error.code === '' ||
      typeof error.message !== 'string' ||
      error.message === ''
    ) {
      problems.push('4xx body is not { error: { code, message } }');
    }
  }
  const allow =
    pathname === '/api/stats' || pathname === '/api/pages'
      ? 'GET, OPTIONS'
      : pathname === '/api/badge.svg' || pathname === '/api/shield'
        ? 'GET'
        : ALLOW;
  if (res.status === 405 && res.headers.get('allow') !== allow) {
    problems.push(`405 with Allow: ${res.headers.get('allow')}`);
  }

  if (json !== undefined && res.status === 200) {
    if (isRecord(json) && 'ok' in json) {
      if (json.ok !== true || Object.keys(json).length !== 1) problems.push('health is not ok');
    } else if (isRecord(json) && 'views' in json) {
      const { page, views, visitors, bots, counted } = json;
      const bad = pageProblem(page);
      if (bad) problems.push(bad);
      for (const [name, value] of Object.entries({ views, visitors, bots })) {
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
          problems.push(`${name} is not a whole number`);
        }
      }
      if (typeof visitors === 'number' && typeof views === 'number' && visitors > views) {
        problems.push('more visitors than views');
      }
      if (method === 'POST') {
        const size = spec.body ? bodyBytes(spec.body) : 0;
        const declaresLength = spec.headers.some(([name]) => /^content-length$/i.test(name));
        if (size > MAX_BODY_BYTES && !declaresLength) {
          problems.push(`POST with a ${size}-byte body was counted`);
        }
        const person = counted === 'visitor' || counted === 'view';
        if (!person && counted !== 'bot') problems.push(`POST answered counted: ${counted}`);
        if (person && typeof views === 'number' && views < 1) {
          problems.push('a counted person answered views < 1');
        }
        // A bot adds to a page a person made, and creates nothing: on any other page it answers
        // all zeros (only the site's day took it).
        const botOnNoPage = counted === 'bot' && bots === 0;
        if (botOnNoPage && (views !== 0 || visitors !== 0)) {
          problems.push('a bot on a counted page answered bots < 1');
        }
        if (
          !botOnNoPage &&
          typeof page === 'string' &&
          typeof views === 'number' &&
          typeof bots === 'number'
        ) {
          stats.okPosts++;
          const key = storedKey(request, page);
          const answered = tally.get(key) ?? { views: [], bots: [] };
          if (person) answered.views.push(views);
          else answered.bots.push(bots);
          tally.set(key, answered);
        }
      } else if ('counted' in json) {
        problems.push('a GET answered "counted"');
      }
    } else if (isRecord(json) && json.schemaVersion === 1) {
      if (typeof json.message !== 'string' || typeof json.label !== 'string') {
        problems.push('shield JSON without a label and message');
      }
    } else if (isRecord(json) && Array.isArray(json.pages)) {
      const { pages, total, truncated } = json as Record<string, unknown> & { pages: unknown[] };
      if (typeof total !== 'number' || pages.length > 1000 || pages.length > total) {
        problems.push('pages list out of bounds');
      }
      if (truncated !== (typeof total === 'number' && total > pages.length)) {
        problems.push('pages says truncated wrongly');
      }
    } else if (isRecord(json) && Array.isArray(json.days)) {
      const { days, totals } = json as { days: Record<string, unknown>[]; totals: unknown };
      if (method !== 'GET') problems.push(`${method} answered stats`);
      if (days.length < 1 || days.length > 366) problems.push(`${days.length} days of stats`);
      const sums = { views: 0, visitors: 0, bots: 0 };
      for (const day of days) {
        for (const key of ['views', 'visitors', 'bots'] as const) {
          const value = day[key];
          if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
            problems.push(`a day's ${key} is not a whole number`);
          } else sums[key] += value;
        }
      }
      if (JSON.stringify(totals) !== JSON.stringify(sums)) problems.push('totals are not the sums');
    } else {
      problems.push('200 body is neither a count, stats nor health');
    }
  }

  if (problems.length === 0) return [];
  const errors = logs.filter((entry) => entry.level === 'error').slice(-3);
  return [
    `${problems.join('; ')}\n  request:  ${JSON.stringify({
      method,
      url: request.url,
      headers: [...request.headers],
      body: spec.body && {
        kind: spec.body.kind,
        bytes: bodyBytes(spec.body),
        ...(spec.body.kind === 'text' ? { text: spec.body.text.slice(0, 80) } : {}),
      },
    })}\n  response: ${JSON.stringify({
      status: res.status,
      headers: [...res.headers],
      body: text.slice(0, 500),
    })}${errors.length ? `\n  logged:   ${JSON.stringify(errors)}` : ''}`,
  ];
}

/** Where the counter entity keeps `page` (a page's key starts with the key of its prefix). */
const partitionKey = (page: string) =>
  database.entities.counter.get({ page }).params<{ Key: { pk: string } }>().Key.pk;
/** The sort key of a counter item (daily items share its partition). */
const counterSortKey = database.entities.counter
  .get({ page: '/' })
  .params<{ Key: { sk: string } }>().Key.sk;

/** Every counter item stored under `prefix`, read straight from the table. */
async function storedUnder(prefix: string): Promise<Map<string, { views: number; bots: number }>> {
  const items = new Map<string, { views: number; bots: number }>();
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName(),
        ConsistentRead: true,
        FilterExpression: 'begins_with(#pk, :prefix) AND #sk = :counter',
        ProjectionExpression: '#pk, #page, #views, #bots',
        ExpressionAttributeNames: {
          '#pk': 'pk',
          '#sk': 'sk',
          '#page': 'page',
          '#views': 'views',
          '#bots': 'bots',
        },
        ExpressionAttributeValues: {
          ':prefix': { S: partitionKey(prefix) },
          ':counter': { S: counterSortKey },
        },
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const key = item.page?.S ?? `(no page attribute) ${item.pk?.S}`;
      expect(item.pk?.S, `partition key of ${key}`).toBe(partitionKey(key));
      items.set(key, { views: Number(item.views?.N ?? 0), bots: Number(item.bots?.N ?? 0) });
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

test('5,000 random requests to /api never get a 5xx, always JSON, and count only valid POSTs', {
  timeout: 120_000,
}, async () => {
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(
      fc.array(requestSpec, { minLength: BATCH, maxLength: BATCH }),
      async (specs) => {
        const sent = specs.map(async (spec) => {
          const request = build(spec);
          if (!request) {
            stats.skipped++;
            return [];
          }
          stats.sent++;
          return exercise(spec, request);
        });
        const problems = (await Promise.all(sent)).flat();
        if (problems.length > 0) {
          throw new Error(`${problems.length} bad answer(s):\n${problems.join('\n')}`);
        }
      },
    ),
    { numRuns: RUNS, seed, interruptAfterTimeLimit: 100_000 },
  );
  const fuzzedMs = performance.now() - started;

  expect(stats.sent, 'requests sent').toBeGreaterThanOrEqual(MIN_REQUESTS);
  expect(stats.okPosts, 'POSTs counted').toBeGreaterThan(100);

  // Each key's POSTs answered 1, 2, … n, once each: every increment landed exactly once.
  const ordinal = (answered: number[]) => [...answered].sort((a, b) => a - b);
  for (const [key, answered] of tally) {
    for (const kind of ['views', 'bots'] as const) {
      const sorted = ordinal(answered[kind]);
      expect(sorted, `${kind} answered for ${key}`).toEqual(sorted.map((_, i) => i + 1));
    }
  }

  // GET agrees with the tally for every key counted, read from the site it belongs to.
  const keys = [...tally.keys()];
  for (let i = 0; i < keys.length; i += BATCH) {
    await Promise.all(
      keys.slice(i, i + BATCH).map(async (key) => {
        const friend = key.startsWith(FRIEND);
        const page = friend ? key.slice(FRIEND.length) : key;
        const res = await app.request(`/api/count${query(page)}`, {
          headers: friend ? { origin: FRIEND } : {},
        });
        expect(res.status, `GET ${key}`).toBe(200);
        expect(await res.json()).toMatchObject({
          page,
          views: tally.get(key)?.views.length,
          bots: tally.get(key)?.bots.length,
        });
      }),
    );
  }

  // The table holds exactly the tallied keys, and nothing else was counted.
  const stored = new Map([...(await storedUnder(PREFIX)), ...(await storedUnder(FRIEND + PREFIX))]);
  expect(new Set(stored.keys())).toEqual(new Set(keys));
  const storedTotal = [...stored.values()].reduce((sum, n) => sum + n.views + n.bots, 0);
  expect(storedTotal).toBe(stats.okPosts);
  const pages = keys;

  console.log(
    `fuzz: seed ${seed} (FUZZ_SEED=${seed} replays it); ${stats.sent} requests sent, ` +
      `${stats.skipped} refused by the Fetch API; ${stats.okPosts} POSTs counted on ` +
      `${pages.length} pages; statuses ${JSON.stringify(Object.fromEntries([...stats.statuses].sort()))}; ` +
      `${Math.round(fuzzedMs)} ms`,
  );
});

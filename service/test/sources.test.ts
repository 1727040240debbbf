import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MAX_REF_LENGTH, MAX_SOURCE_LENGTH, sourceOf } from '../src/domain/sources.js';

const SITE = 'https://resume.example.com';
const own = [SITE];
const source = (ref: string | undefined) => sourceOf(ref, own);

describe('sourceOf: direct', () => {
  test('no referrer is direct', () => {
    expect(source(undefined)).toBe('direct');
    expect(source('')).toBe('direct');
  });

  test("a page of the site's own origin is direct, whatever its path", () => {
    expect(source(`${SITE}/`)).toBe('direct');
    expect(source(`${SITE}/projects?tab=2#top`)).toBe('direct');
    expect(source(SITE)).toBe('direct');
  });

  test('own origins may be a Set or an array, and are compared as origins', () => {
    expect(sourceOf(`${SITE}/x`, new Set([SITE]))).toBe('direct');
    expect(sourceOf('http://localhost:5173/', ['http://localhost:5173'])).toBe('direct');
    // Written with a trailing slash or in capitals, an own origin still matches.
    expect(sourceOf(`${SITE}/x`, ['https://Resume.Example.com/'])).toBe('direct');
    expect(sourceOf(`${SITE}/x`, new Set(['https://RESUME.example.com']))).toBe('direct');
    // A malformed entry matches nothing and breaks nothing.
    expect(sourceOf(`${SITE}/x`, ['resume.example.com', 'not a url'])).toBe('resume.example.com');
  });

  test('another scheme, port or host is not the own origin', () => {
    expect(source('http://resume.example.com/')).toBe('resume.example.com');
    expect(source('https://resume.example.com:8443/')).toBe('resume.example.com');
    expect(source('https://blog.example.com/')).toBe('blog.example.com');
    expect(sourceOf(`${SITE}/`, [])).toBe('resume.example.com');
  });
});

describe('sourceOf: hosts', () => {
  test('a web page is its host, lower-cased, without port and without a leading www.', () => {
    expect(source('https://news.ycombinator.com/item?id=42')).toBe('news.ycombinator.com');
    expect(source('https://WWW.Example.COM:8443/a/b?c=d#e')).toBe('example.com');
    expect(source('http://www.dev.to/')).toBe('dev.to');
    // Only one leading www. goes, and only a leading one.
    expect(source('https://www.www.example.com/')).toBe('www.example.com');
    expect(source('https://shop.www.example.com/')).toBe('shop.www.example.com');
    // A fully qualified name's final dot is dropped.
    expect(source('https://example.com./')).toBe('example.com');
  });

  test('an internationalised host is kept in its ASCII (punycode) form', () => {
    expect(source('https://xn--bcher-kva.example/')).toBe('xn--bcher-kva.example');
    expect(source('https://sub.xn--p1ai/')).toBe('sub.xn--p1ai');
  });

  test('never a path, a query, a fragment or user info', () => {
    expect(source('https://alice:secret@example.org/private/doc?token=abc#p')).toBe('example.org');
    expect(source('https://lnkd.in/e/AbCdEf?trk=x')).toBe('linkedin.com');
  });
});

describe('sourceOf: apps and short links', () => {
  test.each([
    ['https://lnkd.in/gXyZ123', 'linkedin.com'],
    ['https://www.linkedin.com/', 'linkedin.com'],
    ['https://linkedin.com/feed/', 'linkedin.com'],
    ['https://uk.linkedin.com/in/someone', 'linkedin.com'],
    ['https://www.linkedin.com/in/someone/', 'linkedin.com'],
    ['android-app://com.linkedin.android/', 'linkedin.com'],
    ['android-app://com.linkedin.android', 'linkedin.com'],
    ['android-app://com.linkedin.android/feed/update/urn:li:activity:1', 'linkedin.com'],
  ])('LinkedIn: %s is %s', (ref, expected) => {
    expect(source(ref)).toBe(expected);
  });

  test.each([
    ['https://t.co/AbC123', 'x.com'],
    ['https://twitter.com/someone/status/1', 'x.com'],
    ['https://mobile.twitter.com/', 'x.com'],
    ['https://x.com/', 'x.com'],
    ['https://www.x.com/home', 'x.com'],
  ])('X: %s is %s', (ref, expected) => {
    expect(source(ref)).toBe(expected);
  });

  test.each([
    ['https://l.facebook.com/l.php?u=https%3A%2F%2Fresume.example.com', 'facebook.com'],
    ['https://lm.facebook.com/', 'facebook.com'],
    ['https://m.facebook.com/', 'facebook.com'],
    ['https://facebook.com/', 'facebook.com'],
    ['https://www.facebook.com/', 'facebook.com'],
  ])('Facebook: %s is %s', (ref, expected) => {
    expect(source(ref)).toBe(expected);
  });

  test.each([
    ['https://out.reddit.com/t3_abc', 'reddit.com'],
    ['https://old.reddit.com/r/webdev/', 'reddit.com'],
    ['https://www.reddit.com/', 'reddit.com'],
  ])('Reddit: %s is %s', (ref, expected) => {
    expect(source(ref)).toBe(expected);
  });

  test('Gmail, on the web and in its Android app', () => {
    expect(source('https://mail.google.com/mail/u/0/')).toBe('gmail');
    expect(source('android-app://com.google.android.gm/')).toBe('gmail');
  });

  test('the Google app on Android is google', () => {
    expect(source('android-app://com.google.android.googlequicksearchbox/')).toBe('google');
    expect(
      source('android-app://com.google.android.googlequicksearchbox/https/www.google.com'),
    ).toBe('google');
  });

  test('an Android package name is matched whatever its case, user info or port', () => {
    expect(source('android-app://Com.LinkedIn.Android/')).toBe('linkedin.com');
    expect(source('ANDROID-APP://com.linkedin.android/')).toBe('linkedin.com');
    expect(source('android-app://user@com.linkedin.android:1/x')).toBe('linkedin.com');
  });

  test('an Android app not in the table is ignored', () => {
    expect(source('android-app://com.example.someapp/')).toBeUndefined();
    expect(source('android-app://com.linkedin.android.evil/')).toBeUndefined();
    expect(source('android-app://linkedin.com/')).toBeUndefined();
  });
});

describe('sourceOf: search engines', () => {
  test.each([
    'https://www.google.com/',
    'https://google.com/search?q=resume',
    'https://www.google.co.uk/',
    'https://www.google.de/',
    'https://google.fr/',
    'https://www.google.com.au/',
    'https://www.google.co.jp/',
    'https://www.google.com.br/url?sa=t',
    'https://www.google.cat/',
  ])('%s is google', (ref) => {
    expect(source(ref)).toBe('google');
  });

  test('other Google hosts are not the search', () => {
    expect(source('https://mail.google.com/')).toBe('gmail');
    expect(source('https://docs.google.com/document/d/1abc/edit')).toBe('docs.google.com');
    expect(source('https://news.google.com/')).toBe('news.google.com');
    // Not Google at all.
    expect(source('https://googleblog.com/')).toBe('googleblog.com');
    expect(source('https://google.example.com/')).toBe('google.example.com');
    expect(source('https://notgoogle.com/')).toBe('notgoogle.com');
    expect(source('https://google.co.uk.example.com/')).toBe('google.co.uk.example.com');
  });

  test.each([
    ['https://www.bing.com/search?q=x', 'bing'],
    ['https://bing.com/', 'bing'],
    ['https://cn.bing.com/', 'bing'],
    ['https://duckduckgo.com/', 'duckduckgo'],
    ['https://html.duckduckgo.com/html/', 'duckduckgo'],
    ['https://search.yahoo.com/search?p=x', 'yahoo'],
    ['https://uk.search.yahoo.com/', 'yahoo'],
    ['https://de.search.yahoo.com/', 'yahoo'],
    ['https://yandex.ru/search/?text=x', 'yandex'],
    ['https://yandex.com/', 'yandex'],
    ['https://yandex.com.tr/', 'yandex'],
    ['https://www.baidu.com/link?url=x', 'baidu'],
    ['https://m.baidu.com/', 'baidu'],
    ['https://www.ecosia.org/search?q=x', 'ecosia'],
    ['https://search.brave.com/search?q=x', 'brave'],
    ['https://www.startpage.com/', 'startpage'],
    ['https://eu.startpage.com/', 'startpage'],
    ['https://kagi.com/search?q=x', 'kagi'],
    ['https://www.qwant.com/?q=x', 'qwant'],
  ])('%s is %s', (ref, expected) => {
    expect(source(ref)).toBe(expected);
  });

  test('the rest of a search company is not its search', () => {
    expect(source('https://yahoo.com/')).toBe('yahoo.com');
    expect(source('https://news.yahoo.com/')).toBe('news.yahoo.com');
    expect(source('https://brave.com/')).toBe('brave.com');
    expect(source('https://blog.kagi.com/')).toBe('blog.kagi.com');
  });
});

describe('sourceOf: ignored', () => {
  test.each([
    ['not a URL', 'resume.example.com'],
    ['no scheme', '//example.com/'],
    ['a relative path', '/projects'],
    ['ftp', 'ftp://example.com/file'],
    ['javascript', 'javascript:alert(1)'],
    ['data', 'data:text/html,<p>hi</p>'],
    ['file', 'file:///etc/passwd'],
    ['about', 'about:blank'],
    ['a scheme without slashes', 'https:example.com'],
    ['an empty host (the path would be read as one)', 'https:///path'],
    ['a space', 'https://exa mple.com/'],
    ['a leading space', ' https://example.com/'],
    ['a newline', 'https://example.com/\n'],
    ['a control character', 'https://example.com/\u0000'],
    ['non-ASCII (a browser sends punycode)', 'https://bücher.example/'],
    ['an IPv4 address', 'http://192.168.1.10/admin'],
    ['an IPv6 address', 'http://[2001:db8::1]/'],
    ['a single-label host', 'http://intranet/'],
    ['localhost', 'http://localhost:3000/'],
    ['an underscore', 'https://a_b.example.com/'],
    ['a numeric top-level domain', 'https://example.123/'],
    ['a label starting with a hyphen', 'https://-bad.example.com/'],
    ['a bad port', 'https://example.com:99999/'],
  ])('%s: %j', (_, ref) => {
    expect(source(ref)).toBeUndefined();
  });

  test(`a ref longer than MAX_REF_LENGTH (${MAX_REF_LENGTH}) is ignored, up to it is read`, () => {
    const base = 'https://example.com/?q=';
    const longest = base + 'a'.repeat(MAX_REF_LENGTH - base.length);
    expect(longest).toHaveLength(MAX_REF_LENGTH);
    expect(source(longest)).toBe('example.com');
    expect(source(`${longest}a`)).toBeUndefined();
    // Even the site's own pages, and with no cost for a huge one.
    expect(source(`${SITE}/${'a'.repeat(MAX_REF_LENGTH)}`)).toBeUndefined();
    expect(source(`https://example.com/${'a'.repeat(10_000_000)}`)).toBeUndefined();
  });

  test(`a source name is at most ${MAX_SOURCE_LENGTH} characters`, () => {
    // 59 + '.co.uk' = 65 characters: one too many.
    const tooLong = `${'a'.repeat(59)}.co.uk`;
    expect(tooLong).toHaveLength(MAX_SOURCE_LENGTH + 1);
    expect(source(`https://${tooLong}/`)).toBeUndefined();
    expect(source(`https://${tooLong.slice(1)}/`)).toBe(tooLong.slice(1));
    // The www. is not part of the name.
    expect(source(`https://www.${tooLong.slice(1)}/`)).toBe(tooLong.slice(1));
    // A long host of a known site is that site.
    expect(source(`https://${'a'.repeat(60)}.linkedin.com/`)).toBe('linkedin.com');
  });
});

describe('sourceOf: any input', () => {
  // A name: lower-case DNS labels, or one of the plain names; never a path, query or user info.
  const NAME = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+|[a-z]+)$/;

  test('never throws, and answers a short clean name or undefined', () => {
    const refs = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc
        .tuple(fc.constantFrom('http://', 'https://', 'android-app://'), fc.string())
        .map(([scheme, rest]) => scheme + rest),
    );
    fc.assert(
      fc.property(refs, (ref) => {
        const result = source(ref);
        if (result === undefined) return;
        expect(result.length).toBeLessThanOrEqual(MAX_SOURCE_LENGTH);
        expect(result).toMatch(NAME);
      }),
      { numRuns: 1000 },
    );
  });
});

import { describe, expect, test } from 'vitest';
import { MAX_PAGE_BYTES, MAX_PAGE_LENGTH, parsePage } from '../src/domain/page.js';

describe('parsePage', () => {
  test('absent page means the root page', () => {
    expect(parsePage('')).toEqual({ ok: true, page: '/' });
    expect(parsePage('other=1&x')).toEqual({ ok: true, page: '/' });
  });

  test('finds page among other parameters, with an encoded name too', () => {
    expect(parsePage('utm=a&page=%2Fblog%2Fpost&x=1')).toEqual({ ok: true, page: '/blog/post' });
    expect(parsePage('pag%65=/encoded-name')).toEqual({ ok: true, page: '/encoded-name' });
  });

  test('keeps characters that are legal in a path, decoded', () => {
    expect(parsePage('page=/caf%C3%A9?q=1')).toEqual({ ok: true, page: '/café?q=1' });
    expect(parsePage(`page=${encodeURIComponent('/日本語/🎉')}`)).toEqual({
      ok: true,
      page: '/日本語/🎉',
    });
  });

  test('the length limit counts code points, and bytes of UTF-8', () => {
    const longest = `/${'a'.repeat(MAX_PAGE_LENGTH - 1)}`;
    expect(parsePage(`page=${encodeURIComponent(longest)}`)).toEqual({ ok: true, page: longest });
    expect(parsePage(`page=${encodeURIComponent(`${longest}x`)}`)).toEqual({
      ok: false,
      message: 'page must be at most 256 characters',
    });
    // 1 + 85 × 3 = 256 bytes, in 86 characters; one more character is 259 bytes.
    const widest = `/${'語'.repeat(85)}`;
    expect(parsePage(`page=${encodeURIComponent(widest)}`)).toEqual({ ok: true, page: widest });
    expect(parsePage(`page=${encodeURIComponent(`${widest}語`)}`)).toEqual({
      ok: false,
      message: `page must be at most ${MAX_PAGE_BYTES} bytes of UTF-8 (this one is 259)`,
    });
    // An emoji is one character and four bytes.
    expect(parsePage(`page=${encodeURIComponent(`/${'🎉'.repeat(63)}`)}`).ok).toBe(true);
    expect(parsePage(`page=${encodeURIComponent(`/${'🎉'.repeat(64)}`)}`).ok).toBe(false);
  });

  test.each([
    ['page=', 'must not be empty'],
    ['page', 'must not be empty'],
    ['page=relative', "must start with '/'"],
    ['page=/a%1Fb', 'control characters'],
    ['page=/a%C2%9Fb', 'control characters'],
    ['page=/%E0%A4%A', 'percent-encoded'],
    ['page=/a&page=/a', 'at most once'],
    // Invisible and direction-changing characters: keys that look alike but are not.
    ['page=/a%E2%80%8Bb', 'invisible'], // zero-width space
    ['page=/a%E2%80%8Db', 'invisible'], // zero-width joiner
    ['page=/a%E2%80%AEb', 'invisible'], // right-to-left override
    ['page=/a%E2%81%A6b', 'invisible'], // left-to-right isolate
    ['page=/a%E2%80%8Fb', 'invisible'], // right-to-left mark
    ['page=/a%E2%80%A8b', 'invisible'], // line separator
    ['page=/a%E2%80%A9b', 'invisible'], // paragraph separator
    ['page=/a%EF%BB%BFb', 'invisible'], // byte order mark
    ['page=/a%C2%ADb', 'invisible'], // soft hyphen
  ])('rejects %s (%s)', (raw, message) => {
    const result = parsePage(raw);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(message);
  });
});

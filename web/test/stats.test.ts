import { describe, expect, test } from 'vitest';
import { breakdownRows, countryLabel, regionNames, sourceLabel } from '../src/stats.js';

describe('sourceLabel', () => {
  test('direct and other are said in words; a host or an engine is shown as it is', () => {
    expect(sourceLabel('direct')).toBe('Direct (no referrer)');
    expect(sourceLabel('other')).toBe('Other');
    expect(sourceLabel('linkedin.com')).toBe('linkedin.com');
    expect(sourceLabel('google')).toBe('google');
    expect(sourceLabel('news.ycombinator.com')).toBe('news.ycombinator.com');
  });
});

describe('countryLabel', () => {
  const names = regionNames();

  test('a country code is its English name with the code kept', () => {
    expect(countryLabel('DE', names)).toBe('Germany (DE)');
    expect(countryLabel('US', names)).toBe('United States (US)');
    expect(countryLabel('JP', names)).toBe('Japan (JP)');
  });

  test('other is said in words', () => {
    expect(countryLabel('other', names)).toBe('Other');
  });

  test('a code with no name, or one DisplayNames throws on, is the code alone', () => {
    // DisplayNames answers an unassigned code with the code itself, and throws on other shapes.
    expect(countryLabel('XX', names)).toBe('XX');
    expect(countryLabel('T1', names)).toBe('T1');
    const throwing = {
      of: () => {
        throw new RangeError('invalid_argument');
      },
    };
    expect(countryLabel('DE', throwing)).toBe('DE');
  });

  test('without DisplayNames (an older browser) a code is the code', () => {
    expect(countryLabel('DE', undefined)).toBe('DE');
  });
});

describe('breakdownRows', () => {
  test('rows keep the API’s order, named by the label, with views as a share of the most', () => {
    const rows = breakdownRows(
      [
        { source: 'direct', views: 40, visitors: 30 },
        { source: 'linkedin.com', views: 10, visitors: 8 },
        { source: 'other', views: 20, visitors: 2 },
      ],
      'source',
      sourceLabel,
    );
    expect(rows).toEqual([
      { label: 'Direct (no referrer)', views: 40, visitors: 30, share: 1 },
      { label: 'linkedin.com', views: 10, visitors: 8, share: 0.25 },
      { label: 'Other', views: 20, visitors: 2, share: 0.5 },
    ]);
  });

  test('countries are named through the label given', () => {
    const names = regionNames();
    expect(
      breakdownRows(
        [
          { country: 'DE', views: 3, visitors: 2 },
          { country: 'other', views: 1, visitors: 1 },
        ],
        'country',
        (code) => countryLabel(code, names),
      )?.map((row) => row.label),
    ).toEqual(['Germany (DE)', 'Other']);
  });

  test('an API without the list (an older one) gives undefined: nothing is shown', () => {
    expect(breakdownRows(undefined, 'source', sourceLabel)).toBeUndefined();
    expect(breakdownRows(null, 'country', String)).toBeUndefined();
    expect(breakdownRows({ direct: 1 }, 'source', sourceLabel)).toBeUndefined();
  });

  test('an empty list is no rows (the page says "None yet")', () => {
    expect(breakdownRows([], 'source', sourceLabel)).toEqual([]);
  });

  test('rows with no views have no bar length, not NaN', () => {
    expect(breakdownRows([{ source: 'google', views: 0, visitors: 0 }], 'source', String)).toEqual([
      { label: 'google', views: 0, visitors: 0, share: 0 },
    ]);
  });

  test('entries that are not a name with counts are left out, never drawn as undefined', () => {
    const rows = breakdownRows(
      [
        null,
        'direct',
        { source: 'direct' },
        { country: 'DE', views: 1, visitors: 1 },
        { source: 42, views: 1, visitors: 1 },
        { source: 'bing', views: '3', visitors: 1 },
        { source: 'bing', views: Number.NaN, visitors: 1 },
        { source: 'bing', views: -1, visitors: 1 },
        { source: 'kagi', views: 2, visitors: 1 },
      ],
      'source',
      sourceLabel,
    );
    expect(rows).toEqual([{ label: 'kagi', views: 2, visitors: 1, share: 1 }]);
  });
});

/**
 * The counting limits' defaults and bounds, written once: the settings (`config.ts`), the counter
 * store's defaults, the deploy settings (`cdk/lib/deploy-config.ts`), the tests and the
 * benchmark all read them from here. Plain data.
 */
export const countingLimits = {
  /** Views one address may add to one page a UTC day; 0: no limit. */
  viewsPerAddressPerDay: { default: 20, min: 0, max: 1_000_000, of: 'views' },
  /**
   * Views one IPv6 /48 may add to one page a UTC day; 0: no limit. Unset, it is this many times
   * the per-address limit.
   */
  viewsPerNetworkPerDay: { perAddress: 10, min: 0, max: 10_000_000, of: 'views' },
  /** Page counters one address may create a UTC day; 0: no limit. */
  newPagesPerAddressPerDay: { default: 50, min: 0, max: 1_000_000, of: 'pages' },
  /** Page counters a site may hold (at least 1: a site always has its pages bounded). */
  maxPagesPerSite: { default: 10_000, min: 1, max: 100_000, of: 'pages' },
} as const;

/** The per-network limit a per-address limit implies when none is set. */
export const defaultViewsPerNetwork = (viewsPerAddressPerDay: number): number =>
  Math.min(
    viewsPerAddressPerDay * countingLimits.viewsPerNetworkPerDay.perAddress,
    countingLimits.viewsPerNetworkPerDay.max,
  );

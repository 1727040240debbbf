import { createHmac } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { isbot } from 'isbot';

/**
 * Who is visiting, reduced at once to what counting needs. The address and the User-Agent are
 * used here, inside one request, and never leave it: only keyed hashes of them (under a daily
 * salt that is deleted after 48 hours) are stored.
 */

/** A UTC day, `YYYY-MM-DD`. */
export type Day = string;

export const dayOf = (date: Date): Day => date.toISOString().slice(0, 10);

/** Epoch seconds 48 hours after the day began: when its salt and records are deleted. */
export const expiresAt = (day: Day): number => Date.parse(`${day}T00:00:00Z`) / 1000 + 48 * 3600;

/** A bot: what `isbot` recognises, or a request with no User-Agent at all. */
export const isBot = (userAgent: string | undefined): boolean =>
  userAgent === undefined || userAgent.trim() === '' || isbot(userAgent);

/**
 * The address as a visitor key uses it: IPv4 as is (also when written as an IPv4-mapped IPv6
 * address), IPv6 cut to its /64 (one household or phone usually holds a whole /64).
 */
export function networkOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (isIP(address) !== 6) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/**
 * The IPv6 network an address belongs to for the per-network limit: its /48 (a site's or an
 * ISP customer's usual allocation, and what a tunnel broker hands out). Undefined for IPv4, whose
 * addresses are limited one by one.
 */
export function network48Of(address: string): string | undefined {
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) || isIP(address) !== 6) return undefined;
  return `${expandIPv6(address).slice(0, 3).join(':')}::/48`;
}

function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.replace(/%.*$/, '').split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  return [...left, ...Array.from({ length: Math.max(0, missing) }, () => '0'), ...right].map(
    (group) => group.toLowerCase().replace(/^0+(?=.)/, ''),
  );
}

/** HMAC-SHA-256 of the parts under `salt`, truncated to 128 bits, base64url. */
export function keyedId(salt: Buffer, ...parts: string[]): string {
  const hmac = createHmac('sha256', salt);
  // A separator no part can contain, so ('a', 'bc') and ('ab', 'c') differ.
  hmac.update(parts.join('\u0000'));
  return hmac.digest().subarray(0, 16).toString('base64url');
}

/** Addresses whose visits are never counted (`EXCLUDED_ADDRESSES`). */
export class AddressList {
  readonly #list = new BlockList();
  readonly size: number;

  /** @param entries IPv4 or IPv6 addresses and CIDR ranges; throws naming a bad entry */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address = '', prefix, ...rest] = entry.split('/');
      const family = isIP(address);
      const bits = prefix === undefined ? undefined : Number(prefix);
      const max = family === 4 ? 32 : 128;
      if (
        family === 0 ||
        rest.length > 0 ||
        (bits !== undefined && (!/^\d+$/.test(prefix ?? '') || (bits as number) > max))
      ) {
        throw new Error(`"${entry}" is not an IP address or CIDR range (like 203.0.113.0/24)`);
      }
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.#list.addAddress(address, type);
      else this.#list.addSubnet(address, bits, type);
    }
    this.size = entries.length;
  }

  has(address: string): boolean {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const plain = mapped ?? address;
    const family = isIP(plain);
    if (family === 0) return false;
    return this.#list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

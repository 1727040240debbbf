import { isIP } from 'node:net';
import type { Context } from 'hono';

/**
 * The viewer's address from CloudFront's `CloudFront-Viewer-Address` header (`IP:port`, the
 * port after the last colon, IPv6 without brackets). Undefined when absent or malformed.
 */
export function cloudFrontViewerAddress(c: Context): string | undefined {
  const header = c.req.header('cloudfront-viewer-address');
  if (!header) return undefined;
  const address = header.slice(0, header.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  return isIP(address) === 0 ? undefined : address;
}

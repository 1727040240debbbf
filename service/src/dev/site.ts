import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { contentSecurityPolicy } from '../../../web/build/csp.js';
import { PINNED_WIDGET_DIR } from '../../../web/build/embed.js';
import { buildSite, describeBuildError } from '../../../web/build/site.js';
import { watchTree } from './watch-tree.js';

/** The site's half of the dev server: the built files, with CloudFront's headers. */
export function siteApp(siteDir: string): Hono {
  // The page fetches from its own origin only: the CORS allow-list is not the page's business.
  const csp = contentSecurityPolicy();
  return new Hono().use(
    '*',
    // The page is public and its widget is meant to be embedded elsewhere (a classic <script>
    // from another site is a no-cors request, which CORP same-origin would block).
    secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }),
    async (c, next) => {
      await next();
      c.header('Content-Security-Policy', csp);
      const found = c.res.status === 200;
      // The pinned widget is fetched by other sites with CORS (`crossorigin` + `integrity`), as
      // CloudFront's behaviour for it answers.
      const pinned = found && c.req.path.startsWith(`/${PINNED_WIDGET_DIR}/`);
      if (pinned) c.header('Access-Control-Allow-Origin', '*');
      // Hashed assets never change; the page itself is revalidated on every load.
      const immutable = pinned || (found && c.req.path.startsWith('/assets/'));
      c.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
    serveStatic({ root: siteDir }),
  );
}

/**
 * Rebuilds the site whenever its sources change, and says so each time; a broken build keeps
 * the last good site.
 */
export function watchSite(
  webDir: string,
  siteDir: string,
  log: (line: string) => void,
): { close(): Promise<void> } {
  let building: Promise<void> = Promise.resolve();
  const rebuild = () => {
    building = building.then(async () => {
      const started = performance.now();
      try {
        await buildSite({ webDir, outDir: siteDir });
        log(`site rebuilt (${Math.round(performance.now() - started)} ms)`);
      } catch (error) {
        const reason = describeBuildError(error) ?? String((error as Error)?.message ?? error);
        log(`site not rebuilt: ${reason.split('\n').join(' ')}`);
      }
    });
  };
  const watcher = watchTree(webDir, rebuild);
  return {
    // A build under way finishes first: nothing is written into the site after close().
    close: async () => {
      watcher.close();
      await building;
    },
  };
}

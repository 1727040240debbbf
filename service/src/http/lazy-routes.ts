import type { Handler, NotFoundHandler } from 'hono';
import { Hono } from 'hono/quick';

/**
 * Routes a visit never takes (stats, pages, badges), built on their first request from a module
 * loaded then: in the Lambda bundle, `import()` makes that module a chunk of its own, so a cold
 * start that serves a visit never reads it (ADR 6, "Issue 24"). What they answer is what
 * `app.route(mount, routes)` would answer: their errors reach the app's `onError` and a path they
 * do not serve the app's `notFound`. The app registers the paths they serve with `.all(path, …)`.
 *
 * A load that fails (it cannot, short of a broken deployment) is tried again by the next request.
 */
export function lazyRoutes(
  mount: string,
  load: () => Promise<Hono>,
  notFound: NotFoundHandler,
): Handler {
  let routes: Promise<Hono> | undefined;
  const build = async () => {
    const app = new Hono().route(mount, await load());
    app.notFound(notFound);
    app.onError((error) => {
      throw error;
    });
    return app;
  };
  return async (c) => {
    routes ??= build().catch((error: unknown) => {
      routes = undefined;
      throw error;
    });
    return (await routes).fetch(c.req.raw, c.env);
  };
}

/**
 * The test support most tests need, in one import: the shared dynalite and its clients, the app
 * on it, a scratch dev server, and an item's billed size. The other modules here (the AWS
 * stand-in, the fault proxy, Chromium, the Lambda events, the dev process, the fixture site,
 * round trips, user agents) are imported on their own by the tests that need them.
 * @module
 */
export * from './app.js';
export * from './dynalite.js';
export * from './item-size.js';
export * from './scratch-dev-server.js';

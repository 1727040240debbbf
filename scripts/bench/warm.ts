import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localCredentials, localRegion } from '../../service/src/dev/local-dynamodb.js';
import {
  type BenchContext,
  bot,
  type Invoke,
  invoker,
  loadHandler,
  newVisitor,
  type RawCalls,
  rawCalls,
  type Sender,
} from './context.js';
import { electrodbCost } from './electrodb-cost.js';
import { stats, step, timed } from './format.js';
import { type LatencyProxy, startLatencyProxy } from './latency-proxy.js';
import type { Section } from './targets.js';
import { warmReport } from './warm-report.js';
import { yearOfHistory } from './year-of-history.js';

/** Added to every DynamoDB request in the second run: real DynamoDB is 3-6 ms away. */
const LINK_LATENCY_MS = 4;
/** The page the warm requests count: made before they start, so every instance knows it. */
const PAGE = '/bench';
/**
 * The warm handlers' limits: the function's own defaults (VIEWS_PER_ADDRESS_PER_DAY unset:
 * countingLimits' default), so a person's POST charges the address's view quota as it does in production. Each
 * sample is a visitor of its own, far from that limit.
 */
const PRODUCTION_LIMITS = { VIEWS_PER_ADDRESS_PER_DAY: undefined };

/** The answer says the POST took the path it was sent to measure. */
function expectCounted(answer: { counted?: string } | undefined, counted: string) {
  if (answer?.counted !== counted) {
    throw new Error(`expected a POST counted as ${counted}, got ${JSON.stringify(answer)}`);
  }
}

/**
 * Alternating, one at a time: a new visitor's first POST of the page and the same writes made
 * raw, a bot's POST and its writes made raw, one raw UpdateItem, the same visitor's second POST
 * (a returning visitor) and its writes made raw, a GET and one raw GetItem.
 */
async function alternate(invoke: Invoke, calls: RawCalls, samples: number, label: string) {
  await invoke('POST', PAGE, newVisitor());
  for (let i = 0; i < 100; i++) {
    const someone = newVisitor();
    await Promise.all([
      invoke('POST', PAGE, someone),
      calls.firstVisit(`${label}-warm-${i}`, PAGE),
      invoke('POST', PAGE, bot),
      calls.botVisit(PAGE),
      calls.update('warm'),
      invoke('GET', PAGE),
      calls.get('warm'),
    ]);
    await Promise.all([
      invoke('POST', PAGE, someone),
      calls.returningVisit(`${label}-warm-${i}`, PAGE),
    ]);
  }
  const warm = {
    first: [] as number[],
    firstRaw: [] as number[],
    bot: [] as number[],
    botRaw: [] as number[],
    update: [] as number[],
    returning: [] as number[],
    returningRaw: [] as number[],
    get: [] as number[],
    getItem: [] as number[],
  };
  let answer: Awaited<ReturnType<Invoke>> | undefined;
  const post = (from: Sender) => async () => {
    answer = await invoke('POST', PAGE, from);
  };
  for (let i = 0; i < samples; i++) {
    const someone = newVisitor();
    warm.first.push(await timed(post(someone)));
    expectCounted(answer, 'visitor');
    warm.firstRaw.push(await timed(() => calls.firstVisit(`${label}-${i}`, PAGE)));
    warm.bot.push(await timed(post(bot)));
    expectCounted(answer, 'bot');
    warm.botRaw.push(await timed(() => calls.botVisit(PAGE)));
    warm.update.push(await timed(() => calls.update('warm')));
    warm.returning.push(await timed(post(someone)));
    expectCounted(answer, 'view');
    warm.returningRaw.push(await timed(() => calls.returningVisit(`${label}-${i}`, PAGE)));
    warm.get.push(await timed(() => invoke('GET', PAGE)));
    warm.getItem.push(await timed(() => calls.get('warm')));
  }
  return {
    first: stats(warm.first),
    firstRaw: stats(warm.firstRaw),
    bot: stats(warm.bot),
    botRaw: stats(warm.botRaw),
    update: stats(warm.update),
    returning: stats(warm.returning),
    returningRaw: stats(warm.returningRaw),
    get: stats(warm.get),
    getItem: stats(warm.getItem),
  };
}
export type Warm = Awaited<ReturnType<typeof alternate>>;

/** DynamoDB requests and round trips per call, counted on the wire by `proxy`, averaged. */
async function onTheWire(proxy: LatencyProxy, calls: readonly (() => Promise<unknown>)[]) {
  const before = { requests: proxy.requests, roundTrips: proxy.roundTrips };
  for (const call of calls) await call();
  return {
    requests: (proxy.requests - before.requests) / calls.length,
    roundTrips: (proxy.roundTrips - before.roundTrips) / calls.length,
  };
}
const WIRE_SAMPLES = 20;
const times = (call: (i: number) => Promise<unknown>) =>
  Array.from({ length: WIRE_SAMPLES }, (_, i) => () => call(i));

/**
 * Warm requests through the bundled handler against the raw SDK calls, alternating: straight to
 * dynalite, then through a proxy that puts DynamoDB's real distance between them.
 */
export async function warmRequests(ctx: BenchContext, samples: number): Promise<Section> {
  step(`warm requests on dynalite (${samples} each)`);
  const direct = await alternate(
    invoker(await loadHandler(ctx.bundles.ours, ctx.endpoint, 'direct', PRODUCTION_LIMITS)),
    rawCalls(ctx.raw, ctx),
    samples,
    'direct',
  );

  const linkSamples = Math.min(samples, 400);
  step(
    `warm requests with ${LINK_LATENCY_MS} ms added to each DynamoDB request (${linkSamples} each)`,
  );
  const proxy = await startLatencyProxy(ctx.endpoint, LINK_LATENCY_MS);
  const far = new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: localRegion,
    credentials: localCredentials,
  });
  try {
    const invokeFar = invoker(
      await loadHandler(ctx.bundles.ours, proxy.endpoint, 'latency', PRODUCTION_LIMITS),
    );
    const linked = await alternate(invokeFar, rawCalls(far, ctx), linkSamples, 'far');
    // DynamoDB requests and round trips per request, counted on the wire (the day's salt was
    // fetched when the handler was loaded, as a Lambda's init does).
    const returning = Array.from({ length: WIRE_SAMPLES }, newVisitor);
    for (const someone of returning) await invokeFar('POST', PAGE, someone);
    const wire = {
      returning: await onTheWire(
        proxy,
        returning.map((someone) => () => invokeFar('POST', PAGE, someone)),
      ),
      first: await onTheWire(
        proxy,
        times(() => invokeFar('POST', PAGE, newVisitor())),
      ),
      creating: await onTheWire(
        proxy,
        times((i) => invokeFar('POST', `${PAGE}-new-${i}`, newVisitor())),
      ),
      bot: await onTheWire(
        proxy,
        times(() => invokeFar('POST', PAGE, bot)),
      ),
      get: await onTheWire(
        proxy,
        times(() => invokeFar('GET', PAGE)),
      ),
    };
    const own = await electrodbCost(ctx);
    const history = await yearOfHistory(ctx, Math.min(samples, 200));

    return warmReport({
      direct,
      linked,
      samples,
      linkSamples,
      linkLatencyMs: LINK_LATENCY_MS,
      wire,
      wireSamples: WIRE_SAMPLES,
      own,
      history,
    });
  } finally {
    far.destroy();
    await proxy.close();
    process.env.DYNAMODB_ENDPOINT = ctx.endpoint;
  }
}

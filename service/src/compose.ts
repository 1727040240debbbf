import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LinkAlerts, type Tell } from './alerts/link-alerts.js';
import type { Config } from './config.js';
import { createDynamoDBClient } from './db/client.js';
import { createCounterStore } from './db/counter-store/index.js';
import { createDatabase, createVisitsDatabase } from './db/index.js';
import { SMOKE_PAGE } from './domain/smoke.js';
import { AnswerCounter, type FunctionInstance, localInstance } from './http/answer-metrics.js';
import { createApp } from './http/app.js';
import { jsonLogger, type Logger, limitedEntry } from './http/http.js';
import type { AddressOf, CountryOf } from './http/routes/count.js';

export interface ComposeOptions {
  /** The DynamoDB client; @default a bounded client of `config.dynamodbEndpoint` */
  readonly client?: DynamoDBClient;
  /** Where failures are reported. @default JSON lines on stderr */
  readonly log?: Logger;
  /** Hard limit for one storage operation. @default dynamodbLimits.operationDeadlineMs */
  readonly deadlineMs?: number;
  /** The time; tests move it across midnight. @default the system clock */
  readonly now?: () => Date;
  /** The viewer's country, when the entry point knows it. @default none */
  readonly countryOf?: CountryOf;
  /** How the owner is told of a link's first open of a day. @default a log line */
  readonly tell?: Tell;
  /** The function and version answering, named in its answer metrics. @default localInstance */
  readonly instance?: FunctionInstance;
}

/** What `compose` needs of the configuration. */
export type ComposeConfig = Pick<
  Config,
  | 'tableName'
  | 'visitsTableName'
  | 'dynamodbEndpoint'
  | 'allowedOrigins'
  | 'viewsPerAddressPerDay'
  | 'viewsPerNetworkPerDay'
  | 'newPagesPerAddressPerDay'
  | 'maxPagesPerSite'
  | 'excludedAddresses'
> &
  Partial<Pick<Config, 'originSecrets'>>;

/**
 * The one place the app's dependencies are built: the Lambda entry, the dev server and the
 * tests all come through here, so a new entity or store is wired once. `ready` settles when what
 * the first visit would otherwise wait for (the day's salt) is fetched; it never rejects.
 */
export function compose(config: ComposeConfig, addressOf: AddressOf, options: ComposeOptions = {}) {
  const client = options.client ?? createDynamoDBClient({ endpoint: config.dynamodbEndpoint });
  const log = options.log ?? jsonLogger;
  const database = createDatabase({ client, table: config.tableName });
  const visits = createVisitsDatabase({ client, table: config.visitsTableName });
  const tell: Tell =
    options.tell ?? (async (open) => log({ level: 'info', msg: 'link opened', ...open }));
  const alerts = new LinkAlerts(tell, (error) =>
    log({ level: 'warn', msg: 'a link alert was not sent', error: String(error) }),
  );
  const counter = createCounterStore(database, visits, {
    limits: {
      viewsPerAddressPerDay: config.viewsPerAddressPerDay,
      viewsPerNetworkPerDay: config.viewsPerNetworkPerDay,
      newPagesPerAddressPerDay: config.newPagesPerAddressPerDay,
      maxPagesPerSite: config.maxPagesPerSite,
    },
    // The deploy checks' counter: the one page a bot's POST may create.
    botPages: [SMOKE_PAGE],
    onLimited: (limit) => log(limitedEntry(limit)),
    onLinkOpened: alerts.send,
    onLinkFailed: (error) =>
      log({ level: 'warn', msg: 'an open was not added to its link', error: String(error) }),
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
    ...(options.now ? { now: options.now } : {}),
  });
  const now = options.now;
  const answers = new AnswerCounter(
    log,
    options.instance ?? localInstance,
    ...(now ? [() => now().getTime()] : []),
  );
  const app = createApp({
    counter,
    config,
    excluded: config.excludedAddresses,
    addressOf,
    ...(options.countryOf ? { countryOf: options.countryOf } : {}),
    originSecrets: config.originSecrets ?? [],
    ...(options.now ? { now: options.now } : {}),
    log,
    answers,
  });
  return { app, client, database, visits, alerts, ready: counter.prepare() };
}

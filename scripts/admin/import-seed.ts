import {
  type AttributeValue,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import type { SeedItem } from '../../service/src/db/admin-entities/seed.js';
import { writeNeverApplied } from '../../service/src/db/client.js';
import type { Counts } from '../../service/src/domain/store.js';
import { countsOf, recordAdjustment, siteOfPage } from './counts.js';
import type { AdminDatabase } from './database.js';
import { AdminError, isConditionFailed } from './errors.js';

/** Where the old count is: the classic tutorial's `{ "mainid": 1, "views": N }` by default. */
export interface SeedSource {
  readonly table: string;
  /** The item's partition key, as `name=value`. */
  readonly key: { readonly name: string; readonly value: string };
  /** The number to bring over. */
  readonly attribute: string;
}

export interface FoundSeed {
  /** Names the source for good: table ARN, key and attribute. */
  readonly source: string;
  readonly views: number;
  /** When this source was imported before, by whom, onto which page. */
  readonly previously?: { readonly at: string; readonly who: string; readonly page: string };
}

/**
 * Reads the old counter's number. The table's key schema decides how the key's value is typed
 * (the tutorial's `mainid` is a number; many variants use a string id).
 */
export async function findSeed(
  client: DynamoDBClient,
  database: AdminDatabase,
  from: SeedSource,
): Promise<FoundSeed> {
  let table: Awaited<ReturnType<typeof describe>>;
  try {
    table = await describe(client, from.table);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new AdminError(
        `table ${from.table} was not found: pass the old counter's table with --table NAME`,
      );
    }
    throw error;
  }
  const hash = table.KeySchema?.find((key) => key.KeyType === 'HASH')?.AttributeName;
  if (table.KeySchema?.some((key) => key.KeyType === 'RANGE')) {
    throw new AdminError(
      `table ${from.table} has a sort key; import-seed reads tables keyed by one attribute`,
    );
  }
  if (hash !== from.key.name) {
    throw new AdminError(
      `table ${from.table} is keyed by ${hash}, not ${from.key.name}: pass --key ${hash}=VALUE`,
    );
  }
  const type = table.AttributeDefinitions?.find((a) => a.AttributeName === hash)?.AttributeType;
  let key: AttributeValue;
  if (type === 'N') {
    if (!/^-?\d+(\.\d+)?$/.test(from.key.value)) {
      throw new AdminError(
        `${hash} is a number in ${from.table}: --key ${hash}=${from.key.value} is not one`,
      );
    }
    key = { N: from.key.value };
  } else if (type === 'S') {
    key = { S: from.key.value };
  } else {
    throw new AdminError(
      `table ${from.table}'s key ${hash} is binary; import-seed reads number and string keys`,
    );
  }

  const { Item } = await client.send(
    new GetItemCommand({ TableName: from.table, Key: { [hash]: key }, ConsistentRead: true }),
  );
  if (!Item)
    throw new AdminError(`table ${from.table} has no item with ${hash} = ${from.key.value}`);
  const value = Item[from.attribute];
  if (value?.N === undefined) {
    const found = value ? `a ${Object.keys(value)[0]} value` : 'no such attribute';
    throw new AdminError(
      `the item ${hash} = ${from.key.value} has ${found} for ${from.attribute}: pass the attribute that holds the count with --attribute NAME`,
    );
  }
  const views = Number(value.N);
  if (!Number.isSafeInteger(views) || views < 0) {
    throw new AdminError(`${from.attribute} is ${value.N}, not a whole number of views`);
  }

  const source = `${table.TableArn ?? from.table}#${hash}=${from.key.value}#${from.attribute}`;
  const { data: previously } = await database.entities.seed
    .get({ source })
    .go({ consistent: true, originalErr: true });
  return {
    source,
    views,
    ...(previously
      ? { previously: { at: previously.at, who: previously.who, page: previously.page } }
      : {}),
  };
}

async function describe(client: DynamoDBClient, table: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  if (!Table) throw new AdminError(`table ${table} could not be described`);
  return Table;
}

/** Which of the page's numbers the old count is added to. */
export type SeedInto = 'views' | 'visitors' | 'both';

export interface ImportSeedOptions {
  readonly page: string;
  readonly seed: FoundSeed;
  /** @default 'both': the number the page shows (visitors, or views) goes on from the old one */
  readonly into?: SeedInto;
  readonly force: boolean;
  readonly who: string;
  readonly note: string;
  readonly now?: () => Date;
}

export interface ImportSeedResult {
  readonly from: Counts;
  readonly to: Counts;
}

/**
 * Adds the old count to the page's views and visitors (or one of them), once per source. The
 * source is claimed first with a conditional write, so a second run (or two at once) cannot add
 * it again; the count is added with an atomic `ADD`, so visits landing meanwhile are kept; then
 * the adjustment is recorded. The claim is taken back only when the `ADD` certainly never
 * applied (DynamoDB refused it, or it never reached DynamoDB: ADR 5), so a plain retry works;
 * after a failure that may have applied (a lost answer, a timeout, a 5xx) the claim stays, and
 * a rerun refuses until the owner has checked and passes `--force`.
 */
export async function importSeed(
  database: AdminDatabase,
  options: ImportSeedOptions,
): Promise<ImportSeedResult> {
  const { seed, counter } = database.entities;
  const { page } = options;
  const site = siteOfPage(page);
  const at = (options.now ?? (() => new Date()))();
  const claim = {
    source: options.seed.source,
    page,
    views: options.seed.views,
    at: at.toISOString(),
    who: options.who,
  };
  // With --force the claim replaces an earlier import's, which goes back if this one never applies.
  let earlier: SeedItem | null = null;
  try {
    if (options.force) {
      ({ data: earlier } = await seed
        .get({ source: claim.source })
        .go({ consistent: true, originalErr: true }));
      await seed.put(claim).go({ response: 'none', originalErr: true });
    } else await seed.create(claim).go({ response: 'none', originalErr: true });
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    const { data: found } = await seed
      .get({ source: claim.source })
      .go({ consistent: true, originalErr: true });
    // The SDK retries a PutItem whose answer was lost; the retry then finds this run's own claim.
    const ours = found?.at === claim.at && found.who === claim.who && found.page === claim.page;
    if (!ours) throw alreadyImported(claim.source, found);
  }

  const into = options.into ?? 'both';
  const added = {
    views: into === 'visitors' ? 0 : options.seed.views,
    visitors: into === 'views' ? 0 : options.seed.views,
  };
  let after: Counts;
  try {
    const { data } = await counter
      .upsert({ page, site })
      .add(added)
      .go({ response: 'all_new', originalErr: true });
    after = countsOf(data);
  } catch (error) {
    const why = `${(error as Error).name}: ${firstLine(error)}`;
    if (!writeNeverApplied(error)) {
      // It may have been added: taking the claim back could let a rerun add it twice.
      throw new AdminError(
        `the count may or may not have been added to ${page} (${why}); the import stays recorded as done, so a rerun will not add it again: check npm run admin -- show ${page} (and history ${page}), and only if ${n(options.seed.views)} was not added, run this again with --force`,
      );
    }
    try {
      if (earlier) await seed.put(earlier).go({ response: 'none', originalErr: true });
      else await seed.delete({ source: claim.source }).go({ response: 'none', originalErr: true });
    } catch (undo) {
      throw new AdminError(
        `the count was not added to ${page} (${why}), and the import could not be taken back (${firstLine(undo)}): run this again with --force`,
      );
    }
    throw new AdminError(
      `the count was not added to ${page} (${why}); nothing changed: run this again`,
    );
  }
  // The ADD was atomic: the counts just before it are the counts after, less what it added.
  const from = {
    ...after,
    views: after.views - added.views,
    visitors: after.visitors - added.visitors,
  };
  await recordAdjustment(database, {
    page,
    action: 'import-seed',
    who: options.who,
    note: options.note,
    from,
    to: after,
    source: claim.source,
    at,
  }).catch((error: unknown) => {
    throw new AdminError(
      `${n(options.seed.views)} was added to ${page} (views ${from.views} → ${after.views}, visitors ${from.visitors} → ${after.visitors}) but the adjustment could not be recorded: ${firstLine(error)}`,
    );
  });
  return { from, to: after };
}

const n = (value: number) => value.toLocaleString('en-US');
const firstLine = (error: unknown) =>
  String((error as Error)?.message ?? error).split('\n')[0] ?? '';

export function alreadyImported(
  source: string,
  previously: { at: string; who: string; page: string } | null | undefined,
): AdminError {
  const when = previously
    ? ` on ${previously.at} by ${previously.who}, onto ${previously.page}`
    : '';
  return new AdminError(
    `${source} was already imported${when}: nothing was changed (pass --force to add it again)`,
  );
}

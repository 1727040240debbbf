import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { compose } from '../../service/src/compose.js';
import { loadConfig } from '../../service/src/config.js';
import { createDynamoDBClient } from '../../service/src/db/client.js';
import { table as countsTable } from '../../service/src/db/table.js';
import { localCredentials, localRegion } from '../../service/src/dev/local-dynamodb.js';
import { countingLimits } from '../../service/src/domain/counting-limits.js';
import { cloudFrontViewerAddress } from '../../service/src/http/address.js';
import { type BenchContext, bot, headersOf, newVisitor, type Sender } from './context.js';
import { step, table } from './format.js';
import {
  atMost,
  type Check,
  checksTable,
  formatted,
  type Section,
  targetText,
  under,
} from './targets.js';

/** DynamoDB on-demand, per million write request units (us-east-1, since November 2024). */
const DOLLARS_PER_MILLION_WRITE_UNITS = 0.625;
/** The goal for DynamoDB's writes, visitors counted (issue 19): under $3 a million visits. */
const GOAL_PER_MILLION_VISITS = under(3, 'USD');

/** What the writes of one visit (or of several) cost. */
export interface WriteUnits {
  /** Write units the tables charged, as DynamoDB reports them. */
  table: number;
  /** Write units of the by-site index, counted by rule (dynalite does not report them). */
  index: number;
  /** Read units, as DynamoDB reports them. */
  read: number;
  /** Writes sent, those whose condition failed, and the write units of the largest. */
  writes: number;
  failed: number;
  largest: number;
}
const none = (): WriteUnits => ({ table: 0, index: 0, read: 0, writes: 0, failed: 0, largest: 0 });

const WRITES = new Set(['UpdateItemCommand', 'PutItemCommand', 'DeleteItemCommand']);
const READS = new Set(['GetItemCommand', 'QueryCommand']);

/**
 * Makes `client` ask DynamoDB what every write and read consumed (`ReturnConsumedCapacity:
 * 'TOTAL'`) and add it up. A write that sets the by-site index's key writes the index too: one
 * more unit by rule (items are under 1 KB, and dynalite does not report index writes). A write
 * whose condition failed is charged one unit, as DynamoDB charges it (dynalite reports nothing
 * for it). `take()` answers the sums since the last `take()`.
 */
export function countWriteUnits(client: DynamoDBClient) {
  let sums = none();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const write = WRITES.has(command);
      if (!write && !READS.has(command)) return next(args);
      const input = args.input as {
        ReturnConsumedCapacity?: string;
        ExpressionAttributeNames?: Record<string, string>;
      };
      input.ReturnConsumedCapacity = 'TOTAL';
      const indexed = Object.values(input.ExpressionAttributeNames ?? {}).includes(
        countsTable.bySiteIndex.partitionKey,
      );
      const charge = (units: number, index: number) => {
        if (!write) {
          sums.read += units;
          return;
        }
        sums.writes++;
        sums.table += units;
        sums.index += index;
        sums.largest = Math.max(sums.largest, units);
      };
      try {
        const result = await next(args);
        const { ConsumedCapacity } = result.output as {
          ConsumedCapacity?: { CapacityUnits?: number };
        };
        charge(ConsumedCapacity?.CapacityUnits ?? Number.NaN, indexed ? 1 : 0);
        return result;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
          sums.failed++;
          charge(1, 0);
        }
        throw error;
      }
    },
    { step: 'initialize', priority: 'high', name: 'benchConsumedCapacity' },
  );
  return {
    take(): WriteUnits {
      const taken = sums;
      sums = none();
      return taken;
    },
  };
}

export type VisitKind = 'creating' | 'first' | 'returning' | 'bot';
/** How footfall answers each kind of visit: the check that the mix measured what it says. */
const COUNTED: Record<VisitKind, string> = {
  creating: 'visitor',
  first: 'visitor',
  returning: 'view',
  bot: 'bot',
};

/** The mix, per page: the visit that creates it, then these, shuffled. */
export const MIX_PER_PAGE = { first: 29, returning: 12, bot: 8 } as const;
export const MIX_PAGES = 20;

/** A deterministic shuffle (mulberry32), so every run measures the same mix. */
function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/**
 * A day of a personal site as this benchmark assumes it: each page made by its first visitor,
 * then new visitors (most of them), visitors coming back to it (a reload, a second look) and
 * bots that run JavaScript, in a fixed shuffled order. A returning visit is one by a visitor
 * already counted on the page, round-robin, each far from the per-address limit.
 */
export function visitMix(
  label: string,
  next: () => Sender = newVisitor,
): { kind: VisitKind; page: string; from: Sender }[] {
  const visits: { kind: VisitKind; page: string; from: Sender }[] = [];
  for (let p = 0; p < MIX_PAGES; p++) {
    const page = `/writes-${label}/${p}`;
    const counted = [next()];
    visits.push({ kind: 'creating', page, from: counted[0] as Sender });
    const kinds = shuffled(
      (Object.entries(MIX_PER_PAGE) as [VisitKind, number][]).flatMap(([kind, n]) =>
        Array<VisitKind>(n).fill(kind),
      ),
      p + 1,
    );
    let again = 0;
    for (const kind of kinds) {
      if (kind === 'bot') visits.push({ kind, page, from: bot });
      else if (kind === 'returning') {
        visits.push({ kind, page, from: counted[again++ % counted.length] as Sender });
      } else {
        const someone = next();
        counted.push(someone);
        visits.push({ kind, page, from: someone });
      }
    }
  }
  return visits;
}

/** Runs the mix through `compose` with `env`'s limits; the write units of each visit. */
async function measureMix(ctx: BenchContext, label: string, env: Record<string, string>) {
  const client = createDynamoDBClient({
    endpoint: ctx.endpoint,
    region: localRegion,
    credentials: localCredentials,
  });
  const units = countWriteUnits(client);
  try {
    const config = loadConfig({
      TABLE_NAME: ctx.tableName,
      VISITS_TABLE_NAME: ctx.visitsTableName,
      ...env,
    });
    const { app, ready } = compose(config, cloudFrontViewerAddress, { client });
    await ready; // the day's salt, fetched during the function's init
    units.take();
    const measured: { kind: VisitKind; units: WriteUnits }[] = [];
    for (const visit of visitMix(label)) {
      const res = await app.request(`/api/count?page=${encodeURIComponent(visit.page)}`, {
        method: 'POST',
        headers: headersOf(visit.from),
      });
      const answer = (await res.json()) as { counted?: string };
      if (answer.counted !== COUNTED[visit.kind]) {
        throw new Error(`a ${visit.kind} visit was counted as ${JSON.stringify(answer)}`);
      }
      measured.push({ kind: visit.kind, units: units.take() });
    }
    return measured;
  } finally {
    client.destroy();
  }
}

const totalOf = (units: WriteUnits) => units.table + units.index;
const sorted = (values: number[]) => values.toSorted((a, b) => a - b);
const median = (values: number[]) => sorted(values)[Math.floor(values.length / 2)] ?? Number.NaN;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const dollars = (unitsPerVisit: number) => unitsPerVisit * DOLLARS_PER_MILLION_WRITE_UNITS;
/** `5`, or `5–6` when the visits of a kind differ. */
const spread = (values: number[]) => {
  const [low, high] = [Math.min(...values), Math.max(...values)];
  return low === high ? String(low) : `${low}–${high}`;
};

/**
 * Write units per visit, measured: footfall's store in this process (through `compose`, as the
 * Lambda builds it) on dynalite, every write asked what it consumed.
 */
export async function writeUnits(ctx: BenchContext): Promise<Section> {
  const visits = MIX_PAGES * (1 + Object.values(MIX_PER_PAGE).reduce((a, b) => a + b, 0));
  step(`write units per visit (${visits} visits, twice)`);
  const limited = await measureMix(ctx, 'limits', {});
  const unlimited = await measureMix(ctx, 'no-view-limit', { VIEWS_PER_ADDRESS_PER_DAY: '0' });

  const ofKind = (run: typeof limited, kind?: VisitKind) =>
    run.filter((visit) => kind === undefined || visit.kind === kind).map((visit) => visit.units);
  const kindRow = (name: string, kind: VisitKind) => {
    const [on, off] = [ofKind(limited, kind), ofKind(unlimited, kind)];
    const cells = (units: WriteUnits[]) => [
      `${spread(units.map((u) => u.table))} + ${spread(units.map((u) => u.index))} = ${spread(units.map(totalOf))}`,
      formatted(dollars(mean(units.map(totalOf))), 'USD'),
    ];
    return [name, String(on.length), ...cells(on), ...cells(off)];
  };
  const all = { on: ofKind(limited).map(totalOf), off: ofKind(unlimited).map(totalOf) };
  const mixCells = (totals: number[]) => [
    `${median(totals)} / ${Math.max(...totals)} / ${mean(totals).toFixed(2)}`,
    formatted(dollars(mean(totals)), 'USD'),
  ];

  const largest = Math.max(...[...limited, ...unlimited].map((visit) => visit.units.largest));
  const firstVisits = ofKind(limited, 'first').map(totalOf);
  const checks: Check[] = [
    {
      measure: 'the largest single write, write units',
      target: atMost(1, 'count'),
      measured: largest,
    },
    {
      measure: 'DynamoDB writes per million visits, the mix, default limits',
      target: GOAL_PER_MILLION_VISITS,
      measured: dollars(mean(all.on)),
    },
    {
      measure: 'DynamoDB writes per million visits, all first visits, default limits',
      target: GOAL_PER_MILLION_VISITS,
      measured: dollars(mean(firstVisits)),
    },
  ];
  const sum = (field: keyof WriteUnits) =>
    [...limited, ...unlimited].reduce((total, visit) => total + visit.units[field], 0);
  const [failed, writes] = [sum('failed'), sum('writes')];
  const reads = ofKind(limited).reduce((total, units) => total + units.read, 0);
  const perPage = MIX_PER_PAGE;

  const text = `## Write units per visit

What each kind of visit costs in DynamoDB writes, measured: footfall's store runs in this
process, built by \`compose\` as the Lambda builds it, on dynalite, with a DynamoDB client that
adds \`ReturnConsumedCapacity: 'TOTAL'\` to every request and sums the capacity units DynamoDB
reports. dynalite does not report writes to a global secondary index: every write of a page's
counter (the only item the by-site index holds; projection ALL) is charged one more unit for
it, by rule. A write whose condition fails is charged one unit, as DynamoDB charges it
(${failed} of the ${writes.toLocaleString('en')} writes here).

The mix, ${visits.toLocaleString('en')} POSTs over ${MIX_PAGES} pages, is a personal site's day as this benchmark
assumes it: per page, the visit that creates it, ${perPage.first} first visits (a new visitor on
the page), ${perPage.returning} returning visits (a visitor this instance already counted on the
page today, a reload or a second look) and ${perPage.bot} bots that run JavaScript, in a fixed
shuffled order. Run twice on fresh instances: with the function's default limits (${countingLimits.viewsPerAddressPerDay.default} views per
address and page a day, so every person's POST charges a view quota), and with
\`VIEWS_PER_ADDRESS_PER_DAY=0\` (no view quota). Dollars at $${DOLLARS_PER_MILLION_WRITE_UNITS} per
million write units (on-demand); a returning visitor whose POST reaches another Lambda
environment is a first visit there. Reads are not in the figures: the whole mix read
${reads} units (a page's creating visit reads its counter once, $0.125 per million). Targets:
every write one unit (every item under 1 KB), and the writes of a million visits, visitors
counted, ${targetText(GOAL_PER_MILLION_VISITS)}.

${table(
  [
    'visit',
    'in the mix',
    'write units: table + index = total, default limits',
    '$ per million',
    'write units, no view quota',
    '$ per million',
  ],
  [
    kindRow("a page's creating visit", 'creating'),
    kindRow('a first visit', 'first'),
    kindRow('a returning visit', 'returning'),
    kindRow("a bot's visit", 'bot'),
    [
      'the mix: p50 / max / mean',
      all.on.length.toLocaleString('en'),
      ...mixCells(all.on),
      ...mixCells(all.off),
    ],
  ],
)}

${checksTable(checks)}`;
  return { text, checks };
}

import {
  type AttributeValue,
  DeleteItemCommand,
  type DeleteItemCommandInput,
  type DeleteItemCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  type GetItemCommandOutput,
  QueryCommand as PlainQueryCommand,
  type QueryCommandInput as PlainQueryCommandInput,
  type QueryCommandOutput as PlainQueryCommandOutput,
  ScanCommand as PlainScanCommand,
  type ScanCommandInput as PlainScanCommandInput,
  type ScanCommandOutput as PlainScanCommandOutput,
  PutItemCommand,
  type PutItemCommandInput,
  type PutItemCommandOutput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
  type UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DeleteCommandInput,
  type DeleteCommandOutput,
  GetCommand,
  type GetCommandInput,
  type GetCommandOutput,
  PutCommand,
  type PutCommandInput,
  type PutCommandOutput,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  ScanCommand,
  type ScanCommandInput,
  type ScanCommandOutput,
  UpdateCommand,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, type NativeAttributeValue, unmarshall } from '@aws-sdk/util-dynamodb';
import type { V3DocumentClient } from 'electrodb';

/**
 * How one field of a command's input or output is carried between the document command and the
 * plain one: as it is, as a map of attribute values (`Key`, `Item`, `ExpressionAttributeValues`,
 * `Attributes`, `ExclusiveStartKey`, `LastEvaluatedKey`), as a list of such maps (`Items`), or
 * not at all: a field that is present and not `undefined` is refused with a `TypeError`.
 */
type Handling = 'as-is' | 'map' | 'maps' | 'refused';

/** True when `A` and `B` are the same type (not merely assignable one way). */
type Same<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type NativeMap = Record<string, NativeAttributeValue>;

/**
 * How a field may be handled, from its type in lib-dynamodb's public input or output type
 * (`Doc`) and in the plain client's (`Plain`): a field lib-dynamodb leaves alone is carried as
 * it is; one it retypes as exactly a map (or a list of maps) of native values is converted;
 * anything else it retypes (the legacy `Expected`, `KeyConditions`, … whose values sit deeper)
 * can only be refused.
 */
type Allowed<Doc, Plain> =
  Same<Doc, Plain> extends true
    ? 'as-is' | 'refused'
    : Same<NonNullable<Doc>, NativeMap> extends true
      ? 'map' | 'refused'
      : Same<NonNullable<Doc>, NativeMap[]> extends true
        ? 'maps' | 'refused'
        : 'refused';

/**
 * Every field of an operation's input or output, in either package, with how it is handled.
 * A field added to either package's type, or retyped, fails `npm run typecheck` here until it
 * is handled.
 */
type Fields<Doc, Plain> = {
  readonly [K in keyof Doc | keyof Plain]: Allowed<
    K extends keyof Doc ? Doc[K] : never,
    K extends keyof Plain ? Plain[K] : never
  >;
};

/** What a document command becomes: the plain command it maps to and how its fields travel. */
interface Route {
  readonly name: string;
  /** Sends `input` (converted) as the plain command. */
  readonly send: (client: DynamoDBClient, input: object) => Promise<object>;
  readonly input: Readonly<Record<string, Handling>>;
  readonly output: Readonly<Record<string, Handling>>;
}

// Fields common to the write commands' inputs. `ReturnItemCollectionMetrics` is refused because
// its answer, `ItemCollectionMetrics`, holds attribute values one level down (refused too).
const writeInput = {
  TableName: 'as-is',
  ConditionExpression: 'as-is',
  ExpressionAttributeNames: 'as-is',
  ExpressionAttributeValues: 'map',
  ReturnValues: 'as-is',
  ReturnValuesOnConditionCheckFailure: 'as-is',
  ReturnConsumedCapacity: 'as-is',
  ReturnItemCollectionMetrics: 'refused',
  ConditionalOperator: 'as-is',
  Expected: 'refused',
} as const;
const writeOutput = {
  $metadata: 'as-is',
  Attributes: 'map',
  ConsumedCapacity: 'as-is',
  ItemCollectionMetrics: 'refused',
} as const;
const readInput = {
  TableName: 'as-is',
  IndexName: 'as-is',
  Select: 'as-is',
  AttributesToGet: 'as-is',
  Limit: 'as-is',
  ConsistentRead: 'as-is',
  ConditionalOperator: 'as-is',
  ExclusiveStartKey: 'map',
  ReturnConsumedCapacity: 'as-is',
  ProjectionExpression: 'as-is',
  FilterExpression: 'as-is',
  ExpressionAttributeNames: 'as-is',
  ExpressionAttributeValues: 'map',
} as const;
const readOutput = {
  $metadata: 'as-is',
  Items: 'maps',
  Count: 'as-is',
  ScannedCount: 'as-is',
  LastEvaluatedKey: 'map',
  ConsumedCapacity: 'as-is',
} as const;

/**
 * The document commands ElectroDB sends for what footfall does (get, put, create, update,
 * upsert, delete, query, scan), each with the plain command it wraps. ElectroDB's batch and
 * transaction commands are not here, so they are refused; footfall uses neither.
 */
const routes = new Map<unknown, Route>([
  [
    GetCommand,
    {
      name: 'GetCommand',
      send: (client, input) => client.send(new GetItemCommand(input as GetItemCommandInput)),
      input: {
        TableName: 'as-is',
        Key: 'map',
        AttributesToGet: 'as-is',
        ConsistentRead: 'as-is',
        ReturnConsumedCapacity: 'as-is',
        ProjectionExpression: 'as-is',
        ExpressionAttributeNames: 'as-is',
      } satisfies Fields<GetCommandInput, GetItemCommandInput>,
      output: {
        $metadata: 'as-is',
        Item: 'map',
        ConsumedCapacity: 'as-is',
      } satisfies Fields<GetCommandOutput, GetItemCommandOutput>,
    },
  ],
  [
    PutCommand,
    {
      name: 'PutCommand',
      send: (client, input) => client.send(new PutItemCommand(input as PutItemCommandInput)),
      input: { ...writeInput, Item: 'map' } satisfies Fields<PutCommandInput, PutItemCommandInput>,
      output: writeOutput satisfies Fields<PutCommandOutput, PutItemCommandOutput>,
    },
  ],
  [
    UpdateCommand,
    {
      name: 'UpdateCommand',
      send: (client, input) => client.send(new UpdateItemCommand(input as UpdateItemCommandInput)),
      input: {
        ...writeInput,
        Key: 'map',
        UpdateExpression: 'as-is',
        AttributeUpdates: 'refused',
      } satisfies Fields<UpdateCommandInput, UpdateItemCommandInput>,
      output: writeOutput satisfies Fields<UpdateCommandOutput, UpdateItemCommandOutput>,
    },
  ],
  [
    DeleteCommand,
    {
      name: 'DeleteCommand',
      send: (client, input) => client.send(new DeleteItemCommand(input as DeleteItemCommandInput)),
      input: { ...writeInput, Key: 'map' } satisfies Fields<
        DeleteCommandInput,
        DeleteItemCommandInput
      >,
      output: writeOutput satisfies Fields<DeleteCommandOutput, DeleteItemCommandOutput>,
    },
  ],
  [
    QueryCommand,
    {
      name: 'QueryCommand',
      send: (client, input) => client.send(new PlainQueryCommand(input as PlainQueryCommandInput)),
      input: {
        ...readInput,
        ScanIndexForward: 'as-is',
        KeyConditionExpression: 'as-is',
        KeyConditions: 'refused',
        QueryFilter: 'refused',
      } satisfies Fields<QueryCommandInput, PlainQueryCommandInput>,
      output: readOutput satisfies Fields<QueryCommandOutput, PlainQueryCommandOutput>,
    },
  ],
  [
    ScanCommand,
    {
      name: 'ScanCommand',
      send: (client, input) => client.send(new PlainScanCommand(input as PlainScanCommandInput)),
      input: {
        ...readInput,
        Segment: 'as-is',
        TotalSegments: 'as-is',
        ScanFilter: 'refused',
      } satisfies Fields<ScanCommandInput, PlainScanCommandInput>,
      output: readOutput satisfies Fields<ScanCommandOutput, PlainScanCommandOutput>,
    },
  ],
]);

// The conversions lib-dynamodb applies, with its default options, to each member of a map.
const toAttributeValue = (value: NativeAttributeValue) =>
  marshall(value, { convertTopLevelContainer: true }) as AttributeValue;
const toNative = (value: AttributeValue): NativeAttributeValue =>
  unmarshall(value, { convertWithoutMapWrapper: true });

/**
 * The client ElectroDB is given. ElectroDB builds lib-dynamodb document commands and sends each
 * with per-call options; either would switch off the bounded client's cached middleware (~0.3 ms
 * a call), and a document command cannot be cached at all (its resolved handler keeps its first
 * input: every visit would count the first page). So each document command ElectroDB sends for
 * footfall is sent as the plain command it wraps, with no per-call options, its fields carried
 * as the table above says, using only public API: the command classes, their `input`, their
 * input and output types, and util-dynamodb's `marshall`/`unmarshall` with lib-dynamodb's
 * default options. Any other command, and any field the table does not carry, is refused with
 * a `TypeError`, so nothing is ever converted by guesswork. Everything else about the call
 * (limits, retries, the write-retry rule) stays the client's.
 */
export function electroClient(client: DynamoDBClient): V3DocumentClient {
  return {
    send: async (command: unknown) => {
      const route = routes.get((command as object | null | undefined)?.constructor);
      if (route === undefined) {
        throw new TypeError(
          `electroClient sends only lib-dynamodb's ${[...routes.values()].map((r) => r.name).join(', ')}; it was sent ${describe(command)}`,
        );
      }
      const input = carry(route, 'input', (command as { input: object }).input, (map) =>
        mapMembers(map, toAttributeValue),
      );
      const output = await route.send(client, input);
      return carry(route, 'output', output, (map) => mapMembers(map, toNative));
    },
  };
}

/** A copy of a command's input or output with each field carried as `route` says. */
function carry(
  route: Route,
  side: 'input' | 'output',
  fields: object,
  convertMap: (map: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown> {
  const handling = route[side];
  const copy: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    switch (Object.hasOwn(handling, field) ? handling[field] : undefined) {
      case 'as-is':
        copy[field] = value;
        break;
      case 'map':
        copy[field] = convertMap(value as Record<string, unknown>);
        break;
      case 'maps':
        copy[field] = (value as Record<string, unknown>[]).map(convertMap);
        break;
      default:
        throw new TypeError(
          `electroClient does not carry ${route.name}'s ${side} field ${JSON.stringify(field)}`,
        );
    }
  }
  return copy;
}

/** Each member of `map` converted; members that are `undefined` left out, as lib-dynamodb does. */
function mapMembers<From, To>(
  map: Record<string, unknown>,
  convert: (value: From) => To,
): Record<string, To> {
  const converted: Record<string, To> = {};
  for (const [name, value] of Object.entries(map)) {
    if (value !== undefined) converted[name] = convert(value as From);
  }
  return converted;
}

function describe(command: unknown): string {
  const name = (command as object | null | undefined)?.constructor?.name;
  return name === undefined || name === 'Object' ? String(command) : `a ${name}`;
}

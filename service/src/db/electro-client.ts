import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { V3DocumentClient } from 'electrodb';

/**
 * Where a document command's fields hold DynamoDB values, as `@aws-sdk/lib-dynamodb` describes
 * each of its commands: `null` is the value itself, an empty object or array is every member,
 * `{ '*': node }` is every member at `node`, and any other object names the fields to descend.
 */
type KeyNode = null | KeyNodes;
type KeyNodes = { readonly [field: string]: KeyNode } | readonly [];

/** The parts of a lib-dynamodb command (`GetCommand`, `UpdateCommand`, …) used here. */
interface DocumentCommand {
  readonly input: object;
  readonly inputKeyNodes: KeyNodes;
  readonly outputKeyNodes: KeyNodes;
  /** The plain command it wraps (`GetItemCommand`, …); only its class is used. */
  readonly clientCommand: object;
}

type PlainCommand = Parameters<DynamoDBClient['send']>[0];

// The same conversions lib-dynamodb applies with its default options.
const toAttributeValue = (value: unknown) => marshall(value, { convertTopLevelContainer: true });
const toNative = (value: unknown) =>
  unmarshall(value as Parameters<typeof unmarshall>[0], { convertWithoutMapWrapper: true });

/**
 * The client ElectroDB is given. ElectroDB builds lib-dynamodb document commands and sends each
 * with per-call options; either would switch off the bounded client's cached middleware (~0.3 ms
 * a call), and a document command cannot be cached at all (its resolved handler keeps its first
 * input: every visit would count the first page). So each document command is sent as the plain
 * command it wraps, its values converted here exactly as lib-dynamodb converts them, with no
 * per-call options. Everything else about the call (limits, retries, the write-retry rule)
 * stays the client's.
 */
export function electroClient(client: DynamoDBClient): V3DocumentClient {
  return {
    send: async (command: unknown) => {
      const document = asDocumentCommand(command);
      const Plain = document.clientCommand.constructor as new (input: object) => PlainCommand;
      const output = await client.send(
        new Plain(convertFields(document.input, document.inputKeyNodes, toAttributeValue)),
      );
      return convertFields(output, document.outputKeyNodes, toNative);
    },
  };
}

function asDocumentCommand(command: unknown): DocumentCommand {
  const candidate = command as Partial<DocumentCommand> | null;
  if (
    typeof candidate?.input !== 'object' ||
    typeof candidate.inputKeyNodes !== 'object' ||
    typeof candidate.outputKeyNodes !== 'object' ||
    typeof candidate.clientCommand !== 'object'
  ) {
    // Only a changed lib-dynamodb can get here; the data-layer tests would fail first.
    throw new TypeError('electroClient was sent something that is not a lib-dynamodb command');
  }
  return candidate as DocumentCommand;
}

type Convert = (value: unknown) => unknown;

/** A copy of `object` with the fields that `nodes` names converted by `convert`. */
function convertFields<T extends object>(object: T, nodes: KeyNodes, convert: Convert): T {
  const source = object as Record<string, unknown>;
  const copy = (Array.isArray(object) ? [...object] : { ...source }) as Record<string, unknown>;
  for (const [field, node] of Object.entries(nodes)) {
    const value = source[field];
    if (value !== undefined) copy[field] = convertNode(value, node, convert);
  }
  return copy as T;
}

function convertNode(value: unknown, node: KeyNode, convert: Convert): unknown {
  if (node === null) return convert(value);
  const fields = Object.keys(node);
  if (fields.length === 0) return mapMembers(value, convert);
  if (fields.length === 1 && fields[0] === '*') {
    const member = (node as Record<string, KeyNode>)['*'] ?? null;
    return mapMembers(value, (entry) => convertNode(entry, member, convert));
  }
  return convertFields(value as object, node, convert);
}

function mapMembers(value: unknown, convert: Convert): unknown {
  if (Array.isArray(value)) return value.map(convert);
  return Object.fromEntries(
    Object.entries(value as object).map(([field, entry]) => [field, convert(entry)]),
  );
}

import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamodbLimits } from './dynamodb.js';
import { type CounterStore, StorageUnavailableError } from './store.js';
import { table } from './table.js';

/**
 * How a counter item is keyed and marked, exactly as the ElectroDB model in `counter-model.ts`
 * does it (service `footfall`, entity `counter`, version `1`, key casing kept), so either can
 * read what the other wrote. The contract tests hold the two together.
 */
export const counterItem = {
  partitionKey: (page: string) => `$footfall#page_${page}`,
  sortKey: '$counter_1',
  entity: 'counter',
  version: '1',
} as const;

export interface CounterStoreOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
  /** Hard limit for one operation, retries included. @default dynamodbLimits.operationDeadlineMs */
  readonly deadlineMs?: number;
}

const key = (page: string): Record<string, AttributeValue> => ({
  [table.partitionKey]: { S: counterItem.partitionKey(page) },
  [table.sortKey]: { S: counterItem.sortKey },
});

/**
 * The CounterStore over DynamoDB: one GetItem per read, one UpdateItem per increment, each
 * bounded by the operation deadline. Written against the SDK directly: ElectroDB was the whole
 * cold-start gap (docs/adr/0004).
 */
export function createCounterStore(options: CounterStoreOptions): CounterStore {
  const { client } = options;
  const deadlineMs = options.deadlineMs ?? dynamodbLimits.operationDeadlineMs;
  /**
   * Bounds one operation, retries included, with a plain timer: passing an abortSignal to the
   * SDK would switch off its middleware cache. A call that loses the race runs out on the SDK's
   * own limits in the background; for a write, that is the ambiguous case of ADR 5.
   */
  const guard = async <T>(operation: string, call: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
    });
    try {
      return await Promise.race([call, deadline]);
    } catch (error) {
      call.catch(() => {}); // the abandoned call may still fail later; nobody is waiting for it
      throw new StorageUnavailableError(`counter ${operation} failed`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    views: async (page) => {
      const { Item } = await guard(
        'read',
        client.send(
          new GetItemCommand({
            TableName: options.table,
            Key: key(page),
            // Strongly consistent, so a read after an increment sees it (one read unit, not half).
            // No projection: the item is a few dozen bytes, and a read unit covers 4 KB anyway.
            ConsistentRead: true,
          }),
        ),
      );
      return Item?.views?.N === undefined ? 0 : Number(Item.views.N);
    },

    increment: async (page) => {
      const { Attributes } = await guard(
        'increment',
        // A visit is counted at most once per request: the client retries an UpdateItem only
        // after failures that prove it was not applied (dynamodb.ts, ADR 5).
        client.send(
          new UpdateItemCommand({
            TableName: options.table,
            Key: key(page),
            // One atomic ADD; creates the item on the first visit. The SETs mark the item the way
            // ElectroDB's upsert does, so the model reads it as its own.
            UpdateExpression:
              'SET #page = :page, #entity = :entity, #version = :version ADD #views :one',
            ExpressionAttributeNames: {
              '#page': 'page',
              '#entity': '__edb_e__',
              '#version': '__edb_v__',
              '#views': 'views',
            },
            ExpressionAttributeValues: {
              ':page': { S: page },
              ':entity': { S: counterItem.entity },
              ':version': { S: counterItem.version },
              ':one': { N: '1' },
            },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      const views = Attributes?.views?.N;
      if (views === undefined) throw new Error(`increment of ${page} returned no count`);
      return Number(views);
    },
  };
}

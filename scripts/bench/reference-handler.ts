// The reference the benchmark measures footfall against: the least a Lambda can do to count a
// visit with the AWS SDK, one UpdateItem with an atomic ADD, and nothing else (no routing, no
// validation, no error mapping). Bundled exactly as footfall's handler is.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({
  ...(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {}),
});

export const handler = async (event: { rawQueryString?: string }) => {
  const page = new URLSearchParams(event.rawQueryString ?? '').get('page') ?? '/';
  const { Attributes } = await client.send(
    new UpdateItemCommand({
      TableName: process.env.TABLE_NAME,
      Key: { pk: { S: `reference#${page}` }, sk: { S: 'reference' } },
      UpdateExpression: 'ADD #views :one',
      ExpressionAttributeNames: { '#views': 'views' },
      ExpressionAttributeValues: { ':one': { N: '1' } },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ page, views: Number(Attributes?.views?.N) }),
  };
};

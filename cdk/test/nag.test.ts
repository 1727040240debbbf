import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { footfallAcknowledgements } from '../lib/nag-acknowledgements.js';
import { EVERY_OPTION, synthesize } from './support.js';

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});
const outdir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-cdk-out-'));
  outdirs.push(dir);
  return dir;
};

describe('cdk-nag AwsSolutions', () => {
  test.each([
    ['the default configuration', {}, undefined],
    ['every option set', EVERY_OPTION.context, EVERY_OPTION.env],
    ['production only, no budget', { staging: false, monthlyBudgetUsd: 0 }, undefined],
  ])('%s synthesizes with no unacknowledged finding', (_name, context, env) => {
    const { cdkApp, ...stacks } = synthesize(context, {
      outdir: outdir(),
      ...(env ? { env } : {}),
    });
    // The validation plugin interrupts synthesis on any finding not acknowledged.
    expect(() => cdkApp.synth()).not.toThrow();
    const acknowledgements = footfallAcknowledgements({
      ...stacks,
      bootstrapQualifier: 'hnb659fds',
    });
    for (const { rule, reason } of acknowledgements) {
      expect(reason.length, rule).toBeGreaterThan(40);
    }
    console.info(
      `acknowledged (${_name}):\n${acknowledgements.map((a) => `  ${a.rule} @ ${a.scope.node.path}`).join('\n')}`,
    );
  });
});

describe('real bundling', () => {
  test('the API function is bundled by the local esbuild as `npm run build` bundles it: index.mjs with the SDK inside, and chunks', () => {
    const dir = outdir();
    const { cdkApp, app } = synthesize(
      { 'aws:cdk:enable-asset-metadata': true },
      { bundle: true, outdir: dir },
    );
    cdkApp.synth();
    const template = JSON.parse(readFileSync(join(dir, `${app.artifactId}.template.json`), 'utf8'));
    const [, fn] =
      Object.entries<{ Type: string; Metadata?: Record<string, string> }>(template.Resources).find(
        ([logicalId, resource]) =>
          logicalId.startsWith('ApiFunction') &&
          resource.Type === 'AWS::Lambda::Function' &&
          resource.Metadata?.['aws:asset:path']?.startsWith('asset.'),
      ) ?? [];
    const assetDir = join(dir, fn?.Metadata?.['aws:asset:path'] ?? 'missing');
    expect(readdirSync(assetDir).sort()).toEqual(['chunks', 'index.mjs']);
    expect(readdirSync(join(assetDir, 'chunks')).every((name) => name.endsWith('.mjs'))).toBe(true);
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
    // Static imports are only Node built-ins and its own chunks: the AWS SDK, Hono and ElectroDB
    // are inside.
    const imports = [
      ...code.matchAll(/(?:^|;)import\s*(?:[\w$*{}\s,]+from\s*)?["']([^"']+)["']/g),
    ].map((m) => m[1]);
    expect(
      imports.filter((name) => !name?.startsWith('node:') && !name?.startsWith('./chunks/')),
    ).toEqual([]);
    expect(code.length).toBeGreaterThan(100_000); // the SDK is inside
    expect(code.split('\n').length).toBeLessThan(200); // minified
  });
});

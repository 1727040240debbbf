import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseDeployConfig } from '../lib/deploy-config.js';
import { addFootfallStacks, type FootfallStacks } from '../lib/footfall-app.js';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A stand-in for `dist/web`: the stacks only need its shape to stage it. */
export function fakeSite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-cdk-site-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>test</title>');
  writeFileSync(join(dir, 'assets', 'site.TEST.css'), 'body{}');
  mkdirSync(join(dir, 'widget'));
  writeFileSync(join(dir, 'widget', 'footfall-widget.0123456789abcdef.js'), '"use strict";');
  return dir;
}

/** cdk.json's context (the feature flags), which `cdk synth` applies to every synthesis. */
export const cdkJsonContext = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8'))
  .context as Record<string, unknown>;

export interface Synthesized extends FootfallStacks {
  appTemplate: Template;
  cdkApp: App;
}

/**
 * footfall's stacks as `cdk/bin/app.ts` builds them, from cdk.json's context (its feature
 * flags) and the given context, with Lambda bundling skipped (one test does bundle for real).
 */
export function synthesize(
  context: Record<string, unknown> = {},
  options: {
    env?: { account?: string; region?: string };
    bundle?: boolean;
    outdir?: string;
    /** Leave out cdk.json's context (to compare against the defaults of aws-cdk-lib). */
    withoutCdkJson?: boolean;
  } = {},
): Synthesized {
  const cdkApp = new App({
    context: {
      ...(options.withoutCdkJson ? {} : cdkJsonContext),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const config = parseDeployConfig({ context: (key) => cdkApp.node.tryGetContext(key), env: {} });
  const stacks = addFootfallStacks(cdkApp, {
    config,
    projectRoot,
    siteDir: fakeSite(),
    ...(options.env ? { env: options.env } : {}),
  });
  return { ...stacks, cdkApp, appTemplate: Template.fromStack(stacks.app) };
}

/** Every deploy setting set (with an account and region to put them in): the widest stacks. */
export const EVERY_OPTION = {
  context: {
    repository: 'maya-ol/footfall',
    repositoryId: '987654321',
    allowedOrigins: ['https://blog.example.com'],
    alertEmail: 'me@example.com',
    domainName: 'resume.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    hostedZoneName: 'example.com',
    wafRateLimit: 600,
    reservedConcurrency: 20,
    monthlyBudgetUsd: 25,
    tableMaxWriteRequestUnits: 1000,
  },
  env: { account: '123456789012', region: 'eu-west-1' },
} as const;

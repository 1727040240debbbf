/**
 * `npm run rotation`: prints the next step of rotating the origin secret, with its exact
 * commands, for the settings in cdk.json (ADR 18, docs/deploy.md). Changes nothing.
 */
import { readFileSync } from 'node:fs';
import { parseDeployConfig } from '../../../cdk/lib/deploy-config.js';
import { nextRotationStep } from './plan.js';

const context =
  (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context?: Record<string, unknown> }).context ??
  {};
const config = parseDeployConfig({ context: (key) => context[key], env: process.env });
console.log(
  nextRotationStep({
    version: config.originSecretVersion,
    acceptPrevious: config.acceptPreviousOriginSecret,
    staging: config.staging,
  }).join('\n'),
);

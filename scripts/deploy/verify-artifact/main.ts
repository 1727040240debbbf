/**
 * The cloud assembly the deploy jobs hand to the CDK CLI is the one the synth job built, and it
 * makes the CLI run nothing but CloudFormation and S3 uploads.
 *
 *   node scripts/deploy/verify-artifact/main.ts record cdk.out      (synth job)
 *   node scripts/deploy/verify-artifact/main.ts verify cdk.out SHA  (deploy jobs, before the CLI)
 *
 * `record` checks the assembly's asset manifests, writes the SHA-256 of every file into
 * `cdk.out/footfall-files.sha256` (`sha256sum`'s format) and prints `digest=…`, that list's own
 * SHA-256, for the synth job's outputs. `verify` takes that digest from the synth job's outputs
 * (which no later job can change), checks the list against it and every file against the list
 * (nothing changed, added or missing), then the asset manifests again.
 *
 * Why asset manifests: the CDK CLI runs a file or Docker asset's `source.executable` to build it,
 * and builds Docker images, in the job that holds the AWS token. footfall has neither (its assets
 * are files and folders synth wrote), so any of them is refused.
 *
 * One file importing only Node's own modules: the deploy jobs run it with Node's type stripping
 * (`.node-version`, Node 24), so nothing is installed where the AWS token is, and no relative
 * import could resolve differently there than under tsx.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The list of files and their SHA-256s, written into the assembly by `record`. */
export const FILE_LIST = 'footfall-files.sha256';

/** Why an artifact is not deployed: every reason, one a line. */
export class ArtifactRefused extends Error {
  readonly reasons: readonly string[];
  constructor(reasons: readonly string[]) {
    super(reasons.join('\n'));
    this.name = 'ArtifactRefused';
    this.reasons = reasons;
  }
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Every file under `dir`, as `/`-separated paths relative to it, in byte order. */
function filesUnder(dir: string, reasons: string[]): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(join(dir, at), { withFileTypes: true })) {
      const path = at === '' ? entry.name : `${at}/${entry.name}`;
      // One file a line in the list: a name that could break a line is refused.
      if (/[\n\r]/.test(entry.name))
        reasons.push(`${JSON.stringify(path)}: a line break in its name`);
      else if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push(path);
      // An artifact's zip holds no links; one here could point anywhere on the runner.
      else reasons.push(`${path}: not a regular file or folder`);
    }
  };
  walk('');
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `sha256sum`'s lines for every file under `dir` but the list itself. */
function listFiles(dir: string, reasons: string[]) {
  return filesUnder(dir, reasons)
    .filter((path) => path !== FILE_LIST)
    .map((path) => `${sha256(readFileSync(join(dir, path)))}  ${path}\n`)
    .join('');
}

interface AssetSource {
  readonly path?: unknown;
  readonly executable?: unknown;
  readonly directory?: unknown;
}
interface AssetManifest {
  readonly files?: Record<string, { readonly displayName?: string; readonly source?: AssetSource }>;
  readonly dockerImages?: Record<string, { readonly displayName?: string }>;
}

/**
 * What in the assembly's asset manifests (`*.assets.json`, nested assemblies' too) the CDK CLI
 * would run or build: an `executable` source, a Docker image, or a file path outside the
 * assembly (which would upload whatever the runner holds there).
 */
export function assetProblems(dir: string): string[] {
  const reasons: string[] = [];
  // What is not a file is the file list's to report (`record`, `verify`).
  const manifests = filesUnder(dir, []).filter((path) => path.endsWith('.assets.json'));
  for (const path of manifests) {
    let manifest: AssetManifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, path), 'utf8')) as AssetManifest;
    } catch (error) {
      reasons.push(`${path}: not JSON (${(error as Error).message})`);
      continue;
    }
    const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    for (const [id, asset] of Object.entries(manifest.files ?? {})) {
      const name = `${path}: file asset ${asset.displayName ?? id}`;
      const source = asset.source ?? {};
      if (source.executable !== undefined) {
        reasons.push(`${name} has an executable source (the CDK CLI would run it)`);
        continue;
      }
      const inside =
        typeof source.path === 'string' &&
        !isAbsolute(source.path) &&
        !normalize(join(folder, source.path)).split(sep).includes('..');
      if (!inside) {
        reasons.push(`${name} takes its files from outside the assembly (${String(source.path)})`);
      }
    }
    for (const [id, image] of Object.entries(manifest.dockerImages ?? {})) {
      reasons.push(
        `${path}: Docker image asset ${image.displayName ?? id} (the CDK CLI would build it; footfall has none)`,
      );
    }
  }
  return reasons;
}

/** Synth: checks the assets, writes the file list into the assembly, returns its digest. */
export function record(dir: string): string {
  const reasons = assetProblems(dir);
  const list = listFiles(dir, reasons);
  if (reasons.length > 0) throw new ArtifactRefused(reasons);
  writeFileSync(join(dir, FILE_LIST), list);
  return sha256(list);
}

/** Deploy: the assembly is, file for file, the one `record` listed, and its assets run nothing. */
export function verify(dir: string, digest: string): { files: number } {
  if (!/^[0-9a-f]{64}$/.test(digest)) {
    throw new ArtifactRefused([
      `the recorded digest is not a SHA-256 (${JSON.stringify(digest)}): the synth job's output is missing`,
    ]);
  }
  let list: string;
  try {
    list = readFileSync(join(dir, FILE_LIST), 'utf8');
  } catch {
    throw new ArtifactRefused([`${FILE_LIST} is missing: this is not what the synth job recorded`]);
  }
  if (sha256(list) !== digest) {
    throw new ArtifactRefused([
      `${FILE_LIST} is not the list the synth job recorded (its SHA-256 differs from ${digest})`,
    ]);
  }
  const reasons: string[] = [];
  const expected = new Map(
    list
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => [line.slice(66), line.slice(0, 64)] as const),
  );
  const actual = new Map(
    listFiles(dir, reasons)
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => [line.slice(66), line.slice(0, 64)] as const),
  );
  for (const [path, hash] of actual) {
    const recorded = expected.get(path);
    if (recorded === undefined) reasons.push(`${path}: not in what the synth job built`);
    else if (recorded !== hash) reasons.push(`${path}: changed since the synth job built it`);
  }
  for (const path of expected.keys()) {
    if (!actual.has(path)) reasons.push(`${path}: missing`);
  }
  reasons.push(...assetProblems(dir));
  if (reasons.length > 0) throw new ArtifactRefused(reasons);
  return { files: actual.size };
}

const usage = `usage: node scripts/deploy/verify-artifact/main.ts record DIR
       node scripts/deploy/verify-artifact/main.ts verify DIR SHA256

record  (synth job) refuse executable and Docker assets, write DIR/${FILE_LIST}, print digest=…
verify  (deploy jobs, before the CDK CLI) refuse DIR unless it is exactly what record listed
        under that digest, and its assets still run nothing`;

function main(args: readonly string[]) {
  const [command, dir, digest] = args;
  try {
    if (command === 'record' && dir && args.length === 2) {
      console.log(`digest=${record(dir)}`);
    } else if (command === 'verify' && dir && digest !== undefined && args.length === 3) {
      const { files } = verify(dir, digest);
      console.log(
        `✓ ${dir}: ${files} files, each as the synth job built it (${FILE_LIST} ${digest}); no executable or Docker assets`,
      );
    } else {
      console.error(usage);
      process.exitCode = 2;
    }
  } catch (error) {
    if (!(error instanceof ArtifactRefused)) throw error;
    const lines = error.reasons.map((reason) => `  • ${reason}`).join('\n');
    console.error(`✗ ${dir} is not deployed:\n${lines}`);
    process.exitCode = 1;
  }
}

// Run as a program, not when a test imports it.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from './support/dev-process.js';

// The shell examples of README.md and docs/*.md that need neither AWS nor GitHub, run as a
// reader would type them (docs/develop.md, "The examples in these pages are tested"). An HTML
// comment before a `sh` block marks it; a `text` block right after it shows its output.

const root = fileURLToPath(new URL('../', import.meta.url));

/** The dev server's address as the docs write it; read as this test's own server's. */
const DOCS_ADDRESS = '127.0.0.1:8787';

const KINDS = [
  'starts the dev server',
  'against the dev server',
  'after the dev server stops',
] as const;
type Kind = (typeof KINDS)[number];
const isKind = (kind: string): kind is Kind => (KINDS as readonly string[]).includes(kind);

interface Example {
  /** `README.md:12`: where the block starts. */
  readonly where: string;
  /** What the marker says, if there is one. */
  readonly kind: string | undefined;
  readonly script: string;
  /** The `text` block right after it. */
  readonly output: string | undefined;
}

/** The pages whose examples are run, in the order they are run: the README, then docs/ by name. */
function pages(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

const MARKER = /^<!--\s*tested:\s*(.*?)\s*-->$/;
const FENCE = /^(\s*)```(\w*)\s*$/;

/** Every fenced `sh` block of a page, with the marker before it and the `text` block after it. */
function examplesIn(page: string): Example[] {
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  /** The fenced block opening at `start`: its language, body and the line after its end. */
  const block = (start: number) => {
    const [, indent = '', language = ''] = lines[start]?.match(FENCE) ?? [];
    let end = start + 1;
    while (end < lines.length && lines[end]?.trimEnd() !== `${indent}\`\`\``) end++;
    const body = lines.slice(start + 1, end).map((line) => line.slice(indent.length));
    return { language, body: body.join('\n'), next: end + 1 };
  };
  const examples: Example[] = [];
  let at = 0;
  while (at < lines.length) {
    if (!FENCE.test(lines[at] ?? '')) {
      at++;
      continue;
    }
    const opened = block(at);
    if (opened.language === 'sh') {
      let before = at - 1;
      while (before >= 0 && lines[before]?.trim() === '') before--;
      let after = opened.next;
      while (after < lines.length && lines[after]?.trim() === '') after++;
      const shown = FENCE.exec(lines[after] ?? '')?.[2] === 'text' ? block(after) : undefined;
      examples.push({
        where: `${page}:${at + 1}`,
        kind: lines[before]?.trim().match(MARKER)?.[1],
        script: opened.body,
        output: shown?.body,
      });
    }
    at = opened.next;
  }
  return examples;
}

const examples = pages().flatMap(examplesIn);
const ofKind = (kind: Kind) => examples.filter((example) => example.kind === kind);

/**
 * The output a page shows, as a pattern for what the command prints: `…` stands for anything
 * (on a line of its own, for any number of lines), a run of spaces for any run of spaces.
 */
function shownOutput(shown: string): RegExp {
  const lines = shown.split('\n');
  const source = lines
    .map((line, index) => {
      const last = index === lines.length - 1;
      if (line.trim() === '…') return last ? '[\\s\\S]*' : '(?:.*\\n)*?';
      const pattern = line
        .split('…')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ {2,}/g, ' +'))
        .join('.*?');
      return last ? pattern : `${pattern}\\n`;
    })
    .join('');
  return new RegExp(source);
}

const hasCurl = !spawnSync('curl', ['--version']).error;
/** Without curl its examples cannot run: a warning here, a failure where CI is set. */
const unrunnable = (example: Example) =>
  !hasCurl && !process.env.CI && /\bcurl\b/.test(example.script);
if (!hasCurl) {
  console.warn(
    process.env.CI
      ? 'curl is not installed: the docs examples that use it will fail'
      : '\n*** curl is not installed: the docs examples that use it are SKIPPED ***\n',
  );
}

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a block as bash runs a pasted script: stopping at the first failing command. */
function run(script: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({
        code,
        stdout: stripVTControlCharacters(stdout),
        stderr: stripVTControlCharacters(stderr),
      }),
    );
  });
}

describe('the docs mark their examples', () => {
  test('every marker names a kind this test knows', () => {
    const unknown = examples.filter((example) => example.kind && !isKind(example.kind));
    expect(unknown.map(({ where, kind }) => `${where}: ${kind}`)).toEqual([]);
  });

  test("one block starts the dev server: the README's quick start", () => {
    const starts = ofKind('starts the dev server');
    expect(starts.map(({ where }) => where.split(':')[0])).toEqual(['README.md']);
    expect(starts[0]?.script).toMatch(/^npm run dev$/m);
  });

  test('every block that talks to the dev server is marked, so it is run', () => {
    const unmarked = examples.filter(
      (example) => example.script.includes(DOCS_ADDRESS) && example.kind === undefined,
    );
    expect(unmarked.map(({ where }) => where)).toEqual([]);
  });

  test('what the pages show is read as it is meant', () => {
    const pattern = shownOutput('PAGE   VIEWS\n…\n/about   1\n…');
    expect('x\nPAGE  VIEWS\n/  2\n/about        1\n/z 0\n').toMatch(pattern);
    expect('PAGE VIEWS\n/about 2\n').not.toMatch(pattern);
    expect('{"views":1,"id":"a.b"}').toMatch(shownOutput('{"views":1,…}'));
    expect('{"views":1}').not.toMatch(shownOutput('{"views":2…}'));
  });
});

describe('the examples, run as written', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'footfall-doc-examples-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FOOTFALL_DATA_DIR: dataDir,
    // A test's own DynamoDB must not leak into the reader's dev server.
    DYNAMODB_ENDPOINT: '',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const start = ofKind('starts the dev server')[0];
  let server: ChildProcess | undefined;
  let serverOutput = '';
  let address = '';
  /** The group the server's block runs in, as a terminal's foreground job. */
  let group = 0;
  const groupAlive = () => {
    try {
      process.kill(-group, 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    if (!start) return;
    // `npm ci` is what the checkout running this test has already done.
    const script = start.script
      .split('\n')
      .filter((line) => line.trim() !== 'npm ci')
      .join('\n');
    server = spawn('bash', ['-c', script], {
      cwd: root,
      env: { ...env, PORT: '0' },
      detached: true,
    });
    group = server.pid ?? 0;
    server.stdout?.on('data', (chunk) => (serverOutput += chunk));
    server.stderr?.on('data', (chunk) => (serverOutput += chunk));
    const ended = () => server?.exitCode !== null || server?.signalCode !== null;
    await eventually(
      async () => {
        address = serverOutput.match(/running at http:\/\/(\S+?)\/? /)?.[1] ?? '';
        return address !== '' || ended();
      },
      'the dev server to start',
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}:\n${serverOutput}`);
    });
    if (!address) throw new Error(`the dev server ended before it started:\n${serverOutput}`);
  }, 90_000);

  afterAll(async () => {
    if (group && groupAlive()) process.kill(-group, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A block as the pages write it, with the docs' address read as this server's. */
  const asHere = (text: string) => text.replaceAll(DOCS_ADDRESS, address);

  const check = async (example: Example) => {
    const ran = await run(asHere(example.script), env);
    const said = `\n$ ${example.script}\nexit ${ran.code}\nstdout: ${ran.stdout}\nstderr: ${ran.stderr}`;
    expect(ran.code, `${example.where} failed:${said}`).toBe(0);
    if (example.output !== undefined) {
      expect(ran.stdout, `${example.where} printed something else:${said}`).toMatch(
        shownOutput(asHere(example.output)),
      );
    }
  };

  test(`${start?.where ?? 'the quick start'} starts the dev server, and the page answers`, async () => {
    expect(start, 'no block starts the dev server').toBeDefined();
    const page = await fetch(`http://${address}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<html');
  });

  for (const example of ofKind('against the dev server')) {
    test.skipIf(unrunnable(example))(
      `${example.where}: ${example.script.split('\n')[0]}`,
      () => check(example),
      60_000,
    );
  }

  test('Ctrl-C stops the dev server, which saves its counts', async () => {
    expect(server).toBeDefined();
    // What a terminal does: SIGINT to the whole foreground job (bash, npm, tsx, node).
    process.kill(-group, 'SIGINT');
    await eventually(async () => !groupAlive(), 'every process of the dev server to end', 30_000);
    expect(serverOutput).toContain('stopped; counts are saved.');
  }, 60_000);

  for (const example of ofKind('after the dev server stops')) {
    test.skipIf(unrunnable(example))(
      `${example.where}: ${example.script.split('\n')[0]}`,
      () => check(example),
      60_000,
    );
  }
});

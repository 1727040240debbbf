import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { ORIGIN_VERIFY_HEADER } from '../../service/src/http/cloudfront.js';
import { DeployConfigError, parseDeployConfig } from '../lib/deploy-config.js';
import { originSecretLabel, originSecretVersionToken } from '../lib/origin-secret-versions.js';
import { synthesize } from './support.js';

/*
 * What CloudFront sends the API and what the function accepts, read from the synthesized
 * templates (ADR 18). Values resolve only in AWS, so these compare the dynamic references'
 * text: sound because every reference names a version that never moves, so the same text is
 * the same value whenever CloudFormation resolves it, and different text a different value.
 */

type Resources = Record<string, CfnResource>;
interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  UpdatePolicy?: Record<string, unknown>;
}

const SECRET_REFERENCE = /\{\{resolve:secretsmanager:[^}]*\}\}/g;

/** A template value as text, `Ref(LogicalId)` for a Ref: what CloudFormation resolves it from. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return join[1].map(text).join(join[0]);
    const ref = (value as { Ref?: string }).Ref;
    if (ref) return `Ref(${ref})`;
  }
  throw new Error(`not a string the test can read: ${JSON.stringify(value)}`);
}

/** Every logical id `value` refers to (Ref, GetAtt, DependsOn are read by the caller). */
function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencedIds(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') into.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner)) into.add(String(inner[0]));
      else referencedIds(inner, into);
    }
  }
  return into;
}

/** The resources CloudFormation finishes before it starts `id`: its dependencies, transitively. */
function dependenciesOf(resources: Resources, id: string): Set<string> {
  const done = new Set<string>();
  const queue = [id];
  while (queue.length > 0) {
    const next = resources[queue.pop() ?? ''];
    if (!next) continue;
    const direct = referencedIds(next.Properties);
    for (const dep of [next.DependsOn ?? []].flat()) direct.add(dep);
    for (const dep of direct) {
      if (resources[dep] && !done.has(dep)) {
        done.add(dep);
        queue.push(dep);
      }
    }
  }
  return done;
}

/** One synthesized state of a stack, as far as the origin check goes. */
interface OriginCheck {
  /** The reference in CloudFront's origin header (the same on every origin that has one). */
  cloudFront: string;
  /** The references in the API function's `ORIGIN_SECRETS`. */
  accepted: string[];
  /** What the pre-traffic hook sends the new version: the first of its `ORIGIN_SECRETS`. */
  hookSends: string;
  /** The distribution's properties, as CloudFormation compares them. */
  distribution: string;
  resources: Resources;
}

function environmentOf(resources: Resources, has: string): Record<string, unknown> {
  const matches = Object.values(resources).filter(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      has in ((r.Properties?.Environment as { Variables?: object } | undefined)?.Variables ?? {}),
  );
  expect(matches).toHaveLength(1);
  const environment = matches[0]?.Properties?.Environment as
    | { Variables: Record<string, unknown> }
    | undefined;
  return environment?.Variables ?? {};
}

function referencesIn(value: unknown): string[] {
  const all = text(value);
  const references = all.match(SECRET_REFERENCE) ?? [];
  // Nothing but references, comma-separated: no stray text CloudFront or the function would use.
  expect(references.join(',')).toBe(all);
  return references;
}

function originCheck(template: Template): OriginCheck {
  const resources = template.toJSON().Resources as Resources;
  const [distribution, ...others] = Object.values(resources).filter(
    (r) => r.Type === 'AWS::CloudFront::Distribution',
  );
  expect(others).toEqual([]);
  const config = distribution?.Properties?.DistributionConfig as
    | { Origins: { OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[] }[] }
    | undefined;
  const origins = config?.Origins ?? [];
  const sent = new Set(
    origins.flatMap((origin) =>
      (origin.OriginCustomHeaders ?? [])
        .filter((h) => h.HeaderName.toLowerCase() === ORIGIN_VERIFY_HEADER.toLowerCase())
        .map((h) => text(h.HeaderValue)),
    ),
  );
  expect(sent.size).toBe(1);
  const [cloudFront = ''] = sent;
  expect(referencesIn(cloudFront)).toEqual([cloudFront]);
  const [hookSends = ''] = referencesIn(environmentOf(resources, 'TARGET_FUNCTION').ORIGIN_SECRETS);
  return {
    cloudFront,
    accepted: referencesIn(environmentOf(resources, 'TABLE_NAME').ORIGIN_SECRETS),
    hookSends,
    distribution: JSON.stringify(distribution?.Properties),
    resources,
  };
}

/**
 * A reference that names one version for good: the stack's generated value (no stage: the
 * runbook never moves `AWSCURRENT`) or a `footfall-origin-N` label. `AWSCURRENT`, `AWSPREVIOUS`
 * and the like move when the secret changes, so their text says nothing about their value.
 */
function pinned(reference: string): boolean {
  const [, jsonKey, stage, id] =
    /^\{\{resolve:secretsmanager:Ref\(\w+\):SecretString:([^:]*):([^:]*):([^:]*)\}\}$/.exec(
      reference,
    ) ?? [];
  if (jsonKey === undefined) return false;
  return jsonKey === '' && id === '' && (stage === '' || /^footfall-origin-\d+$/.test(stage ?? ''));
}

/**
 * What can go wrong while `to` replaces `from`, in the order CloudFormation and CodeDeploy do it:
 * the function's new version is published and checked by the hook, then takes a tenth of the
 * traffic and then all of it, while CloudFront still sends `from`'s value; only then does the
 * distribution change, edge by edge, so both values arrive until it is deployed everywhere.
 */
function rotationProblems(from: OriginCheck, to: OriginCheck): string[] {
  const problems: string[] = [];
  const refuses = (phase: string, accepted: string[], sent: string) => {
    if (!accepted.includes(sent)) problems.push(`${phase}: ${sent} is refused`);
  };
  for (const reference of [...to.accepted, to.cloudFront]) {
    if (!pinned(reference)) problems.push(`${reference} names no fixed version`);
  }
  refuses('before', from.accepted, from.cloudFront);
  refuses('pre-traffic check of the new version', to.accepted, to.hookSends);
  if (to.hookSends !== to.cloudFront) {
    problems.push('the hook checks another value than the one CloudFront will send');
  }
  refuses('canary and full shift, CloudFront unchanged', to.accepted, from.cloudFront);
  refuses('CloudFront propagating, old edges', to.accepted, from.cloudFront);
  refuses('CloudFront propagating, new edges', to.accepted, to.cloudFront);
  refuses('after', to.accepted, to.cloudFront);
  return problems;
}

/** The steps of the runbook in docs/deploy.md, as the settings it has you commit. */
const rotation = [
  { step: 'before: the generated value', context: {} },
  { step: '1 → during', context: { originSecretVersion: 1, acceptPreviousOriginSecret: true } },
  { step: '1 → after', context: { originSecretVersion: 1 } },
  { step: '2 → during', context: { originSecretVersion: 2, acceptPreviousOriginSecret: true } },
  { step: '2 → after', context: { originSecretVersion: 2 } },
] as const;

const synthesized = rotation.map(({ step, context }) => {
  const stacks = synthesize(context);
  return {
    step,
    production: originCheck(stacks.appTemplate),
    staging: stacks.staging ? originCheck(Template.fromStack(stacks.staging)) : undefined,
  };
});

// The secret keeps its logical id: a new one would be a new value that both resources re-read.
const SECRET = 'Ref(OriginSecret5DDC59F1)';
const label = (n: number) =>
  `{{resolve:secretsmanager:${SECRET}:SecretString::${originSecretLabel(n)}:}}`;
const GENERATED = `{{resolve:secretsmanager:${SECRET}:SecretString:::}}`;

describe('what CloudFront sends and the function accepts, step by step (ADR 18)', () => {
  const at = (step: number) => synthesized[step]?.production as OriginCheck;

  test('before any rotation: the generated value, by the reference every stack already had', () => {
    expect(at(0).cloudFront).toBe(GENERATED);
    expect(at(0).accepted).toEqual([GENERATED]);
  });

  test('during: CloudFront sends version 1; the function accepts 1 and the generated value', () => {
    expect(at(1).cloudFront).toBe(label(1));
    expect(at(1).accepted).toEqual([label(1), GENERATED]);
    expect(at(1).hookSends).toBe(label(1));
  });

  test('after: CloudFront sends version 1, the function accepts version 1 only', () => {
    expect(at(2).cloudFront).toBe(label(1));
    expect(at(2).accepted).toEqual([label(1)]);
    // Nothing for CloudFront to do: the step narrows the function alone.
    expect(at(2).distribution).toBe(at(1).distribution);
  });

  test("a rotation changes the distribution's own text, so CloudFormation re-reads the secret", () => {
    // Issue 23: with a versionless reference, before and during were byte-identical.
    expect(at(1).distribution).not.toBe(at(0).distribution);
    expect(at(3).distribution).not.toBe(at(2).distribution);
    // One text per version, a different text for every version.
    const sent = synthesized.map((s) => s.production.cloudFront);
    expect(sent).toEqual([GENERATED, label(1), label(1), label(2), label(2)]);
  });

  test('CloudFront changes only after the alias CodeDeploy moves, which follows the function', () => {
    for (const { production, staging } of synthesized) {
      for (const { resources } of [production, ...(staging ? [staging] : [])]) {
        const ids = Object.keys(resources);
        const idOf = (type: string, prefix: string) =>
          ids.find((id) => resources[id]?.Type === type && id.startsWith(prefix)) ?? '';
        const distribution = idOf('AWS::CloudFront::Distribution', 'Site');
        const alias = idOf('AWS::Lambda::Alias', 'ApiLive');
        const fn = idOf('AWS::Lambda::Function', 'ApiFunction');
        expect([resources[distribution]?.DependsOn].flat()).toContain(alias);
        // The alias moves through CodeDeploy (canary, then all): its update ends when it is done.
        expect(resources[alias]?.UpdatePolicy).toHaveProperty('CodeDeployLambdaAliasUpdate');
        const beforeCloudFront = dependenciesOf(resources, distribution);
        expect(beforeCloudFront).toContain(alias);
        expect(beforeCloudFront).toContain(fn);
        // And not the other way round: nothing the function needs waits for CloudFront.
        expect(dependenciesOf(resources, alias)).not.toContain(distribution);
      }
    }
  });
});

describe('rotation rehearsal: before, during, after, twice, for each stage', () => {
  test('each step changes what CloudFront sends only to a value the live function already accepts', () => {
    for (const stage of ['production', 'staging'] as const) {
      for (let i = 1; i < synthesized.length; i++) {
        const from = synthesized[i - 1]?.[stage];
        const to = synthesized[i]?.[stage];
        if (!from || !to) throw new Error(`no ${stage} stack synthesized`);
        expect({
          step: `${stage}: ${synthesized[i]?.step}`,
          problems: rotationProblems(from, to),
        }).toEqual({ step: `${stage}: ${synthesized[i]?.step}`, problems: [] });
      }
    }
  });

  test('the rehearsal catches a skipped middle step and a moving reference', () => {
    const before = synthesized[0]?.production as OriginCheck;
    const after = synthesized[2]?.production as OriginCheck;
    expect(rotationProblems(before, after)).toEqual([
      `canary and full shift, CloudFront unchanged: ${GENERATED} is refused`,
      `CloudFront propagating, old edges: ${GENERATED} is refused`,
    ]);
    // ADR 9's rotation: AWSPREVIOUS is whatever the secret's last value was.
    const previous = GENERATED.replace(':::}}', '::AWSPREVIOUS:}}');
    expect(rotationProblems(before, { ...before, accepted: [GENERATED, previous] })).toEqual([
      `${previous} names no fixed version`,
    ]);
  });
});

describe('the settings', () => {
  const parse = (context: Record<string, unknown>) =>
    parseDeployConfig({ context: (key) => context[key], env: {} });

  test('originSecretVersion is a whole number, 0 by default', () => {
    expect(parse({}).originSecretVersion).toBe(0);
    expect(parse({ originSecretVersion: '3' }).originSecretVersion).toBe(3);
    expect(() => parse({ originSecretVersion: -1 })).toThrow(/originSecretVersion/);
    expect(() => parse({ originSecretVersion: 1.5 })).toThrow(/originSecretVersion/);
  });

  test('acceptPreviousOriginSecret without a version to rotate to is refused, saying why', () => {
    expect(() => parse({ acceptPreviousOriginSecret: true })).toThrow(DeployConfigError);
    expect(() => parse({ acceptPreviousOriginSecret: true })).toThrow(
      /needs originSecretVersion 1 or more/,
    );
  });

  test("the runbook's label and version id for version N", () => {
    expect(originSecretLabel(7)).toBe('footfall-origin-7');
    const token = originSecretVersionToken(7);
    expect(token).toBe('footfall-origin-secret-version-0000000007');
    // Secrets Manager's ClientRequestToken: 32 to 64 characters.
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(originSecretVersionToken(1_000_000).length).toBeLessThanOrEqual(64);
    expect(() => originSecretLabel(0)).toThrow();
  });
});

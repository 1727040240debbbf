import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { DeployAccessStack } from '../lib/deploy-access-stack.js';
import { bootstrapPolicyNames, stackNames } from '../lib/deploy-names.js';
import { APP_SERVICES, SCOPED_SERVICES } from '../lib/deploy-permissions.js';
import { GITHUB_OIDC_HOST, githubSubject } from '../lib/github-oidc.js';
import { synthesize } from './support.js';

const repo = { repository: 'maya-ol/footfall', repositoryId: '987654321' };
const synthesized = synthesize(repo);
const stack = synthesized.deployAccess;
const template = Template.fromStack(stack);

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Each deploy role's trust policy statement, by its environment's output. */
function trusts(t: Template) {
  const roles = t.findResources('AWS::IAM::Role');
  return Object.fromEntries(
    Object.entries(roles).map(([id, role]) => {
      const statements = role.Properties.AssumeRolePolicyDocument.Statement;
      expect(statements, id).toHaveLength(1);
      return [id.startsWith('Staging') ? 'staging' : 'production', statements[0]];
    }),
  ) as Record<'staging' | 'production', Statement>;
}

/** A managed policy's statements, found by its name. */
function managedPolicy(t: Template, name: string): Statement[] {
  const found = Object.values(t.findResources('AWS::IAM::ManagedPolicy')).filter(
    (policy) => policy.Properties.ManagedPolicyName === name,
  );
  expect(found, name).toHaveLength(1);
  return found[0]?.Properties.PolicyDocument.Statement;
}

describe("GitHub's OIDC subject", () => {
  test('the name-only form: repository, environment, then the repository id', () => {
    expect(githubSubject(repo, 'production')).toBe(
      'repo:maya-ol/footfall:environment:production:repository_id:987654321',
    );
  });

  test('the immutable form puts the owner and repository ids in the repo segment too', () => {
    expect(githubSubject({ ...repo, repositoryOwnerId: '4242' }, 'staging')).toBe(
      'repo:maya-ol@4242/footfall@987654321:environment:staging:repository_id:987654321',
    );
  });
});

describe('deploy access', () => {
  test("GitHub's OIDC provider, as the native IAM resource, for STS", () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: `https://${GITHUB_OIDC_HOST}`,
      ClientIdList: ['sts.amazonaws.com'],
    });
    // Not the custom-resource provider.
    template.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
  });

  test('one role per environment, each trusting exactly that environment of this repository, by name and id, for one hour', () => {
    const statements = trusts(template);
    expect(Object.keys(statements).sort()).toEqual(['production', 'staging']);
    for (const environment of ['staging', 'production'] as const) {
      const statement = statements[environment];
      expect(statement.Action).toBe('sts:AssumeRoleWithWebIdentity');
      expect(statement.Condition).toEqual({
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:sub`]: `repo:maya-ol/footfall:environment:${environment}:repository_id:987654321`,
        },
      });
    }
    template.allResourcesProperties('AWS::IAM::Role', { MaxSessionDuration: 3600 });
  });

  test('the sub condition is exact: no wildcard, no pattern operator, the repository id in it', () => {
    for (const { Condition } of Object.values(trusts(template))) {
      const sub = Condition?.StringEquals?.[`${GITHUB_OIDC_HOST}:sub`] as string;
      expect(sub).not.toMatch(/[*?]/);
      expect(sub).toContain(':repository_id:987654321');
      expect(Object.keys(Condition ?? {})).toEqual(['StringEquals']);
    }
  });

  test('with staging switched off there is no staging role', () => {
    const { deployAccess } = synthesize({ ...repo, staging: false });
    const t = Template.fromStack(deployAccess);
    expect(Object.keys(trusts(t))).toEqual(['production']);
    expect(Object.keys(t.findOutputs('*')).sort()).toEqual([
      'ExecutionPolicyArn',
      'PermissionsBoundaryName',
      'ProductionDeployRoleArn',
    ]);
  });

  test('each role may only assume the deploy and file-publishing bootstrap roles: not lookup, not image-publishing', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual([
        {
          Sid: 'AssumeCdkDeployAndPublishingRoles',
          Effect: 'Allow',
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Resource: ['deploy', 'file-publishing'].map((kind) => ({
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':iam::',
                { Ref: 'AWS::AccountId' },
                `:role/cdk-hnb659fds-${kind}-role-`,
                { Ref: 'AWS::AccountId' },
                '-',
                { Ref: 'AWS::Region' },
              ],
            ],
          })),
          Condition: {
            StringEquals: {
              'iam:ResourceTag/aws-cdk:bootstrap-role': ['deploy', 'file-publishing'],
            },
          },
        },
      ]);
    }
    template.allResourcesProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.absent(),
      Policies: Match.absent(),
    });
  });

  test('with stacks in us-east-1 (web ACL, certificate) the roles may use the bootstrap roles there too, and only there', () => {
    const assumable = (t: Template) =>
      Object.values(t.findResources('AWS::IAM::Policy')).map((policy) =>
        (policy.Properties.PolicyDocument.Statement as Statement[]).flatMap((statement) =>
          list(statement.Resource as unknown[]).map((arn) => JSON.stringify(arn)),
        ),
      );
    const domain = {
      domainName: 'me.example.com',
      hostedZoneId: 'Z123',
      hostedZoneName: 'example.com',
    };
    for (const [name, context] of [
      ['wafRateLimit', { wafRateLimit: 2000 }],
      ['domainName', domain],
    ] as const) {
      const { deployAccess, app, staging } = synthesize(
        { ...repo, ...context },
        { env: { account: '123456789012', region: 'eu-west-1' } },
      );
      // The pipeline's `cdk deploy STACK` takes the stacks STACK depends on along: these.
      const edge = (stack: Stack) =>
        stack.dependencies.filter((other) => other.region === 'us-east-1').map((s) => s.stackName);
      expect(edge(app), name).toEqual(
        name === 'wafRateLimit' ? [`${stackNames.app}Waf`] : [stackNames.certificate],
      );
      if (name === 'wafRateLimit')
        expect(edge(staging as Stack)).toEqual([`${stackNames.staging}Waf`]);
      for (const resources of assumable(Template.fromStack(deployAccess as DeployAccessStack))) {
        // Each of the two roles in the app's region and in us-east-1; nowhere else.
        expect(resources, name).toHaveLength(4);
        for (const kind of ['deploy', 'file-publishing']) {
          for (const region of ['eu-west-1', 'us-east-1']) {
            expect(
              resources.filter(
                (arn) => arn.includes(`cdk-hnb659fds-${kind}-role-`) && arn.includes(`-${region}"`),
              ),
              `${name}: ${kind} in ${region}`,
            ).toHaveLength(1);
          }
        }
      }
    }
    // Without either, the stack's own region only (above); in us-east-1 itself, no duplicates.
    const { deployAccess } = synthesize(
      { ...repo, wafRateLimit: 2000 },
      { env: { account: '123456789012', region: 'us-east-1' } },
    );
    for (const resources of assumable(Template.fromStack(deployAccess as DeployAccessStack)))
      expect(resources).toHaveLength(2);
  });

  test('outputs: a role ARN per environment, the execution policy and the boundary', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'ExecutionPolicyArn',
      'PermissionsBoundaryName',
      'ProductionDeployRoleArn',
      'StagingDeployRoleArn',
    ]);
  });

  test('deployed with its own credentials, inline: no bootstrap role, asset or version check', () => {
    const artifact = synthesized.cdkApp.synth().getStackArtifact(stack.artifactId);
    expect(artifact.assumeRoleArn).toBeUndefined();
    expect(artifact.cloudFormationExecutionRoleArn).toBeUndefined();
    expect(artifact.stackTemplateAssetObjectUrl).toBeUndefined();
    expect(artifact.requiresBootstrapStackVersion).toBeUndefined();
    expect(artifact.template.Parameters?.BootstrapVersion).toBeUndefined();
    // Small enough for CloudFormation's inline TemplateBody (51,200 bytes).
    expect(JSON.stringify(artifact.template).length).toBeLessThan(40_000);
  });

  test('another environment, an existing provider and another qualifier are honoured', () => {
    const app = new App();
    const custom = Template.fromStack(
      new DeployAccessStack(app, 'Access', {
        ...repo,
        environments: { production: 'prod-eu' },
        appStackNames: ['Footfall'],
        deployScope: { keptTables: [], secrets: [] },
        oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/${GITHUB_OIDC_HOST}`,
        bootstrapQualifier: 'abc123',
      }),
    );
    custom.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(trusts(custom).production.Condition?.StringEquals?.[`${GITHUB_OIDC_HOST}:sub`]).toBe(
      'repo:maya-ol/footfall:environment:prod-eu:repository_id:987654321',
    );
    const json = JSON.stringify(custom.toJSON());
    expect(json).toContain(':role/cdk-abc123-deploy-role-');
    expect(json).toContain('footfall-abc123-cfn-execution');
    expect(json).toContain('footfall-abc123-permissions-boundary');
  });

  test('a bad repository, id, environment or stack list is refused at construction', () => {
    const props = {
      ...repo,
      appStackNames: ['Footfall'],
      deployScope: { keptTables: [], secrets: [] },
    };
    expect(() => new DeployAccessStack(new App(), 'A', { ...props, repository: 'nope' })).toThrow(
      /OWNER\/REPO/,
    );
    expect(() => new DeployAccessStack(new App(), 'B', { ...props, repositoryId: '12a' })).toThrow(
      /repositoryId/,
    );
    expect(
      () =>
        new DeployAccessStack(new App(), 'C', { ...props, environments: { production: 'x y' } }),
    ).toThrow(/environment/);
    expect(
      () =>
        new DeployAccessStack(new App(), 'D', {
          ...props,
          environments: { production: 'p', staging: 'p' },
        }),
    ).toThrow(/two environments/);
    expect(() => new DeployAccessStack(new App(), 'E', { ...props, appStackNames: ['E'] })).toThrow(
      /appStackNames/,
    );
  });

  test('without a configured repository: only the execution policy and the boundary, under the same logical ids', () => {
    const alone = Template.fromStack(synthesize().deployAccess);
    alone.resourceCountIs('AWS::IAM::ManagedPolicy', 2);
    alone.resourceCountIs('AWS::IAM::Role', 0);
    alone.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(Object.keys(alone.findResources('AWS::IAM::ManagedPolicy')).sort()).toEqual(
      Object.keys(template.findResources('AWS::IAM::ManagedPolicy')).sort(),
    );
    expect(Object.keys(alone.findOutputs('*')).sort()).toEqual([
      'ExecutionPolicyArn',
      'PermissionsBoundaryName',
    ]);
    // With GitHub, the same policies: adding the repository later replaces neither.
    const names = bootstrapPolicyNames('hnb659fds');
    for (const name of [names.execution, names.boundary]) {
      expect(managedPolicy(alone, name)).toEqual(managedPolicy(template, name));
    }
  });
});

describe('what a deploy can do: the execution policy and the permissions boundary', () => {
  const names = bootstrapPolicyNames('hnb659fds');
  const boundaryArn = {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':iam::',
        { Ref: 'AWS::AccountId' },
        `:policy/${names.boundary}`,
      ],
    ],
  };
  const execution = managedPolicy(template, names.execution);
  const boundary = managedPolicy(template, names.boundary);
  const allows = (statements: Statement[]) => statements.filter((s) => s.Effect === 'Allow');
  const actions = (statements: Statement[]) => statements.flatMap((s) => list(s.Action));

  /** The IAM service prefix of every CloudFormation resource type in the app stacks. */
  function servicesInAppStacks(context: Record<string, unknown>, env?: Record<string, string>) {
    const { cdkApp, deployAccess } = synthesize(context, env ? { env } : {});
    const assembly = cdkApp.synth({ validateOnSynthesis: false });
    const prefixes: Record<string, string> = {
      ApiGatewayV2: 'apigateway',
      ApiGateway: 'apigateway',
      CertificateManager: 'acm',
      WAFv2: 'wafv2',
    };
    const services = new Map<string, string>();
    for (const artifact of assembly.stacks) {
      if (artifact.stackName === deployAccess?.stackName) continue;
      for (const resource of Object.values<{ Type: string }>(artifact.template.Resources ?? {})) {
        const [vendor, service] = resource.Type.split('::');
        if (vendor === 'Custom') {
          // A custom resource is a Lambda function that CloudFormation invokes.
          services.set('lambda', resource.Type);
          continue;
        }
        if (vendor === 'AWS' && service === 'CDK') continue; // CDK's metadata, not a resource
        const prefix = prefixes[service ?? ''] ?? (service ?? '').toLowerCase();
        services.set(prefix, resource.Type);
      }
    }
    return services;
  }

  test.each([
    ['the default configuration', {}, undefined],
    [
      'every option set',
      {
        ...repo,
        allowedOrigins: ['https://blog.example.com'],
        alertEmail: 'me@example.com',
        domainName: 'resume.example.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        hostedZoneName: 'example.com',
      },
      { account: '123456789012', region: 'eu-west-1' },
    ],
  ])('%s: every service the app stacks are made of is allowed', (_name, context, env) => {
    const services = servicesInAppStacks(context, env);
    expect(services.size).toBeGreaterThan(5);
    const access = Template.fromStack(
      // The same app, with the repository that brings the deploy-access stack.
      synthesize({ ...repo, ...context }, env ? { env } : {}).deployAccess as DeployAccessStack,
    );
    for (const [service, type] of services) {
      if (service === 'iam') continue; // roles and their policies: checked below
      expect(Object.keys(APP_SERVICES), `${type} needs ${service}`).toContain(service);
      for (const name of [names.execution, names.boundary]) {
        const granted = actions(allows(managedPolicy(access, name)));
        if ((SCOPED_SERVICES as readonly string[]).includes(service)) {
          // Allowed on footfall's own resources only: tested below.
          expect(
            granted.some((action) => action.startsWith(`${service}:`)),
            type,
          ).toBe(true);
        } else {
          expect(granted, type).toContain(`${service}:*`);
        }
      }
    }
  });

  test('the execution policy and the boundary allow the same, and nothing like *:* or iam:*', () => {
    expect(boundary).toEqual(execution);
    for (const action of actions(execution)) {
      expect(action).not.toMatch(/^\*|^iam:\*|^sts:|^iam:[A-Za-z]*\*$/);
      expect(action).toMatch(/^[a-z0-9]+:[A-Za-z*]+$/);
    }
    const services = new Set(actions(allows(execution)).map((action) => action.split(':')[0]));
    // No custom domain configured: no Route 53 at all.
    expect([...services].sort()).toEqual(
      [...Object.keys(APP_SERVICES).filter((s) => s !== 'route53'), 'iam', 'ssm'].sort(),
    );
  });

  test('IAM: roles only with the boundary on them, only the app stacks’ roles, no user, group, policy or provider', () => {
    const iamStatements = allows(execution).filter((s) =>
      list(s.Action).some((a) => a.startsWith('iam:')),
    );
    const appRolePatterns = list(iamStatements.find((s) => s.Sid === 'ManageAppRoles')?.Resource);
    for (const statement of iamStatements) {
      for (const action of list(statement.Action)) {
        expect(action, statement.Sid).toMatch(
          /^iam:(CreateRole|PutRolePermissionsBoundary|PutRolePolicy|DeleteRolePolicy|AttachRolePolicy|DetachRolePolicy|GetRole|GetRolePolicy|ListRolePolicies|ListAttachedRolePolicies|ListRoleTags|TagRole|UntagRole|UpdateRole|UpdateRoleDescription|UpdateAssumeRolePolicy|DeleteRole|PassRole|CreateServiceLinkedRole)$/,
        );
      }
      expect(statement.Resource, statement.Sid).not.toBe('*');
    }
    // Creating a role, or changing what it may do, needs the boundary on it.
    const withBoundary = iamStatements.find((s) => s.Sid === 'RolesOnlyWithTheBoundary');
    expect(withBoundary?.Condition).toEqual({
      StringEquals: { 'iam:PermissionsBoundary': boundaryArn },
    });
    for (const action of [
      'iam:CreateRole',
      'iam:PutRolePolicy',
      'iam:AttachRolePolicy',
      'iam:PutRolePermissionsBoundary',
    ]) {
      const granting = iamStatements.filter((s) => list(s.Action).includes(action));
      expect(granting, action).toEqual([withBoundary]);
    }
    // Only roles named after the app stacks, which CloudFormation names STACK-….
    expect(list(withBoundary?.Resource)).toEqual(appRolePatterns);
    const appStacks = synthesized.cdkApp.node.children
      .filter(Stack.isStack)
      .filter((s) => s !== stack)
      .map((s) => s.stackName);
    expect(appStacks).toContain(stackNames.app);
    expect(appRolePatterns).toEqual(
      expect.arrayContaining(
        appStacks.map((name) => ({
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':iam::',
              { Ref: 'AWS::AccountId' },
              `:role/${name}-*`,
            ],
          ],
        })),
      ),
    );
    expect(appRolePatterns).toHaveLength(appStacks.length);
    // And the deploy roles themselves are none of those.
    expect(stack.stackName.startsWith(`${stackNames.app}-`)).toBe(false);
  });

  test('the boundary cannot be left, removed or rewritten', () => {
    const denies = execution.filter((s) => s.Effect === 'Deny');
    const denied = (action: string) => denies.filter((s) => list(s.Action).includes(action));
    expect(denied('iam:DeleteRolePermissionsBoundary')[0]?.Resource).toBe('*');
    expect(denied('iam:CreateRole')[0]?.Condition).toEqual({
      StringNotEquals: { 'iam:PermissionsBoundary': boundaryArn },
    });
    for (const action of [
      'iam:CreatePolicyVersion',
      'iam:SetDefaultPolicyVersion',
      'iam:DeletePolicy',
    ]) {
      expect(JSON.stringify(denied(action)[0]?.Resource), action).toContain(names.boundary);
      expect(JSON.stringify(denied(action)[0]?.Resource), action).toContain(names.execution);
    }
  });

  test('every role the app stacks create carries the boundary', () => {
    const { cdkApp, deployAccess } = synthesize(
      {
        ...repo,
        domainName: 'resume.example.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        hostedZoneName: 'example.com',
      },
      { env: { account: '123456789012', region: 'eu-west-1' } },
    );
    let roles = 0;
    for (const artifact of cdkApp.synth({ validateOnSynthesis: false }).stacks) {
      if (artifact.stackName === deployAccess?.stackName) continue;
      for (const [id, resource] of Object.entries<{
        Type: string;
        Properties: Record<string, unknown>;
      }>(artifact.template.Resources ?? {})) {
        if (resource.Type !== 'AWS::IAM::Role') continue;
        roles++;
        expect(resource.Properties.PermissionsBoundary, id).toBe(
          `arn:aws:iam::123456789012:policy/${names.boundary}`,
        );
      }
    }
    expect(roles).toBeGreaterThanOrEqual(2);
  });
});

describe('what an approved deploy still cannot do: the counts, the secrets, the DNS', () => {
  const names = bootstrapPolicyNames('hnb659fds');
  const env = { account: '123456789012', region: 'eu-west-1' };
  const domain = {
    domainName: 'resume.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    hostedZoneName: 'example.com',
  };
  const full = synthesize({ ...repo, ...domain }, { env });
  const fullTemplate = Template.fromStack(full.deployAccess as DeployAccessStack);
  const policies = [names.execution, names.boundary].map((name) =>
    managedPolicy(fullTemplate, name),
  );
  const [execution] = policies as [Statement[]];
  const sid = (statements: Statement[], id: string) => statements.find((s) => s.Sid === id);
  /** How IAM matches a resource pattern: `*` any run of characters (`/` too), `?` one. */
  const matches = (pattern: string, arn: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replaceAll('*', '.*')
        .replaceAll('?', '.')}$`,
    ).test(arn);
  const covered = (patterns: unknown, arn: string) =>
    list(patterns as string | string[]).some((pattern) => matches(pattern, arn));
  const appTemplates = [full.app, full.staging].map((stack) => {
    if (!stack) throw new Error('staging is on by default');
    return { stack, template: Template.fromStack(stack) };
  });
  /** The logical ids of a template's resources of a type. */
  const ids = (t: Template, type: string) => Object.keys(t.findResources(type));

  test('the execution policy and the boundary hold the same denies', () => {
    expect(policies[1]).toEqual(execution);
  });

  test('KeepTheCounts: an explicit Deny of deleting the counts tables and their backups, in both stages, unconditional', () => {
    const deny = sid(execution, 'KeepTheCounts');
    expect(deny).toEqual({
      Sid: 'KeepTheCounts',
      Effect: 'Deny',
      Action: ['dynamodb:DeleteBackup', 'dynamodb:DeleteTable'],
      Resource: ['Footfall', 'FootfallStaging'].map(
        (stack) => `arn:aws:dynamodb:*:123456789012:table/${stack}-CounterTable4A83EFB3-*`,
      ),
    });
    for (const { stack, template } of appTemplates) {
      // The counts table, by the logical id footfall-stack.test.ts holds fixed, kept by RETAIN.
      const [counts] = ids(template, 'AWS::DynamoDB::Table').filter((id) =>
        id.startsWith('CounterTable'),
      );
      expect(counts).toBe('CounterTable4A83EFB3');
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      // CloudFormation names it STACK-LOGICALID-RANDOM; its backups live under it.
      const table = `arn:aws:dynamodb:eu-west-1:123456789012:table/${stack.stackName}-${counts}-1Q2W3E4R5T6Y7`;
      expect(covered(deny?.Resource, table)).toBe(true);
      expect(covered(deny?.Resource, `${table}/backup/01700000000000-abcdef12`)).toBe(true);
      // The visits table (DESTROY, ADR 12) is not kept: its stack may delete it.
      const [visits] = ids(template, 'AWS::DynamoDB::Table').filter((id) =>
        id.startsWith('VisitsTable'),
      );
      expect(
        covered(
          deny?.Resource,
          `arn:aws:dynamodb:eu-west-1:123456789012:table/${stack.stackName}-${visits}-1Q2W3E4R5T6Y7`,
        ),
      ).toBe(false);
    }
  });

  test('tables: only the app stacks’ own, never account-wide; AWS Backup not at all', () => {
    const granting = allowsOf(execution).filter((s) =>
      list(s.Action).some((a) => a.startsWith('dynamodb:')),
    );
    expect(granting.map((s) => s.Sid)).toEqual(['AppTables']);
    const tables = sid(execution, 'AppTables')?.Resource;
    expect(list(tables as string[])).not.toContain('*');
    expect(
      covered(
        tables,
        'arn:aws:dynamodb:eu-west-1:123456789012:table/Footfall-VisitsTableBD67A2AD-X',
      ),
    ).toBe(true);
    expect(
      covered(tables, 'arn:aws:dynamodb:eu-west-1:123456789012:table/someone-elses-orders'),
    ).toBe(false);
    expect(actionsOf(allowsOf(execution)).some((a) => a.startsWith('backup:'))).toBe(false);
  });

  test('secrets: only the app stacks’ own, by the name CloudFormation generates', () => {
    const secrets = sid(execution, 'AppSecrets');
    expect(secrets?.Action).toBe('secretsmanager:*');
    const expected = appTemplates.flatMap(({ stack, template }) =>
      ids(template, 'AWS::SecretsManager::Secret').flatMap((id) => [
        `arn:aws:secretsmanager:*:123456789012:secret:${id}-*`,
        `arn:aws:secretsmanager:*:123456789012:secret:${stack.stackName}-${id}-*`,
      ]),
    );
    expect(expected.length).toBeGreaterThanOrEqual(4);
    expect(new Set(list(secrets?.Resource as string[]))).toEqual(new Set(expected));
    const origin = ids(appTemplates[0]?.template as Template, 'AWS::SecretsManager::Secret')[0];
    const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;
    expect(covered(secrets?.Resource, arn(`${origin}-Ab12Cd34Ef56-XyZ789`))).toBe(true);
    expect(covered(secrets?.Resource, arn('prod/database-password-XyZ789'))).toBe(false);
    // The one account-wide Secrets Manager action reads and writes no secret.
    const wide = allowsOf(execution).filter(
      (s) => s.Resource === '*' && list(s.Action).some((a) => a.startsWith('secretsmanager:')),
    );
    expect(wide.flatMap((s) => list(s.Action))).toEqual(['secretsmanager:GetRandomPassword']);
  });

  test('Route 53 with a domain: the configured zone only, the domain’s own A/AAAA and validation CNAME only', () => {
    const route53 = allowsOf(execution).filter((s) =>
      list(s.Action).some((a) => a.startsWith('route53:')),
    );
    const zone = 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ';
    expect(route53).toEqual([
      {
        Sid: 'DomainRecords',
        Effect: 'Allow',
        Action: 'route53:ChangeResourceRecordSets',
        Resource: zone,
        Condition: {
          'ForAllValues:StringLike': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': [
              'resume.example.com',
              '_*.resume.example.com',
            ],
          },
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'AAAA', 'CNAME'],
          },
        },
      },
      {
        Sid: 'DomainZoneReads',
        Effect: 'Allow',
        Action: ['route53:GetHostedZone', 'route53:ListResourceRecordSets'],
        Resource: zone,
      },
      {
        Sid: 'DomainChangeStatus',
        Effect: 'Allow',
        Action: 'route53:GetChange',
        Resource: 'arn:aws:route53:::change/*',
      },
    ]);
    // Every record the app stack writes passes the condition, as Route 53 normalizes it.
    const condition = route53[0]?.Condition ?? {};
    const allowedNames = condition['ForAllValues:StringLike']?.[
      'route53:ChangeResourceRecordSetsNormalizedRecordNames'
    ] as string[];
    const allowedTypes = condition['ForAllValues:StringEquals']?.[
      'route53:ChangeResourceRecordSetsRecordTypes'
    ] as string[];
    const records = Object.values(
      Template.fromStack(full.app).findResources('AWS::Route53::RecordSet'),
    );
    expect(records).toHaveLength(2);
    for (const { Properties } of records) {
      expect(Properties.HostedZoneId).toBe('Z0123456789ABCDEFGHIJ');
      const name = String(Properties.Name).toLowerCase().replace(/\.$/, '');
      expect(
        allowedNames.some((pattern) => matches(pattern, name)),
        name,
      ).toBe(true);
      expect(allowedTypes).toContain(Properties.Type);
    }
    // The certificate's validation record (ACM's `_HASH.NAME`) is in the zone the policy names.
    Template.fromStack(full.certificate as Stack).hasResourceProperties(
      'AWS::CertificateManager::Certificate',
      {
        DomainName: 'resume.example.com',
        DomainValidationOptions: [
          { DomainName: 'resume.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' },
        ],
      },
    );
    expect(allowedNames.some((p) => matches(p, '_0a1b2c3d4e5f.resume.example.com'))).toBe(true);
    // Nothing else in the owner's domain.
    for (const other of ['example.com', 'www.example.com', 'mail.resume.example.com']) {
      expect(
        allowedNames.some((pattern) => matches(pattern, other)),
        other,
      ).toBe(false);
    }
    expect(allowedTypes).not.toContain('MX');
    expect(allowedTypes).not.toContain('NS');
  });

  test('Route 53 without a domain: no Route 53 action at all', () => {
    const statements = managedPolicy(template, names.execution);
    expect(actionsOf(statements).filter((a) => a.startsWith('route53:'))).toEqual([]);
  });

  test('no statement grants a scoped service account-wide', () => {
    for (const statements of [execution, managedPolicy(template, names.execution)]) {
      for (const statement of allowsOf(statements)) {
        const wide = list(statement.Resource as string | string[]).includes('*');
        for (const action of list(statement.Action)) {
          const [service] = action.split(':');
          if (!(SCOPED_SERVICES as readonly string[]).includes(service ?? '')) continue;
          if (action === 'secretsmanager:GetRandomPassword') continue;
          expect(wide, `${statement.Sid}: ${action}`).toBe(false);
        }
      }
      expect(sid(statements, 'AppServices')?.Action).not.toEqual(
        expect.arrayContaining(['dynamodb:*']),
      );
      for (const service of SCOPED_SERVICES) {
        expect(list(sid(statements, 'AppServices')?.Action ?? [])).not.toContain(`${service}:*`);
      }
    }
  });
});

function allowsOf(statements: Statement[]) {
  return statements.filter((s) => s.Effect === 'Allow');
}
function actionsOf(statements: Statement[]) {
  return statements.flatMap((s) => list(s.Action));
}

import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { APPMESH_WRITE_ACTIONS } from '../../infra/constructs/capabilities';
import { toCdkEventPattern } from '../../infra/constructs/event-pattern';
import { functionRoleName, MEMBER_ACCOUNT_ROLE_NAME } from '../../infra/constructs/names';
import { FUNCTIONS, type FunctionDefinition } from '../../infra/function-catalog';
import { buildMeshwardenApp, type MeshwardenApp } from '../../infra/stacks/build-app';
import { parseConfig } from '../../infra/stacks/meshwarden-config';
import { isInvokedAsynchronously } from '../../infra/stacks/meshwarden-stack';
import {
  acmApproachingExpirationPattern,
  alarmStateChangesPattern,
  appMeshMutationsPattern,
  approvalDecidedPattern,
  DAILY_CERT_ROTATION_SCHEDULE,
} from '../../shared/events/patterns';
import { asArray, type CfnResource, statementsOf, statementsOfRole, testApp } from './support';

/**
 * The catalog as it will grow (the functions other work adds), every option on: member
 * accounts, trail, Slack, alarms, CAs. Bundling is skipped (the entry is any handler), so
 * this is about wiring, IAM and cdk-nag, and it keeps working when those functions land.
 */
const inventory = FUNCTIONS.find((f) => f.name === 'mesh-inventory');
if (inventory === undefined) throw new Error('mesh-inventory is not in the catalog');
const fn = (over: Pick<FunctionDefinition, 'name' | 'triggers' | 'capabilities'>): FunctionDefinition => ({
  ...inventory,
  ...over,
});
const CATALOG: FunctionDefinition[] = [
  inventory,
  fn({
    name: 'mesh-change',
    triggers: [{ kind: 'pattern', bus: 'default', pattern: appMeshMutationsPattern }],
    capabilities: ['mesh:read', 'mesh:write', 'events:publish', 'table:read', 'table:write'],
  }),
  fn({
    name: 'deployment-guard',
    triggers: [{ kind: 'pattern', bus: 'default', pattern: alarmStateChangesPattern }],
    capabilities: ['mesh:read', 'mesh:write', 'alarms:read', 'scheduler:manage', 'table:write'],
  }),
  fn({
    name: 'cert-rotation',
    triggers: [
      { kind: 'schedule', schedule: DAILY_CERT_ROTATION_SCHEDULE },
      { kind: 'pattern', bus: 'default', pattern: acmApproachingExpirationPattern },
    ],
    capabilities: ['mesh:read', 'pca:issue', 'acm:import', 'secrets:write-certificates'],
  }),
  fn({
    name: 'slack-callback',
    triggers: [{ kind: 'http', route: 'POST /slack/interactions' }],
    capabilities: ['secrets:read-slack', 'table:write', 'events:publish'],
  }),
  fn({
    name: 'approval-executor',
    triggers: [{ kind: 'pattern', bus: 'meshwarden', pattern: approvalDecidedPattern }],
    capabilities: ['mesh:write', 'table:read'],
  }),
];
const CA =
  'arn:aws:acm-pca:eu-west-1:111111111111:certificate-authority/12345678-1234-1234-1234-123456789012';
const CONFIG = parseConfig({
  account: '111111111111',
  region: 'eu-west-1',
  meshes: ['prod'],
  policyFile: 'infra/local/demo/meshwarden.policy.yaml',
  slackChannelIds: ['C0123456789'],
  alarmBindings: [{ alarmName: 'web-5xx', mesh: 'prod', virtualRouter: 'web-router', route: 'web-route' }],
  certificateAuthorityArns: [CA],
  createTrail: true,
  memberAccounts: [{ account: '222222222222', meshes: ['prod'] }],
});

let built: MeshwardenApp;
let central: Template;
let member: Template;
let resources: Record<string, CfnResource>;

beforeAll(() => {
  const app = testApp({}, { bundle: false });
  built = buildMeshwardenApp(app, { config: CONFIG, functions: CATALOG });
  app.synth();
  central = Template.fromStack(built.central);
  resources = central.toJSON().Resources as Record<string, CfnResource>;
  const memberStack = built.members[0];
  if (memberStack === undefined) throw new Error('no member stack');
  member = Template.fromStack(memberStack);
});

function roleStatements(name: string): Record<string, unknown>[] {
  const ids = Object.keys(
    central.findResources('AWS::IAM::Role', { Properties: { RoleName: functionRoleName(name) } }),
  );
  expect(ids).toHaveLength(1);
  return statementsOfRole(resources, ids[0] ?? '');
}

function actionsOf(statements: Record<string, unknown>[]): string[] {
  return statements.flatMap((s) => asArray(s.Action).map(String));
}

describe('the grown catalog with every option', () => {
  it('creates one rule per pattern trigger from the shared pattern, each target with DLQ, retries and max age', () => {
    for (const pattern of [
      appMeshMutationsPattern,
      alarmStateChangesPattern,
      acmApproachingExpirationPattern,
    ]) {
      const cdk = toCdkEventPattern(pattern.pattern);
      const wire = { ...pattern.pattern };
      expect(Object.keys(cdk)).toContain('source');
      // Once on the default bus, once on meshwarden's bus for events member accounts forward.
      const rules = central.findResources('AWS::Events::Rule', { Properties: { EventPattern: wire } });
      expect(Object.keys(rules)).toHaveLength(2);
    }
    central.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^Bus') },
      EventPattern: approvalDecidedPattern.pattern,
    });
    const rules = Object.values(central.findResources('AWS::Events::Rule')) as CfnResource[];
    const targets = rules.flatMap((r) => r.Properties?.Targets as Record<string, unknown>[]);
    expect(targets.length).toBe(9);
    for (const target of targets) {
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } });
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 });
    }
  });

  it('gives every asynchronously invoked function an on-failure destination, and the HTTP one none', () => {
    const configs = Object.values(central.findResources('AWS::Lambda::EventInvokeConfig')) as CfnResource[];
    expect(configs).toHaveLength(CATALOG.filter(isInvokedAsynchronously).length);
    expect(CATALOG.filter(isInvokedAsynchronously).map((d) => d.name)).not.toContain('slack-callback');
    for (const config of configs) {
      expect(config.Properties?.DestinationConfig).toEqual({
        OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/Failures/), 'Arn'] } },
      });
    }
  });

  it('routes the Slack callback through the throttled HTTP API', () => {
    central.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /slack/interactions' });
  });

  it('grants App Mesh writes only to writers, on the governed mesh, and tells every function who writes', () => {
    expect(actionsOf(roleStatements('mesh-change'))).toEqual(
      expect.arrayContaining([...APPMESH_WRITE_ACTIONS]),
    );
    expect(actionsOf(roleStatements('cert-rotation')).some((a) => a.startsWith('appmesh:Update'))).toBe(
      false,
    );
    expect(actionsOf(roleStatements('slack-callback')).some((a) => a.startsWith('appmesh:'))).toBe(false);
    for (const action of ['appmesh:CreateMesh', 'appmesh:DeleteMesh']) {
      expect(actionsOf(roleStatements('mesh-change'))).not.toContain(action);
    }
    const mesh = JSON.stringify(
      roleStatements('approval-executor').find((s) => asArray(s.Action).includes('appmesh:UpdateRoute')),
    );
    expect(mesh).toContain(':111111111111:mesh/prod');
    const env = JSON.stringify(
      central.findResources('AWS::Lambda::Function', {
        Properties: { FunctionName: 'meshwarden-mesh-inventory' },
      }),
    );
    for (const writer of ['mesh-change', 'deployment-guard', 'approval-executor']) {
      expect(env).toContain(`:role/${functionRoleName(writer)}`);
    }
    expect(env).not.toContain(`:role/${functionRoleName('cert-rotation')}`);
    expect(env).toContain(`:222222222222:role/${MEMBER_ACCOUNT_ROLE_NAME}`);
  });

  it('scopes every other capability to its own resources, with no Action "*" anywhere', () => {
    const policies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    for (const statement of policies.flatMap(statementsOf)) {
      expect(asArray(statement.Action)).not.toContain('*');
      if (asArray(statement.Resource).includes('*')) {
        expect(asArray(statement.Action).every((a) => String(a).startsWith('xray:'))).toBe(true);
      }
    }
    const pca = roleStatements('cert-rotation').find((s) =>
      asArray(s.Action).includes('acm-pca:IssueCertificate'),
    );
    expect(pca?.Resource).toBe(CA);
    const alarms = roleStatements('deployment-guard').find((s) =>
      asArray(s.Action).includes('cloudwatch:DescribeAlarms'),
    );
    expect(JSON.stringify(alarms?.Resource)).toContain(':alarm:web-5xx');
    const slack = roleStatements('slack-callback').find((s) =>
      asArray(s.Action).includes('secretsmanager:GetSecretValue'),
    );
    expect(slack?.Resource).toEqual({ Ref: expect.stringMatching(/^SlackSecret/) });
    const passRole = roleStatements('deployment-guard').find((s) =>
      asArray(s.Action).includes('iam:PassRole'),
    );
    expect(passRole?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
    expect(
      actionsOf(roleStatements('approval-executor'))
        .filter((a) => a.startsWith('dynamodb:'))
        .sort(),
    ).toEqual(['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query']);
  });

  it('lets member accounts put events on the bus, and creates the optional trail', () => {
    central.hasResourceProperties('AWS::Events::EventBusPolicy', {
      StatementId: Match.stringLikeRegexp('member-222222222222$'),
      Statement: Match.objectLike({ Action: 'events:PutEvents' }),
    });
    central.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsLogging: true,
      EnableLogFileValidation: true,
      EventSelectors: [Match.objectLike({ ReadWriteType: 'WriteOnly' })],
    });
  });

  it('forwards mesh and alarm events from a member account, and trusts only mesh-reading roles', () => {
    for (const pattern of [appMeshMutationsPattern, alarmStateChangesPattern]) {
      member.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: pattern.pattern,
        Targets: [
          Match.objectLike({
            Arn: {
              'Fn::Join': ['', Match.arrayWith([':events:eu-west-1:111111111111:event-bus/meshwarden'])],
            },
            DeadLetterConfig: Match.anyValue(),
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
          }),
        ],
      });
    }
    const role = JSON.stringify(
      member.findResources('AWS::IAM::Role', { Properties: { RoleName: MEMBER_ACCOUNT_ROLE_NAME } }),
    );
    expect(role).toContain(':iam::111111111111:role/meshwarden-fn-mesh-change');
    expect(role).toContain(':iam::111111111111:role/meshwarden-fn-mesh-inventory');
    expect(role).not.toContain('meshwarden-fn-slack-callback');
  });

  it('fails synth on a cdk-nag finding nobody acknowledged', () => {
    // Prepare: the same configuration, plus a queue that breaks AwsSolutions-SQS3/SQS4.
    const app = testApp({}, { bundle: false });
    const { central: stack } = buildMeshwardenApp(app, { config: CONFIG, functions: CATALOG });
    new sqs.Queue(stack as Stack, 'Unacknowledged');
    // Act / Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });
});

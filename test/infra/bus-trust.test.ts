import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  deniesEntry,
  publisherRoleNames,
  SOURCE_GUARD_SID,
  sourceGuardStatement,
} from '../../infra/constructs/bus-trust';
import { functionRoleName } from '../../infra/constructs/names';
import { FUNCTIONS } from '../../infra/function-catalog';
import { buildMeshwardenApp } from '../../infra/stacks/build-app';
import { parseConfig } from '../../infra/stacks/meshwarden-config';
import { testApp } from './support';

/**
 * The bus accepts `source: meshwarden` only from meshwarden's own function roles: member
 * accounts may forward their AWS service events, never put a decision or an approval.
 */
const CONFIG = parseConfig({
  account: '111111111111',
  region: 'eu-west-1',
  meshes: ['prod'],
  policyFile: 'infra/local/demo/meshwarden.policy.yaml',
  slackChannelIds: ['C0123456789'],
  memberAccounts: [{ account: '222222222222', meshes: ['prod'] }],
});

let central: Template;

beforeAll(() => {
  const app = testApp({}, { bundle: false });
  const built = buildMeshwardenApp(app, { config: CONFIG, functions: FUNCTIONS });
  app.synth();
  central = Template.fromStack(built.central);
});

describe('the meshwarden bus policy', () => {
  it('denies PutEvents of source meshwarden to every principal but the publishing function roles', () => {
    // Assess
    const roleArn = (name: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::111111111111:role/${name}`]],
    });
    central.hasResourceProperties('AWS::Events::EventBusPolicy', {
      StatementId: Match.stringLikeRegexp(`${SOURCE_GUARD_SID}$`),
      Statement: {
        Sid: Match.stringLikeRegexp(`${SOURCE_GUARD_SID}$`),
        Effect: 'Deny',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: Match.anyValue(),
        Condition: {
          StringEquals: { 'events:source': 'meshwarden' },
          StringNotLike: { 'aws:PrincipalArn': FUNCTIONS.map((f) => roleArn(functionRoleName(f.name))) },
        },
      },
    });
  });

  it('still lets the member account forward its events', () => {
    central.hasResourceProperties('AWS::Events::EventBusPolicy', {
      StatementId: Match.stringLikeRegexp('member-222222222222$'),
      Statement: Match.objectLike({ Effect: 'Allow', Action: 'events:PutEvents' }),
    });
  });
});

describe('the source guard statement', () => {
  const bus = 'arn:aws:events:eu-west-1:111111111111:event-bus/meshwarden';
  const statement = sourceGuardStatement(
    bus,
    publisherRoleNames().map((n) => `arn:aws:iam::111111111111:role/${n}`),
  );

  it('denies a person and a member account, allows the functions, and leaves other sources alone', () => {
    const put = (principalArn: string, source = 'meshwarden') =>
      deniesEntry(statement, { busArn: bus, source, principalArn });
    expect(put('arn:aws:iam::111111111111:user/bob')).toBe(true);
    expect(put('arn:aws:iam::222222222222:role/Admin')).toBe(true);
    expect(put('arn:aws:iam::111111111111:role/meshwarden-fn-approval-executor-x')).toBe(true);
    expect(put('arn:aws:iam::111111111111:role/meshwarden-fn-approval-executor')).toBe(false);
    expect(put('arn:aws:iam::111111111111:user/bob', 'acme.orders')).toBe(false);
    expect(
      deniesEntry(statement, {
        busArn: bus.replace('meshwarden', 'other'),
        source: 'meshwarden',
        principalArn: 'arn:aws:iam::111111111111:user/bob',
      }),
    ).toBe(false);
  });

  it('without any publishing function, nobody may put source meshwarden', () => {
    const none = sourceGuardStatement(bus, []);
    expect(none.Condition.StringNotLike).toBeUndefined();
    expect(
      deniesEntry(none, { busArn: bus, source: 'meshwarden', principalArn: 'arn:aws:iam::1:role/x' }),
    ).toBe(true);
  });
});

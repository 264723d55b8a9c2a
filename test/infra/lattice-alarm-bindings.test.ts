import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionRoleName } from '../../infra/constructs/names';
import { FUNCTIONS } from '../../infra/function-catalog';
import { buildMeshwardenApp } from '../../infra/stacks/build-app';
import { parseConfig } from '../../infra/stacks/meshwarden-config';
import { ConfigError } from '../../shared/errors';
import { asArray, type CfnResource, statementsOfRole, testApp } from './support';

// The demo policy governs the App Mesh mesh `prod` and the Lattice demo's service network `prod-net`.
const DEMO_POLICY = 'infra/local/demo/meshwarden.policy.yaml';
const LATTICE_BINDING = {
  alarmName: 'checkout-canary-5xx',
  serviceNetwork: 'prod-net',
  service: 'checkout',
  listener: 'http',
  rule: 'canary',
};
const APPMESH_BINDING = {
  alarmName: 'web-5xx',
  mesh: 'prod',
  virtualRouter: 'web-router',
  route: 'web-route',
};
const GUARD = FUNCTIONS.filter((f) => f.name === 'deployment-guard');

function synth(alarmBindings: unknown[]): Template {
  const app = testApp({}, { bundle: false });
  const config = parseConfig({
    account: '111111111111',
    region: 'eu-west-1',
    meshes: ['prod'],
    policyFile: DEMO_POLICY,
    alarmBindings,
  });
  const built = buildMeshwardenApp(app, { config, functions: GUARD });
  app.synth();
  return Template.fromStack(built.central);
}

function guardOf(template: Template): {
  roleId: string;
  statements: Record<string, unknown>[];
  env: Record<string, unknown>;
} {
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const [roleId] = Object.keys(
    template.findResources('AWS::IAM::Role', {
      Properties: { RoleName: functionRoleName('deployment-guard') },
    }),
  );
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) =>
    JSON.stringify(f.Properties?.Role ?? '').includes(roleId ?? '?'),
  );
  const env = (fn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
  return { roleId: roleId ?? '', statements: statementsOfRole(resources, roleId ?? ''), env: env ?? {} };
}

describe('CDK alarmBindings for a VPC Lattice rule', () => {
  let template: Template;
  let guard: ReturnType<typeof guardOf>;

  beforeAll(() => {
    template = synth([APPMESH_BINDING, LATTICE_BINDING]);
    guard = guardOf(template);
  });

  it('lets the guard read the bound alarm, by its ARN only', () => {
    const describe = guard.statements.filter((s) => asArray(s.Action).includes('cloudwatch:DescribeAlarms'));
    const arns = describe.flatMap((s) => asArray(s.Resource)).map((r) => JSON.stringify(r));
    expect(arns.some((a) => a.includes(':111111111111:alarm:checkout-canary-5xx'))).toBe(true);
    expect(arns.some((a) => a.includes(':111111111111:alarm:web-5xx'))).toBe(true);
  });

  it('tells the guard which rule the alarm binds, in the form its start-up reads', () => {
    const bindings = JSON.parse(String(guard.env.MESHWARDEN_ALARM_BINDINGS)) as unknown;
    expect(bindings).toEqual([APPMESH_BINDING, LATTICE_BINDING]);
  });

  it('delivers alarm state changes to the guard through one rule with a DLQ, retries and max age', () => {
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: {
        // Written out: every alarm's ALARM and OK, whichever provider's route it binds.
        EventPattern: {
          source: ['aws.cloudwatch'],
          'detail-type': ['CloudWatch Alarm State Change'],
          detail: { state: { value: ['ALARM', 'OK'] } },
        },
      },
    });
    expect(Object.keys(rules)).toHaveLength(1);
    const [rule] = Object.values(rules);
    const targets = rule?.Properties?.Targets as Record<string, unknown>[];
    expect(targets).toHaveLength(1);
    const [guardFn] = Object.keys(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Role: { 'Fn::GetAtt': [guard.roleId, 'Arn'] } },
      }),
    );
    expect(targets[0]?.Arn).toEqual({ 'Fn::GetAtt': [guardFn, 'Arn'] });
    expect(targets[0]?.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } });
    expect(targets[0]?.RetryPolicy).toEqual({
      MaximumRetryAttempts: expect.any(Number),
      MaximumEventAgeInSeconds: expect.any(Number),
    });
  });

  it('may read and write rules and listener default actions of services, and no more on Lattice', () => {
    const lattice = guard.statements.filter((s) =>
      asArray(s.Action).some((a) => String(a).startsWith('vpc-lattice:')),
    );
    const writes = lattice.filter((s) =>
      asArray(s.Action).some((a) => /^vpc-lattice:(Update|Delete|Create|Put)/.test(String(a))),
    );
    // Written out: what rolling a rule's or a default action's weights back needs, nothing that deletes.
    expect(writes.flatMap((s) => asArray(s.Action).map(String)).filter((a) => !a.includes(':Get'))).toEqual(
      expect.arrayContaining(['vpc-lattice:UpdateRule', 'vpc-lattice:UpdateListener']),
    );
    const actions = lattice.flatMap((s) => asArray(s.Action).map(String));
    for (const forbidden of ['vpc-lattice:DeleteRule', 'vpc-lattice:CreateRule', 'vpc-lattice:PutAuthPolicy'])
      expect(actions).not.toContain(forbidden);
    for (const statement of writes) {
      const resources = JSON.stringify(statement.Resource);
      expect(resources).toContain(':111111111111:service/*');
      expect(resources).not.toContain('servicenetwork');
      expect(asArray(statement.Resource)).not.toContain('*');
    }
  });

  it('refuses a binding to a service network the policy does not govern, naming it', () => {
    const bind = () => synth([{ ...LATTICE_BINDING, serviceNetwork: 'other-net' }]);
    expect(bind).toThrow(ConfigError);
    expect(bind).toThrow(
      /alarmBindings\[0\]\.serviceNetwork: "other-net" is not a service network the policy governs \(prod-net\)/,
    );
  });

  it('refuses names VPC Lattice would not take, and a binding with fields of both shapes, saying where', () => {
    const base = { meshes: ['prod'], policyFile: DEMO_POLICY };
    expect(() =>
      parseConfig({ ...base, alarmBindings: [{ ...LATTICE_BINDING, service: 'Checkout' }] }),
    ).toThrow(/alarmBindings\[0\]\.service: expected a VPC Lattice name/);
    expect(() => parseConfig({ ...base, alarmBindings: [{ ...LATTICE_BINDING, rule: undefined }] })).toThrow(
      /alarmBindings\[0\]\.rule/,
    );
    expect(() => parseConfig({ ...base, alarmBindings: [{ ...LATTICE_BINDING, mesh: 'prod' }] })).toThrow(
      /mesh: unknown key/,
    );
  });
});

import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionRoleName } from '../../infra/constructs/names';
import { FUNCTIONS } from '../../infra/function-catalog';
import { buildMeshwardenApp } from '../../infra/stacks/build-app';
import { parseConfig } from '../../infra/stacks/meshwarden-config';
import { asArray, type CfnResource, statementsOfRole, testApp } from './support';

let statements: Record<string, unknown>[];

beforeAll(() => {
  const app = testApp({}, { bundle: false });
  const config = parseConfig({
    account: '111111111111',
    region: 'eu-west-1',
    meshes: ['prod'],
    // The demo policy governs the Lattice demo's prod-net.
    policyFile: 'infra/local/demo/meshwarden.policy.yaml',
  });
  const built = buildMeshwardenApp(app, {
    config,
    functions: FUNCTIONS.filter((f) => f.name === 'mesh-audit'),
  });
  app.synth();
  const template = Template.fromStack(built.central);
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const [roleId] = Object.keys(
    template.findResources('AWS::IAM::Role', { Properties: { RoleName: functionRoleName('mesh-audit') } }),
  );
  statements = statementsOfRole(resources, roleId ?? '');
});

describe('mesh-audit under a policy that governs a VPC Lattice service network', () => {
  it('may read service networks, services, listeners, rules, target groups and auth policies, and write nothing', () => {
    const lattice = statements.filter((s) =>
      asArray(s.Action).some((a) => String(a).startsWith('vpc-lattice:')),
    );
    const actions = lattice.flatMap((s) => asArray(s.Action).map(String)).sort();
    // Written out, not taken from the constants that built the policy: what reading a network whole needs.
    expect(actions).toEqual(
      [
        'vpc-lattice:GetAuthPolicy',
        'vpc-lattice:GetListener',
        'vpc-lattice:GetRule',
        'vpc-lattice:GetService',
        'vpc-lattice:GetServiceNetwork',
        'vpc-lattice:GetTargetGroup',
        'vpc-lattice:ListListeners',
        'vpc-lattice:ListRules',
        'vpc-lattice:ListServiceNetworkServiceAssociations',
        'vpc-lattice:ListServiceNetworkVpcAssociations',
        'vpc-lattice:ListServiceNetworks',
      ].sort(),
    );
    const gets = lattice.find((s) => asArray(s.Action).includes('vpc-lattice:GetRule'));
    const resources = JSON.stringify(gets?.Resource);
    for (const kind of ['servicenetwork/*', 'service/*', 'targetgroup/*']) expect(resources).toContain(kind);
    expect(resources).toContain(':111111111111:');
    // Only the List actions, which take no resource, are on "*".
    for (const statement of lattice.filter((s) => asArray(s.Resource).includes('*')))
      expect(asArray(statement.Action).every((a) => String(a).startsWith('vpc-lattice:List'))).toBe(true);
  });
});

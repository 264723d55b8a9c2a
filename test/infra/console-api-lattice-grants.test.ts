import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { functionRoleName } from '../../infra/constructs/names';
import { FUNCTIONS } from '../../infra/function-catalog';
import { buildMeshwardenApp } from '../../infra/stacks/build-app';
import { parseConfig } from '../../infra/stacks/meshwarden-config';
import { asArray, type CfnResource, statementsOfRole, testApp } from './support';

/** The VPC Lattice actions of console-api's role, synthesized under one policy file. */
function latticeStatementsUnder(policyFile: string): Record<string, unknown>[] {
  const app = testApp({}, { bundle: false });
  const built = buildMeshwardenApp(app, {
    config: parseConfig({
      account: '111111111111',
      region: 'eu-west-1',
      meshes: ['prod'],
      policyFile,
      oidcIssuer: 'https://token.actions.githubusercontent.com',
      oidcAudience: ['meshwarden'],
    }),
    functions: FUNCTIONS.filter((f) => f.name === 'console-api'),
  });
  app.synth();
  const template = Template.fromStack(built.central);
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const [roleId] = Object.keys(
    template.findResources('AWS::IAM::Role', { Properties: { RoleName: functionRoleName('console-api') } }),
  );
  return statementsOfRole(resources, roleId ?? '').filter((s) =>
    asArray(s.Action).some((a) => String(a).startsWith('vpc-lattice:')),
  );
}

describe('console-api and VPC Lattice', () => {
  it('may read a governed service network whole and read and write its rules, when the policy governs one', () => {
    const lattice = latticeStatementsUnder('infra/local/demo/meshwarden.policy.yaml');
    const actions = [...new Set(lattice.flatMap((s) => asArray(s.Action).map(String)))].sort();
    // Written out: the graph (a network read whole) and the guard's rollback of one rule.
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
        'vpc-lattice:ListTagsForResource',
        'vpc-lattice:UpdateListener',
        'vpc-lattice:UpdateRule',
      ].sort(),
    );
    // Writes only on rules and listeners below services; only List actions on "*".
    const writes = lattice.filter((s) => asArray(s.Action).includes('vpc-lattice:UpdateRule'));
    expect(JSON.stringify(writes.map((s) => s.Resource))).not.toContain('servicenetwork/');
    for (const statement of lattice.filter((s) => asArray(s.Resource).includes('*')))
      expect(asArray(statement.Action).every((a) => String(a).startsWith('vpc-lattice:List'))).toBe(true);
  });

  it('gets no VPC Lattice action when the policy governs no service network', () => {
    expect(latticeStatementsUnder('infra/policies/report-only.policy.yaml')).toEqual([]);
  });
});

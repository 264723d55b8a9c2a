import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { functionRoleName } from '../../infra/constructs/names';
import { FUNCTIONS } from '../../infra/function-catalog';
import { buildMeshwardenApp } from '../../infra/stacks/build-app';
import { parseConfig, REPORT_ONLY_POLICY_FILE } from '../../infra/stacks/meshwarden-config';
import { asArray, type CfnResource, statementsOfRole, testApp } from './support';

/** The cert-rotation role's statements when the stack enforces this policy. */
function rotationStatements(policyFile: string): Record<string, unknown>[] {
  const app = testApp({}, { bundle: false });
  const config = parseConfig({ account: '111111111111', region: 'eu-west-1', meshes: ['prod'], policyFile });
  const built = buildMeshwardenApp(app, {
    config,
    functions: FUNCTIONS.filter((f) => f.name === 'cert-rotation'),
  });
  app.synth();
  const template = Template.fromStack(built.central);
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const [roleId] = Object.keys(
    template.findResources('AWS::IAM::Role', { Properties: { RoleName: functionRoleName('cert-rotation') } }),
  );
  return statementsOfRole(resources, roleId ?? '');
}

const latticeOf = (statements: Record<string, unknown>[]) =>
  statements.filter((s) => asArray(s.Action).some((a) => String(a).startsWith('vpc-lattice:')));

describe('cert-rotation and VPC Lattice', () => {
  it('may read which certificate each service of a governed network serves, and nothing else of Lattice', () => {
    // Act: the demo policy governs the Lattice demo's prod-net.
    const lattice = latticeOf(rotationStatements('infra/local/demo/meshwarden.policy.yaml'));

    // Assess: written out, not taken from the constants that built the policy.
    expect(lattice.flatMap((s) => asArray(s.Action).map(String)).sort()).toEqual([
      'vpc-lattice:GetService',
      'vpc-lattice:ListListeners',
      'vpc-lattice:ListServiceNetworkServiceAssociations',
      'vpc-lattice:ListServiceNetworks',
    ]);
    const get = lattice.find((s) => asArray(s.Action).includes('vpc-lattice:GetService'));
    expect(JSON.stringify(get?.Resource)).toContain(':111111111111:service/*');
    // Only the List actions, which take no resource, are on "*".
    for (const statement of lattice.filter((s) => asArray(s.Resource).includes('*')))
      expect(asArray(statement.Action).every((a) => String(a).startsWith('vpc-lattice:List'))).toBe(true);
  });

  it('gets no VPC Lattice grant under a policy that governs no service network', () => {
    // Act
    const lattice = latticeOf(rotationStatements(REPORT_ONLY_POLICY_FILE));

    // Assess
    expect(lattice).toEqual([]);
  });
});

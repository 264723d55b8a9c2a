import { describe, expect, it } from 'vitest';
import { governedServiceNetworks } from '../../../shared/deployments/route-policy';
import { PolicyError, parsePolicy } from '../../../shared/policy/load';

const CC = 'changeControl: { default: allow, onViolation: report }';

function linesOf(text: string): readonly string[] {
  try {
    parsePolicy(text, 'p.yaml');
  } catch (error) {
    if (error instanceof PolicyError) return error.lines;
    throw error;
  }
  throw new Error('expected the policy to be refused');
}

describe('policy entries for VPC Lattice', () => {
  it('default to App Mesh, and govern a service network with provider vpc-lattice and serviceNetwork', () => {
    // Act
    const policy = parsePolicy(
      `version: 1\nmeshes:\n  - mesh: prod-net\n    provider: vpc-lattice\n    serviceNetwork: prod-net\n    ${CC}\n  - mesh: "*"\n    ${CC}\n`,
      'p.yaml',
    );

    // Assess
    expect(policy.document.meshes.map((m) => m.provider)).toEqual(['vpc-lattice', 'appmesh']);
    expect(policy.forMesh('prod-net')?.index).toBe(0);
    expect(governedServiceNetworks(policy)).toEqual(['prod-net']);
  });

  it('say what is missing or misplaced, with where', () => {
    // Act
    const missing = linesOf(`version: 1\nmeshes:\n  - mesh: shop\n    provider: vpc-lattice\n    ${CC}\n`);
    const misplaced = linesOf(
      `version: 1\nmeshes:\n  - mesh: prod\n    serviceNetwork: prod-net\n    ${CC}\n`,
    );
    const unmatched = linesOf(
      `version: 1\nmeshes:\n  - mesh: shop\n    provider: vpc-lattice\n    serviceNetwork: prod-net\n    ${CC}\n`,
    );
    const badName = linesOf(
      `version: 1\nmeshes:\n  - mesh: "*"\n    provider: vpc-lattice\n    serviceNetwork: Prod_Net\n    ${CC}\n`,
    );

    // Assess
    expect(missing).toEqual([
      expect.stringMatching(
        /^p\.yaml:3:5 meshes\[0\]\.serviceNetwork: provider vpc-lattice needs serviceNetwork/,
      ),
    ]);
    expect(misplaced).toEqual([
      expect.stringMatching(
        /^p\.yaml:4:21 meshes\[0\]\.serviceNetwork: serviceNetwork applies to provider vpc-lattice only/,
      ),
    ]);
    expect(unmatched).toEqual([
      expect.stringMatching(/meshes\[0\]\.mesh: "shop" does not match serviceNetwork "prod-net"/),
    ]);
    expect(badName).toEqual([
      expect.stringMatching(/meshes\[0\]\.serviceNetwork: expected a VPC Lattice service network name/),
    ]);
  });

  it('refuse a Lattice entry in a member account: its role has no Lattice grants', () => {
    // Act
    const lines = linesOf(
      `version: 1\nmeshes:\n  - mesh: prod-net\n    account: "111122223333"\n    provider: vpc-lattice\n    serviceNetwork: prod-net\n    ${CC}\n`,
    );

    // Assess
    expect(lines).toEqual([
      expect.stringMatching(
        /meshes\[0\]\.account: VPC Lattice entries govern service networks in meshwarden's own account only/,
      ),
    ]);
  });

  it('refuse a Lattice entry that a broader glob before it would shadow', () => {
    // Act
    const lines = linesOf(
      `version: 1\nmeshes:\n  - mesh: "prod*"\n    ${CC}\n  - mesh: prod-net\n    provider: vpc-lattice\n    serviceNetwork: prod-net\n    ${CC}\n`,
    );

    // Assess
    expect(lines).toEqual([
      expect.stringMatching(
        /meshes\[1\]\.serviceNetwork: meshes\[0\]\.mesh "prod\*" matches service network "prod-net" first, so this entry would never govern it/,
      ),
    ]);
  });
});

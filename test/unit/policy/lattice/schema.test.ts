import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../../shared/policy/load';
import { policy } from '../fixtures';

/** The problem lines a policy text gets, or [] when it is accepted. */
function problems(yaml: string): string[] {
  try {
    policy(yaml);
    return [];
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    return [...error.lines];
  }
}

const entry = (provider: string, body: string) => `
version: 1
meshes:
  - mesh: prod-net
    provider: ${provider}
${provider === 'vpc-lattice' ? '    serviceNetwork: prod-net\n' : ''}    changeControl: { default: deny, onViolation: report }
${body}`;

describe('a vpc-lattice entry in the policy', () => {
  it('accepts Lattice rules in its exemptions and the settings the Lattice rules read', () => {
    // Act
    const found = problems(
      entry(
        'vpc-lattice',
        `    compliance:
      tls: { minimumMode: STRICT, allowedCertificateAuthorities: ['arn:aws:acm-pca:*'] }
      accessGraph: { 'arn:aws:iam::*:role/frontend': [web] }
      routes: { maxWeightedTargets: 2, requireNonZeroWeights: true }
    exemptions:
      - { resource: 'prod-net/listener/web/*', rules: [lattice.https-only], expires: '2027-01-31', reason: 'migration' }`,
      ),
    );
    // Assess
    expect(found).toEqual([]);
  });

  it('refuses an App Mesh rule in its exemptions, and App Mesh-only settings, saying where', () => {
    // Act
    const found = problems(
      entry(
        'vpc-lattice',
        `    compliance:
      healthChecks: { required: true }
      routes: { requireTimeout: true }
    exemptions:
      - { resource: 'prod-net/*', rules: [lattice.iam-auth, tls.strict], expires: '2027-01-31', reason: 'migration' }`,
      ),
    );
    // Assess
    expect(found).toEqual([
      'test.policy.yaml:9:21 meshes[0].compliance.healthChecks: compliance.healthChecks checks listener health checks, which VPC Lattice does not have: remove it from this vpc-lattice entry',
      'test.policy.yaml:10:33 meshes[0].compliance.routes.requireTimeout: compliance.routes.requireTimeout checks route timeouts, which VPC Lattice does not have: remove it from this vpc-lattice entry',
      'test.policy.yaml:12:61 meshes[0].exemptions[0].rules[1]: tls.strict judges App Mesh resources, and this entry governs a VPC Lattice service network: name a lattice.* rule',
    ]);
  });

  it('refuses a Lattice rule in an App Mesh entry’s exemptions', () => {
    // Act
    const found = problems(
      entry(
        'appmesh',
        `    exemptions:
      - { resource: 'prod/*', rules: [lattice.https-only], expires: '2027-01-31', reason: 'migration' }`,
      ),
    );
    // Assess
    expect(found).toEqual([
      'test.policy.yaml:8:39 meshes[0].exemptions[0].rules[0]: lattice.https-only judges VPC Lattice service networks, and this entry governs App Mesh meshes',
    ]);
  });
});

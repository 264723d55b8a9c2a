import { describe, expect, it } from 'vitest';
import { describeFinding } from '../../../../shared/policy/judge';
import {
  judgeServiceNetwork,
  latticeCertificateArns,
} from '../../../../shared/providers/vpc-lattice/rules/judge';
import { policy } from '../fixtures';
import { forward, latticePolicy, listener, network, rule, service, WEB_CERT } from './fixtures';

const NOW = new Date('2026-12-06T06:00:00Z');

describe('judgeServiceNetwork', () => {
  it('keys findings by network, kind and names, and counts what it read', () => {
    // Prepare
    const net = network([
      service('web', {
        listeners: [listener('http', 'HTTP', [rule('web-canary', forward(['tg-web-v1', 0]))])],
      }),
    ]);
    // Act
    const judgement = judgeServiceNetwork(net, latticePolicy('      tls: { minimumMode: STRICT }'), NOW);
    // Assess
    expect(judgement.governed).toBe(true);
    expect(judgement.counts).toEqual({ 'service-network': 1, service: 1, listener: 1, rule: 1 });
    expect(judgement.findings.map((f) => [f.resourceKey, f.ruleId, f.status])).toEqual([
      ['prod-net/listener/web/http', 'lattice.https-only', 'violation'],
      ['prod-net/rule/web/http/web-canary', 'lattice.weights-nonzero', 'violation'],
    ]);
    expect(judgement.violations).toBe(2);
  });

  it('applies the entry’s exemptions by resource key and reports the expired ones', () => {
    // Prepare
    const p = latticePolicy(
      '      tls: { minimumMode: STRICT }',
      `      - { resource: 'prod-net/listener/web/*', rules: [lattice.https-only], expires: '2027-01-31', reason: 'TLS migration, agreed by security' }
      - { resource: 'prod-net/service/*', rules: [lattice.iam-auth], expires: '2026-01-01', reason: 'old' }`,
    );
    const net = network([service('web', { listeners: [listener('http', 'HTTP')] })]);
    // Act
    const judgement = judgeServiceNetwork(net, p, NOW);
    // Assess
    const [finding] = judgement.findings;
    expect(finding?.status).toBe('exempted');
    expect(finding && describeFinding(finding)).toMatch(
      /\[exempt until 2027-01-31: TLS migration, agreed by security]$/,
    );
    expect(judgement.violations).toBe(0);
    expect(judgement.expiredExemptions.map((e) => e.index)).toEqual([1]);
  });

  it('runs only consistency rules for a network no Lattice entry governs, even when an App Mesh glob matches its name', () => {
    // Prepare
    const appMeshOnly = policy(`
version: 1
meshes:
  - mesh: '*'
    changeControl: { default: deny, onViolation: revert }
    compliance: { tls: { minimumMode: STRICT } }
`);
    const net = network([
      service('web', { listeners: [listener('http', 'HTTP', [rule('default', forward(['tg-gone', 1]))])] }),
    ]);
    // Act
    const judgement = judgeServiceNetwork(net, appMeshOnly, NOW);
    // Assess
    expect(judgement.governed).toBe(false);
    expect(judgement.findings.map((f) => f.ruleId)).toEqual(['lattice.target-group-exists']);
  });

  it('lists the certificates of HTTPS services only, once each', () => {
    // Prepare
    const net = network([
      service('web', { certificateArn: WEB_CERT }),
      service('payments', { certificateArn: WEB_CERT }),
      service('frontend', { certificateArn: `${WEB_CERT}-http`, listeners: [listener('http', 'HTTP')] }),
    ]);
    // Act + Assess
    expect(latticeCertificateArns(net)).toEqual([WEB_CERT]);
  });
});

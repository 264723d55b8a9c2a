import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../shared/policy/load';
import { certificateRuleFor, secretFor } from '../../../shared/policy/sections/certificates';
import { CA_ARN, policyWith } from './fakes';

describe('certificates policy section', () => {
  it('applies defaults and finds the first matching rule', () => {
    // Prepare
    const policy = policyWith(
      `rules:\n  - resources: prod/virtual-gateway/*\n    keyAlgorithm: RSA_2048\n    renew: { daysBeforeExpiry: 20 }\n  - resources: '*'\n    issuingCaArn: ${CA_ARN}\nsecrets:\n  - sds: payments-*\n    secret: meshwarden/certificates/payments`,
    );
    const section = policy.forMesh('prod')?.document.certificates;

    // Act
    const gateway = certificateRuleFor(section, 'prod/virtual-gateway/ingress-gw');
    const node = certificateRuleFor(section, 'prod/virtual-node/web-v1');

    // Assess
    expect(gateway).toMatchObject({
      keyAlgorithm: 'RSA_2048',
      renew: { daysBeforeExpiry: 20 },
      validityDays: 90,
    });
    expect(node).toMatchObject({
      keyAlgorithm: 'EC_prime256v1',
      issuingCaArn: CA_ARN,
      renew: { shareOfLifetime: 2 / 3 },
    });
    expect(secretFor(section, { sds: 'payments-tls' })).toBe('meshwarden/certificates/payments');
    expect(secretFor(section, { file: '/x' })).toBeUndefined();
  });

  it.each([
    [
      'a CA that is not a PCA ARN',
      `rules:\n  - resources: '*'\n    issuingCaArn: arn:aws:acm:us-east-1:000000000000:certificate/x`,
      /ACM Private CA ARN/,
    ],
    [
      'a lifetime share of 1.5',
      `rules:\n  - resources: '*'\n    renew: { shareOfLifetime: 1.5 }`,
      /certificates\.rules\[0\]\.renew/,
    ],
    ['a key algorithm not allowed', `rules:\n  - resources: '*'\n    keyAlgorithm: RSA_1024`, /keyAlgorithm/],
    [
      'a mapping with both file and sds',
      `secrets:\n  - { file: /a, sds: b, secret: s }`,
      /exactly one of file, sds/,
    ],
    ['an unknown key', `rules:\n  - resources: '*'\n    reuseKey: true`, /reuseKey/],
  ])('refuses %s with the path', (_what, yaml, message) => {
    // Act
    const load = () => policyWith(yaml);

    // Assess
    expect(load).toThrow(PolicyError);
    try {
      load();
    } catch (error) {
      expect((error as PolicyError).lines.join('\n')).toMatch(message);
    }
  });
});

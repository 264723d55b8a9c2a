import { describe, expect, it } from 'vitest';
import { latticeCertificatesInUse } from '../../../shared/providers/vpc-lattice/certificates';
import { listener, network, service, WEB_CERT } from '../policy/lattice/fixtures';

describe('latticeCertificatesInUse', () => {
  it('lists each service certificate once per HTTPS listener, with its custom domain', () => {
    // Prepare
    const net = network([
      service('web', {
        certificateArn: WEB_CERT,
        customDomainName: 'web.prod.internal',
        listeners: [listener('https', 'HTTPS'), listener('http', 'HTTP')],
      }),
    ]);
    // Act
    const { leaves, trusts } = latticeCertificatesInUse(net);
    // Assess
    expect(trusts).toEqual([]);
    expect(leaves).toEqual([
      {
        id: `acm:${WEB_CERT}`,
        location: { kind: 'acm', arn: WEB_CERT },
        use: {
          resourceKey: 'prod-net/service/web',
          kind: 'vpc-lattice-service',
          role: 'listener',
          port: 443,
          serviceName: 'web.prod.internal',
        },
      },
    ]);
  });

  it('lists a custom domain certificate without an HTTPS listener, and nothing for Lattice’s own', () => {
    // Prepare
    const net = network([
      service('web', { certificateArn: WEB_CERT, listeners: [listener('http', 'HTTP')] }),
      service('payments'),
    ]);
    // Act
    const { leaves } = latticeCertificatesInUse(net);
    // Assess
    expect(leaves.map((l) => [l.id, l.use.resourceKey, l.use.port])).toEqual([
      [`acm:${WEB_CERT}`, 'prod-net/service/web', undefined],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { touchedIds } from '../../../infra/cli/explain-lattice';
import { parseLatticeApiCall } from '../../../shared/providers/vpc-lattice/cloudtrail';
import { loadEvent } from '../../support/sample-events';

/** The sample UpdateRule event with other request parameters. */
function withParameters(requestParameters: Record<string, unknown>) {
  const sample = loadEvent('vpc-lattice/update-rule');
  return parseLatticeApiCall({ ...sample, detail: { ...sample.detail, requestParameters } });
}

describe('touchedIds', () => {
  it('reads the service of a rule call', () => {
    // Act + Assess
    expect(touchedIds(parseLatticeApiCall(loadEvent('vpc-lattice/update-rule')))).toEqual({
      serviceId: 'svc-0123456789abcdef0',
    });
  });

  it('reads an auth policy’s resource, by ARN or id, as a network or a service', () => {
    // Prepare
    const network = withParameters({
      resourceIdentifier: 'arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0123456789abcdef0',
    });
    const service = withParameters({ resourceIdentifier: 'svc-0123456789abcdef0' });
    // Act + Assess
    expect(touchedIds(network)).toEqual({ serviceNetworkId: 'sn-0123456789abcdef0' });
    expect(touchedIds(service)).toEqual({ serviceId: 'svc-0123456789abcdef0' });
  });

  it('reads both sides of an association, and nothing from a call that names neither', () => {
    // Prepare
    const association = withParameters({ serviceNetworkIdentifier: 'sn-1', serviceIdentifier: 'svc-1' });
    const targetGroup = withParameters({ targetGroupIdentifier: 'tg-1' });
    // Act + Assess
    expect(touchedIds(association)).toEqual({ serviceNetworkId: 'sn-1', serviceId: 'svc-1' });
    expect(touchedIds(targetGroup)).toEqual({});
  });
});

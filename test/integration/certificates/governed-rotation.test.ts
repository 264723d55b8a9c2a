import { ACMClient, AddTagsToCertificateCommand } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../../infra/local/types';
import { ISSUING_CA_TAG } from '../../../shared/adapters/acm-certificates/certificate-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { loadEvent } from '../../support/sample-events';
import { dailyEvent, importExpiringCertificate, pointListenerAt } from './support';

/**
 * Rotation with every function running, change control included: a certificate meshwarden
 * re-imports from the allowed CA must stay compliant (ACM names no CA for an imported
 * certificate; the issuing-CA tag does), so the audit finds nothing and nothing is reverted.
 */
describe('certificate rotation under change control', () => {
  let local: TestLocalAws;
  let certificateArn = '';
  const seen: BusEvent[] = [];

  beforeAll(async () => {
    local = await startSeededLocalAws({ pcaIssueDelayMs: 50 });
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') seen.push(a.event);
    });
    const acm = new ACMClient(local.clientConfig('admin'));
    certificateArn = await importExpiringCertificate(
      new ACMPCAClient(local.clientConfig('admin')),
      acm,
      local.seed.caArn,
      'web-v1.prod.local',
      5,
    );
    // A person importing a certificate says which CA issued it, as meshwarden does.
    await acm.send(
      new AddTagsToCertificateCommand({
        CertificateArn: certificateArn,
        Tags: [{ Key: ISSUING_CA_TAG, Value: local.seed.caArn }],
      }),
    );
    await pointListenerAt(local, 'virtual-node', 'web-v1', certificateArn);
    await local.aws.drain();
  }, 60_000);
  afterAll(() => local?.aws.close());

  it("keeps the administrator's switch to a tagged certificate from the allowed CA", () => {
    const decisions = seen.filter((e) => e['detail-type'] === 'GovernanceDecision');
    expect(decisions.at(-1)?.detail).toMatchObject({ action: 'keep' });
  });

  it('rotates it in place, and the audit afterwards finds the mesh compliant', async () => {
    const before = seen.length;
    await local.aws.functions.invoke('cert-rotation', dailyEvent(local));
    await local.aws.drain();
    const rotated = seen.slice(before).filter((e) => e['detail-type'] === 'CertificateRotated');
    expect(rotated.map((e) => JSON.stringify(e.detail))).toEqual(
      expect.arrayContaining([expect.stringContaining(certificateArn)]),
    );

    const [audit] = (await local.aws.functions.invoke('mesh-audit', loadEvent('scheduler/daily-audit'))) as {
      violations: number;
    }[];
    expect(audit?.violations).toBe(0);
    expect(seen.slice(before).filter((e) => e['detail-type'] === 'GovernanceDecision')).toEqual([]);
  });
});

import { ACMClient, ListCertificatesCommand } from '@aws-sdk/client-acm';
import { AppMeshClient, ListMeshesCommand } from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../infra/local/edge/faults';
import { DEFAULT_IDENTITIES, IdentityRegistry } from '../../../infra/local/edge/identities';
import { EdgeServer } from '../../../infra/local/edge/server';
import { handleJsonRequest } from '../../../infra/local/protocol/aws-json';
import type { BusEntry, LocalRequest, LocalService } from '../../../infra/local/types';

/** A minimal awsJson service that records who called it, to observe the edge alone. */
class EchoAcm implements LocalService {
  readonly signingName = 'acm';
  readonly callers: string[] = [];
  handle(req: LocalRequest) {
    return handleJsonRequest(req, {
      version: '1.1',
      targetPrefix: 'CertificateManager',
      isReadOnly: (op) => op.startsWith('List'),
      operations: {
        ListCertificates: (_input, r) => {
          this.callers.push(r.caller.arn);
          return { CertificateSummaryList: [] };
        },
      },
    });
  }
}

describe('local AWS edge endpoint', () => {
  const acm = new EchoAcm();
  const events: BusEntry[] = [];
  const faults = new FaultInjector();
  const edge = new EdgeServer({
    identities: new IdentityRegistry(DEFAULT_IDENTITIES),
    services: [acm],
    faults,
    putEvents: async (entries) => {
      events.push(...entries);
      return entries.map(() => 'id');
    },
  });
  let endpoint = '';
  beforeAll(async () => {
    endpoint = `http://127.0.0.1:${await edge.listen(0)}`;
  });
  afterAll(() => edge.close());

  const acmClient = (accessKeyId: string, secretAccessKey: string) =>
    new ACMClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
    });

  it('authenticates a correctly signed request and routes it by signing name', async () => {
    const out = await acmClient('dev-oidc', 'dev-oidc-secret').send(new ListCertificatesCommand({}));
    expect(out.CertificateSummaryList).toEqual([]);
    expect(acm.callers.at(-1)).toBe('arn:aws:sts::000000000000:assumed-role/MeshDeveloper/alice');
  });

  it('refuses an unknown access key as AWS does', async () => {
    await expect(acmClient('nobody', 'x').send(new ListCertificatesCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('refuses a request signed with the wrong secret', async () => {
    await expect(acmClient('test', 'wrong').send(new ListCertificatesCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
    });
  });

  it('names a service it does not emulate', async () => {
    const mesh = new AppMeshClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await expect(mesh.send(new ListMeshesCommand({}))).rejects.toThrow(/appmesh.*not emulated/);
  });

  it('injects throttling that the SDK sees as a throttling error', async () => {
    faults.set([
      { service: 'acm', operation: 'ListCertificates', throttleRate: 1, errorRate: 0, latencyMs: 0 },
    ]);
    try {
      await expect(acmClient('test', 'test').send(new ListCertificatesCommand({}))).rejects.toMatchObject({
        name: 'ThrottlingException',
      });
    } finally {
      faults.set([]);
    }
  });

  it('records no CloudTrail event for a read-only call', () => {
    expect(events).toEqual([]);
  });
});

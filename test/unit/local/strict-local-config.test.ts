import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminRoutes } from '../../../infra/local/admin-routes';
import { LocalEventBus } from '../../../infra/local/bus/event-bus';
import { FaultInjector } from '../../../infra/local/edge/faults';
import { IdentityRegistry } from '../../../infra/local/edge/identities';
import { Timeline } from '../../../infra/local/timeline';

function identitiesFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'meshwarden-identities-')), 'identities.yaml');
  writeFileSync(file, text);
  return file;
}

describe('local configuration refuses keys it does not know, naming them', () => {
  it('refuses a misspelt key in an identity of the identities file', () => {
    const file = identitiesFile(`accountId: "000000000000"
identities:
  - { type: AssumedRole, accessKeyId: meshwarden, secretAccessKey: s, roleName: meshwarden-functions, sessionName: meshwarden }
  - { type: IAMUser, accessKeyId: ops-bob, secretAccessKey: s, userName: bob, usrName: robert }
`);

    expect(() => IdentityRegistry.fromFile(file)).toThrow(/identities\[1\]: Unrecognized key: "usrName"/);
  });

  it('refuses an unknown top-level key of the identities file', () => {
    const file = identitiesFile(`accountId: "000000000000"
identites: []
identities:
  - { type: IAMUser, accessKeyId: ops-bob, secretAccessKey: s, userName: bob }
`);

    expect(() => IdentityRegistry.fromFile(file)).toThrow(/\(root\): Unrecognized key: "identites"/);
  });

  it('refuses a misspelt fault key in LOCAL_AWS_FAULTS', () => {
    expect(() => FaultInjector.parse('[{"service":"appmesh","throtleRate":0.5}]')).toThrow(
      /LOCAL_AWS_FAULTS: \[0\]: Unrecognized key: "throtleRate"/,
    );
  });

  it('answers PUT /_local/faults with a misspelt key by 400 naming it, and keeps the faults it had', async () => {
    const faults = new FaultInjector([
      { service: 'appmesh', operation: '*', throttleRate: 1, errorRate: 0, latencyMs: 0 },
    ]);
    const route = adminRoutes({
      bus: new LocalEventBus({ region: 'us-east-1', accountId: '000000000000' }),
      timeline: new Timeline(),
      faults,
      services: [],
      deploy: async (change) => change,
    });
    const request = { method: 'PUT', url: '/_local/faults' } as IncomingMessage;

    const response = await route(request, Buffer.from('[{"service":"appmesh","latencyMS":50}]'));

    expect(response?.status).toBe(400);
    expect(JSON.parse(String(response?.body)).message).toMatch(
      /PUT \/_local\/faults body: \[0\]: Unrecognized key: "latencyMS"/,
    );
    expect(faults.list()).toHaveLength(1);
    expect(faults.list()[0]?.throttleRate).toBe(1);
  });

  it('deploys the local stack again with the CAs PUT /_local/stack names, and refuses anything else', async () => {
    const deployed: unknown[] = [];
    const route = adminRoutes({
      bus: new LocalEventBus({ region: 'us-east-1', accountId: '000000000000' }),
      timeline: new Timeline(),
      faults: new FaultInjector([]),
      services: [],
      deploy: async (change) => {
        deployed.push(change);
        return change;
      },
    });
    const request = { method: 'PUT', url: '/_local/stack' } as IncomingMessage;
    const ca =
      'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/0fd3e1f9-12b4-480f-8608-0ab13a02d7d1';

    const ok = await route(request, Buffer.from(JSON.stringify({ certificateAuthorityArns: [ca] })));
    const typo = await route(request, Buffer.from(JSON.stringify({ certificateAuthorityArn: [ca] })));
    const notArn = await route(request, Buffer.from(JSON.stringify({ certificateAuthorityArns: ['ca-1'] })));

    expect(ok?.status).toBe(200);
    expect(typo?.status).toBe(400);
    expect(JSON.parse(String(typo?.body)).message).toMatch(/Unrecognized key: "certificateAuthorityArn"/);
    expect(notArn?.status).toBe(400);
    expect(deployed).toEqual([{ certificateAuthorityArns: [ca] }]);
  });
});

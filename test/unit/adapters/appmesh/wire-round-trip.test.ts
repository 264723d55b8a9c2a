/**
 * The round trip through the real SDK (de)serialiser, not a mocked `send`: App Mesh JSON on the
 * wire -> SDK -> model (describe) -> SDK -> JSON on the wire (update). What meshwarden writes back
 * must be exactly what App Mesh gave it.
 */
import { Readable } from 'node:stream';
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { describe, expect, it } from 'vitest';
import { refOf } from '../../../../shared/domain/resource-key';
import type { MeshResource } from '../../../../shared/providers/appmesh/model';
import { createAppMeshProvider } from '../../../../shared/providers/appmesh/provider';
import { sampleResources } from '../../../support/mesh-samples';
import { SDK_FIELDS } from './fake-app-mesh';

interface WireRequest {
  method: string;
  path: string;
  body?: unknown;
}

/** The JSON App Mesh sends for a resource (timestamps as epoch seconds, as restJson1 does). */
function wireData(resource: MeshResource): Record<string, unknown> {
  const fields = SDK_FIELDS[resource.kind];
  const m = resource.metadata ?? expect.fail('sample without metadata');
  return {
    meshName: resource.meshName,
    [fields.name]: resource.name,
    ...(fields.parent === undefined ? {} : { [fields.parent]: resource.parentName }),
    spec: JSON.parse(JSON.stringify(resource.spec)),
    metadata: {
      arn: m.arn,
      uid: m.uid,
      version: m.version,
      createdAt: Date.parse(m.createdAt) / 1000,
      lastUpdatedAt: Date.parse(m.lastUpdatedAt) / 1000,
      meshOwner: m.meshOwner,
      resourceOwner: m.resourceOwner,
    },
    status: { status: m.status },
  };
}

/** A client whose HTTP layer answers from `resource` and records every request. */
function wireClient(resource: MeshResource): { client: AppMeshClient; requests: WireRequest[] } {
  const requests: WireRequest[] = [];
  // App Mesh outputs carry the resource data as the whole HTTP payload (no wrapper member).
  const payload = wireData(resource);
  const client = new AppMeshClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { method: string; path: string; body?: unknown }) => {
        const raw =
          request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : request.body;
        const body = typeof raw === 'string' && raw !== '' ? JSON.parse(raw) : undefined;
        requests.push({ method: request.method, path: request.path, body });
        const answer = request.path.endsWith('/tags') ? { tags: [{ key: 'team', value: 'web' }] } : payload;
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/json' },
            body: Readable.from([Buffer.from(JSON.stringify(answer))]),
          },
        };
      },
    },
  });
  return { client, requests };
}

describe('App Mesh wire round trip', () => {
  it.each(sampleResources().map((r) => [`${r.kind} ${r.name}`, r] as const))(
    '%s: describe then update writes back exactly the spec App Mesh returned',
    async (_label, resource) => {
      // Prepare
      const { client, requests } = wireClient(resource);
      const provider = createAppMeshProvider(client);

      // Act
      const described = await provider.describe(refOf(resource));
      if (described === undefined) throw new Error('describe returned nothing');
      await provider.update(described, { clientToken: 'wire-test-1' });

      // Assess: the model equals the sample (dates, status, tags), and the PUT body is the wire spec.
      expect(described).toEqual({ ...resource, tags: { team: 'web' } });
      const put = requests.find((r) => r.method === 'PUT');
      expect(put?.body).toEqual({ spec: wireData(resource).spec, clientToken: 'wire-test-1' });
      expect(requests.map((r) => r.method)).toEqual(['GET', 'GET', 'PUT']);
    },
  );
});

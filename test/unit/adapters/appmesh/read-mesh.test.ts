import { AppMeshClient, InternalServerErrorException } from '@aws-sdk/client-app-mesh';
import { afterEach, describe, expect, it } from 'vitest';
import { formatResourceKey } from '../../../../shared/domain/resource-key';
import { snapshotResources } from '../../../../shared/domain/snapshot';
import { BadRequestError, MeshwardenError, NotFoundError } from '../../../../shared/errors';
import type { MeshResource } from '../../../../shared/providers/appmesh/model';
import { createAppMeshProvider, DEFAULT_CONCURRENCY } from '../../../../shared/providers/appmesh/provider';
import { SAMPLE_MESH, SAMPLE_TAKEN_AT, sampleResources, sampleSnapshot } from '../../../support/mesh-samples';
import { type AppMeshStub, type FakeCall, installFakeAppMesh } from './fake-app-mesh';

let stub: AppMeshStub | undefined;
afterEach(() => stub?.restore());

const clock = () => new Date(SAMPLE_TAKEN_AT);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function listCalls(calls: readonly FakeCall[], command: string): FakeCall[] {
  return calls.filter((c) => c.command === command);
}

describe('readMesh', () => {
  it('reads every kind across several pages per kind, with tags, into the complete snapshot', async () => {
    // Prepare: one item per page, so every kind with two or more resources spans several pages.
    const fake = installFakeAppMesh(sampleResources());
    stub = fake.stub;
    const provider = createAppMeshProvider(new AppMeshClient({}), { pageSize: 1, now: clock });

    // Act
    const snapshot = await provider.readMesh(SAMPLE_MESH);

    // Assess: the whole sample came back, sorted, with metadata and tags.
    expect(snapshot).toEqual(sampleSnapshot());
    const expected = sampleSnapshot();
    for (const [command, count] of [
      ['ListVirtualNodes', expected.virtualNodes.length],
      ['ListVirtualServices', expected.virtualServices.length],
      ['ListVirtualRouters', expected.virtualRouters.length],
      ['ListVirtualGateways', expected.virtualGateways.length],
    ] as const) {
      const pages = listCalls(fake.calls, command);
      // pageSize 1: one page per item; the last page carries no token.
      expect(pages, command).toHaveLength(count);
      expect(pages.every((p) => p.input.limit === 1)).toBe(true);
      expect(pages[0]?.input.nextToken).toBeUndefined();
      expect(pages.slice(1).every((p) => typeof p.input.nextToken === 'string')).toBe(true);
    }
    const routePages = listCalls(fake.calls, 'ListRoutes').filter(
      (c) => c.input.virtualRouterName === 'web-router',
    );
    expect(routePages).toHaveLength(2);
    const gatewayRoutePages = listCalls(fake.calls, 'ListGatewayRoutes').filter(
      (c) => c.input.virtualGatewayName === 'gw',
    );
    expect(gatewayRoutePages).toHaveLength(2);
    // Every resource was described and its tags read once.
    const all = snapshotResources(expected);
    expect(listCalls(fake.calls, 'ListTagsForResource').map((c) => c.input.resourceArn)).toEqual(
      expect.arrayContaining(all.map((r) => r.metadata?.arn)),
    );
    expect(fake.calls.filter((c) => c.command.startsWith('Describe'))).toHaveLength(all.length);
  });

  it('pages through tags with limit and nextToken', async () => {
    // Prepare: a mesh with 120 tags needs three pages of 50.
    const resources = sampleResources().map(
      (r): MeshResource =>
        r.kind === 'mesh'
          ? { ...r, tags: Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`k${i}`, `v${i}`])) }
          : r,
    );
    const fake = installFakeAppMesh(resources);
    stub = fake.stub;
    const provider = createAppMeshProvider(new AppMeshClient({}), { now: clock });

    // Act
    const snapshot = await provider.readMesh(SAMPLE_MESH);

    // Assess
    expect(Object.keys(snapshot.mesh.tags ?? {})).toHaveLength(120);
    const meshTagPages = listCalls(fake.calls, 'ListTagsForResource').filter(
      (c) => c.input.resourceArn === snapshot.mesh.metadata?.arn,
    );
    expect(meshTagPages.map((c) => c.input.limit)).toEqual([50, 50, 50]);
  });

  it(`never has more than the concurrency bound in flight (default ${DEFAULT_CONCURRENCY})`, async () => {
    // Prepare: every call takes a little while so calls overlap if allowed to.
    for (const bound of [1, 3, DEFAULT_CONCURRENCY]) {
      let inFlight = 0;
      let peak = 0;
      const fake = installFakeAppMesh(sampleResources(), {
        beforeAnswer: async () => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          await sleep(2);
          inFlight -= 1;
        },
      });
      stub = fake.stub;
      const provider = createAppMeshProvider(
        new AppMeshClient({}),
        bound === DEFAULT_CONCURRENCY ? { now: clock } : { concurrency: bound, now: clock },
      );

      // Act
      await provider.readMesh(SAMPLE_MESH);

      // Assess: the bound holds and is actually used (the describe phase has more work than the bound).
      expect(peak, `bound ${bound}`).toBe(bound);
      stub.restore();
    }
  });

  it('throws NotFoundError when the mesh does not exist', async () => {
    // Prepare
    stub = installFakeAppMesh(sampleResources()).stub;
    const provider = createAppMeshProvider(new AppMeshClient({}));

    // Act
    const read = provider.readMesh('staging');

    // Assess
    await expect(read).rejects.toBeInstanceOf(NotFoundError);
  });

  it('leaves out a resource deleted between list and describe', async () => {
    // Prepare: web-v2 is listed but gone when described.
    const resources = sampleResources();
    const fake = installFakeAppMesh(resources, {
      beforeAnswer: (call) => {
        if (call.command === 'DescribeVirtualNode' && call.input.virtualNodeName === 'web-v2') {
          const index = resources.findIndex((r) => r.kind === 'virtual-node' && r.name === 'web-v2');
          resources.splice(index, 1);
        }
      },
    });
    stub = fake.stub;
    const provider = createAppMeshProvider(new AppMeshClient({}), { now: clock });

    // Act
    const snapshot = await provider.readMesh(SAMPLE_MESH);

    // Assess
    expect(snapshot.virtualNodes.map((n) => n.name)).not.toContain('web-v2');
    expect(snapshot.virtualNodes.map((n) => n.name)).toContain('web-v1');
  });

  it('fails the whole read, as a MeshwardenError keeping the cause, when a describe fails', async () => {
    // Prepare
    const boom = new InternalServerErrorException({ message: 'boom', $metadata: {} });
    const fake = installFakeAppMesh(sampleResources(), {
      beforeAnswer: (call) => {
        if (call.command === 'DescribeRoute') throw boom;
      },
    });
    stub = fake.stub;
    const provider = createAppMeshProvider(new AppMeshClient({}));

    // Act
    const error = await provider.readMesh(SAMPLE_MESH).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(MeshwardenError);
    expect((error as MeshwardenError).cause).toBe(boom);
    expect((error as MeshwardenError).message).toContain('DescribeRoute prod/route/');
  });

  it('refuses bad options', () => {
    // Act + Assess
    for (const options of [{ concurrency: 0 }, { concurrency: 1.5 }, { pageSize: 0 }, { pageSize: 101 }]) {
      expect(() => createAppMeshProvider(new AppMeshClient({}), options), JSON.stringify(options)).toThrow(
        BadRequestError,
      );
    }
  });

  it('keys of the snapshot are unique', async () => {
    // Prepare
    stub = installFakeAppMesh(sampleResources()).stub;
    const provider = createAppMeshProvider(new AppMeshClient({}), { pageSize: 2 });

    // Act
    const snapshot = await provider.readMesh(SAMPLE_MESH);

    // Assess
    const keys = snapshotResources(snapshot).map(formatResourceKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(snapshotResources(sampleSnapshot()).length);
  });
});

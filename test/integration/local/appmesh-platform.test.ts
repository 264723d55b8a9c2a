import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppMeshClient,
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  DescribeMeshCommand,
  DescribeVirtualNodeCommand,
  ListMeshesCommand,
  ListTagsForResourceCommand,
  ListVirtualNodesCommand,
  paginateListVirtualNodes,
  UpdateVirtualRouterCommand,
} from '@aws-sdk/client-app-mesh';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppMeshService } from '../../../infra/local/services/appmesh/appmesh-service';
import { CREDENTIALS, startTestEdge, type TestEdge } from '../../support/local-edge';

/** Pagination, CloudTrail emission and persistence of local App Mesh. */

describe('local App Mesh: pagination', () => {
  let edge: TestEdge;
  let mesh: AppMeshClient;

  beforeAll(async () => {
    edge = await startTestEdge((context) => [new AppMeshService(context)]);
    mesh = new AppMeshClient({ ...edge.clientConfig, maxAttempts: 1 });
    await mesh.send(new CreateMeshCommand({ meshName: 'paged' }));
    for (let i = 0; i < 25; i++) {
      const name = `node-${String(i).padStart(2, '0')}`;
      await mesh.send(new CreateVirtualNodeCommand({ meshName: 'paged', virtualNodeName: name, spec: {} }));
    }
  });
  afterAll(() => edge.close());

  it('lists 25 nodes as pages of 10, 10 and 5, each once', async () => {
    const first = await mesh.send(new ListVirtualNodesCommand({ meshName: 'paged', limit: 10 }));
    const second = await mesh.send(
      new ListVirtualNodesCommand({ meshName: 'paged', limit: 10, nextToken: first.nextToken }),
    );
    const third = await mesh.send(
      new ListVirtualNodesCommand({ meshName: 'paged', limit: 10, nextToken: second.nextToken }),
    );

    const names = [first, second, third].flatMap(
      (page) => page.virtualNodes?.map((n) => n.virtualNodeName) ?? [],
    );
    expect([first, second, third].map((page) => page.virtualNodes?.length)).toEqual([10, 10, 5]);
    expect(first.nextToken).toEqual(expect.any(String));
    expect(third.nextToken).toBeUndefined();
    expect(names).toEqual(Array.from({ length: 25 }, (_, i) => `node-${String(i).padStart(2, '0')}`));
  });

  it('works with the SDK paginator', async () => {
    const names: string[] = [];
    for await (const page of paginateListVirtualNodes({ client: mesh, pageSize: 7 }, { meshName: 'paged' })) {
      names.push(...(page.virtualNodes?.map((n) => n.virtualNodeName ?? '') ?? []));
    }

    expect(names).toHaveLength(25);
    expect(new Set(names).size).toBe(25);
  });

  it('neither repeats nor skips a node when one is created between pages', async () => {
    const first = await mesh.send(new ListVirtualNodesCommand({ meshName: 'paged', limit: 10 }));
    await mesh.send(
      new CreateVirtualNodeCommand({ meshName: 'paged', virtualNodeName: 'node-00a', spec: {} }),
    );

    const rest = await mesh.send(
      new ListVirtualNodesCommand({ meshName: 'paged', limit: 100, nextToken: first.nextToken }),
    );

    const firstNames = first.virtualNodes?.map((n) => n.virtualNodeName) ?? [];
    const restNames = rest.virtualNodes?.map((n) => n.virtualNodeName) ?? [];
    expect(firstNames.filter((name) => restNames.includes(name))).toEqual([]);
    expect(restNames).toContain('node-10');
  });
});

describe('local App Mesh: CloudTrail', () => {
  let edge: TestEdge;
  let admin: AppMeshClient;
  let developer: AppMeshClient;

  beforeAll(async () => {
    edge = await startTestEdge((context) => [new AppMeshService(context)]);
    admin = new AppMeshClient({ ...edge.clientConfig, maxAttempts: 1 });
    developer = new AppMeshClient({
      ...edge.clientConfig,
      credentials: CREDENTIALS.oidcDeveloper,
      maxAttempts: 1,
    });
    await admin.send(new CreateMeshCommand({ meshName: 'trail' }));
    await admin.send(new CreateVirtualRouterCommand({ meshName: 'trail', virtualRouterName: 'r', spec: {} }));
  });
  afterAll(() => edge.close());

  const trailEvents = () => edge.events.filter((e) => e.detailType === 'AWS API Call via CloudTrail');

  it('records a mutating call with its caller, request parameters and response', async () => {
    const before = trailEvents().length;
    const spec = { listeners: [{ portMapping: { port: 8080, protocol: 'http' as const } }] };

    const out = await developer.send(
      new UpdateVirtualRouterCommand({
        meshName: 'trail',
        virtualRouterName: 'r',
        spec,
        clientToken: 'ct-1',
      }),
    );

    const events = trailEvents().slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      source: 'aws.appmesh',
      detail: {
        eventSource: 'appmesh.amazonaws.com',
        eventName: 'UpdateVirtualRouter',
        readOnly: false,
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::000000000000:assumed-role/MeshDeveloper/alice',
        },
        requestParameters: { meshName: 'trail', virtualRouterName: 'r', spec, clientToken: 'ct-1' },
        // As CloudTrail records App Mesh's answer: under the output member, not the bare body.
        responseElements: {
          virtualRouter: {
            meshName: 'trail',
            virtualRouterName: 'r',
            spec,
            metadata: {
              arn: out.virtualRouter?.metadata?.arn,
              uid: out.virtualRouter?.metadata?.uid,
              version: 2,
            },
          },
        },
      },
    });
    expect(events[0]?.detail.errorCode).toBeUndefined();
  });

  it('records a failed mutating call with its error code and message', async () => {
    const before = trailEvents().length;

    await admin.send(new CreateMeshCommand({ meshName: 'trail' })).catch(() => undefined);

    const events = trailEvents().slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toMatchObject({
      eventName: 'CreateMesh',
      errorCode: 'ConflictException',
      errorMessage: expect.stringContaining('trail'),
      requestParameters: { meshName: 'trail' },
      responseElements: null,
    });
  });

  it('records no event for Describe and List calls', async () => {
    const before = trailEvents().length;

    await admin.send(new DescribeMeshCommand({ meshName: 'trail' }));
    await admin.send(new ListMeshesCommand({}));
    await admin.send(new ListVirtualNodesCommand({ meshName: 'trail' }));
    await admin.send(
      new ListTagsForResourceCommand({ resourceArn: 'arn:aws:appmesh:us-east-1:000000000000:mesh/trail' }),
    );

    expect(trailEvents().length).toBe(before);
  });
});

describe('local App Mesh: persistence', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps resources, versions, tags and client tokens across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'appmesh-state-'));
    dirs.push(dataDir);
    const first = await startTestEdge((context) => [new AppMeshService(context)], { dataDir });
    const before = new AppMeshClient({ ...first.clientConfig, maxAttempts: 1 });
    const created = await before.send(
      new CreateMeshCommand({ meshName: 'kept', tags: [{ key: 'k', value: 'v' }], clientToken: 'keep-1' }),
    );
    await before.send(new CreateVirtualNodeCommand({ meshName: 'kept', virtualNodeName: 'n', spec: {} }));
    await first.close();

    const second = await startTestEdge((context) => [new AppMeshService(context)], { dataDir });
    const after = new AppMeshClient({ ...second.clientConfig, maxAttempts: 1 });
    try {
      const mesh = await after.send(new DescribeMeshCommand({ meshName: 'kept' }));
      const node = await after.send(
        new DescribeVirtualNodeCommand({ meshName: 'kept', virtualNodeName: 'n' }),
      );
      const tags = await after.send(
        new ListTagsForResourceCommand({ resourceArn: created.mesh?.metadata?.arn }),
      );
      const replay = await after.send(
        new CreateMeshCommand({ meshName: 'kept', tags: [{ key: 'k', value: 'v' }], clientToken: 'keep-1' }),
      );

      expect(mesh.mesh).toEqual(created.mesh);
      expect(node.virtualNode?.metadata?.version).toBe(1);
      expect(tags.tags).toEqual([{ key: 'k', value: 'v' }]);
      expect(replay.mesh).toEqual(created.mesh);
    } finally {
      await second.close();
    }
  });

  it('starts empty without a data directory', async () => {
    const edge = await startTestEdge((context) => [new AppMeshService(context)]);
    try {
      const out = await new AppMeshClient({ ...edge.clientConfig, maxAttempts: 1 }).send(
        new ListMeshesCommand({}),
      );

      expect(out.meshes).toEqual([]);
    } finally {
      await edge.close();
    }
  });
});

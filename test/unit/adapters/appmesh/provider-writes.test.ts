import {
  AppMeshClient,
  ConflictException,
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  DeleteGatewayRouteCommand,
  DeleteMeshCommand,
  DeleteRouteCommand,
  DeleteVirtualGatewayCommand,
  DeleteVirtualNodeCommand,
  DeleteVirtualRouterCommand,
  DeleteVirtualServiceCommand,
  DescribeRouteCommand,
  ListTagsForResourceCommand,
  NotFoundException,
  ResourceInUseException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateGatewayRouteCommand,
  UpdateMeshCommand,
  UpdateRouteCommand,
  UpdateVirtualGatewayCommand,
  UpdateVirtualNodeCommand,
  UpdateVirtualRouterCommand,
  UpdateVirtualServiceCommand,
} from '@aws-sdk/client-app-mesh';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResourceRef } from '../../../../shared/domain/resource-key';
import { BadRequestError, ConflictError, NotFoundError } from '../../../../shared/errors';
import { specToSdk, tagsToSdk } from '../../../../shared/providers/appmesh/mapping';
import type { MeshResource } from '../../../../shared/providers/appmesh/model';
import { createAppMeshProvider } from '../../../../shared/providers/appmesh/provider';
import { sampleResource, sampleResources } from '../../../support/mesh-samples';
import { SDK_FIELDS, sdkDataOf } from './fake-app-mesh';

const mock = mockClient(AppMeshClient);
afterEach(() => mock.reset());

const provider = () => createAppMeshProvider(new AppMeshClient({}));
const TOKEN = 'evt-1234_abcd';

const UPDATE_COMMANDS = {
  mesh: UpdateMeshCommand,
  'virtual-node': UpdateVirtualNodeCommand,
  'virtual-service': UpdateVirtualServiceCommand,
  'virtual-router': UpdateVirtualRouterCommand,
  route: UpdateRouteCommand,
  'virtual-gateway': UpdateVirtualGatewayCommand,
  'gateway-route': UpdateGatewayRouteCommand,
} as const;

const DELETE_COMMANDS = {
  mesh: DeleteMeshCommand,
  'virtual-node': DeleteVirtualNodeCommand,
  'virtual-service': DeleteVirtualServiceCommand,
  'virtual-router': DeleteVirtualRouterCommand,
  route: DeleteRouteCommand,
  'virtual-gateway': DeleteVirtualGatewayCommand,
  'gateway-route': DeleteGatewayRouteCommand,
} as const;

/** The inputs of every call made with commands of this class. */
function inputsOf(command: abstract new (...args: never[]) => { input: unknown }): unknown[] {
  return mock
    .calls()
    .map((call) => call.args[0])
    .filter((sent) => sent instanceof command)
    .map((sent) => sent.input);
}

/** One sample of each kind (the richest where there is a choice). */
function onePerKind(): MeshResource[] {
  const wanted = ['prod', 'gw', 'web-gr', 'web.local', 'web-router', 'web-route', 'frontend'];
  return sampleResources().filter((r) => wanted.includes(r.name));
}

function expectedNames(resource: MeshResource): Record<string, unknown> {
  const fields = SDK_FIELDS[resource.kind];
  return {
    meshName: resource.meshName,
    [fields.name]: resource.name,
    ...(fields.parent === undefined ? {} : { [fields.parent]: resource.parentName }),
  };
}

describe('update', () => {
  it.each(onePerKind().map((r) => [r.kind, r] as const))(
    'sends the whole %s spec with the clientToken and returns the new metadata',
    async (_kind, resource) => {
      // Prepare: App Mesh answers with version + 1.
      const answered = sdkDataOf(resource);
      const metadata = answered.metadata as { version: number };
      const data = { ...answered, metadata: { ...metadata, version: metadata.version + 1 } };
      mock.onAnyCommand().resolves({ [SDK_FIELDS[resource.kind].data]: data });

      // Act
      const updated = await provider().update(resource, { clientToken: TOKEN });

      // Assess: one Update call, whole spec, names and token; nothing else sent.
      const calls = inputsOf(UPDATE_COMMANDS[resource.kind]);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toEqual({
        ...expectedNames(resource),
        spec: specToSdk(resource.kind, resource.spec),
        clientToken: TOKEN,
      });
      expect(mock.calls()).toHaveLength(1);
      expect(updated.spec).toEqual(resource.spec);
      expect(updated.metadata?.version).toBe((resource.metadata?.version ?? 0) + 1);
      expect(updated.tags).toBeUndefined();
    },
  );

  it('refuses a malformed clientToken before calling App Mesh', async () => {
    // Prepare
    const node = sampleResource('virtual-node', 'web-v1');

    // Act + Assess
    for (const clientToken of ['', 'has space', 'x'.repeat(37), 'slash/no']) {
      await expect(provider().update(node, { clientToken }), clientToken).rejects.toBeInstanceOf(
        BadRequestError,
      );
    }
    expect(mock.calls()).toHaveLength(0);
  });

  it('refuses a route without parentName before calling App Mesh', async () => {
    // Prepare
    const { parentName: _dropped, ...orphan } = sampleResource('route', 'web-route');

    // Act
    const update = provider().update(orphan, { clientToken: TOKEN });

    // Assess
    await expect(update).rejects.toBeInstanceOf(BadRequestError);
    expect(mock.calls()).toHaveLength(0);
  });

  it('maps a ConflictException (someone else wrote) to ConflictError keeping the cause', async () => {
    // Prepare
    const conflict = new ConflictException({ message: 'version mismatch', $metadata: {} });
    mock.on(UpdateRouteCommand).rejects(conflict);

    // Act
    const error = await provider()
      .update(sampleResource('route', 'web-route'), { clientToken: TOKEN })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).cause).toBe(conflict);
    expect((error as Error).message).toContain('UpdateRoute prod/route/web-router/web-route');
  });
});

describe('create', () => {
  it('creates a virtual node with its spec, tags and clientToken', async () => {
    // Prepare
    const node = sampleResource('virtual-node', 'web-v2');
    mock.on(CreateVirtualNodeCommand).callsFake(() => ({ virtualNode: sdkDataOf(node) }));

    // Act
    const created = await provider().create(node, { clientToken: TOKEN });

    // Assess
    const input = mock.commandCalls(CreateVirtualNodeCommand)[0]?.args[0].input;
    expect(input).toEqual({
      meshName: 'prod',
      virtualNodeName: 'web-v2',
      spec: specToSdk('virtual-node', node.spec),
      tags: tagsToSdk(node.tags ?? {}),
      clientToken: TOKEN,
    });
    expect(created).toEqual(node);
  });

  it('creates a gateway route inside its gateway and a mesh without tags', async () => {
    // Prepare
    const gr = sampleResource('gateway-route', 'web-h2-gr');
    const mesh = { ...sampleResource('mesh', 'prod'), tags: {} };
    mock.on(CreateGatewayRouteCommand).callsFake(() => ({ gatewayRoute: sdkDataOf(gr) }));
    mock.on(CreateMeshCommand).callsFake(() => ({ mesh: sdkDataOf(mesh) }));

    // Act
    await provider().create(gr, { clientToken: TOKEN });
    await provider().create(mesh, { clientToken: TOKEN });

    // Assess
    expect(mock.commandCalls(CreateGatewayRouteCommand)[0]?.args[0].input).toMatchObject({
      meshName: 'prod',
      virtualGatewayName: 'gw-h2',
      gatewayRouteName: 'web-h2-gr',
    });
    expect(mock.commandCalls(CreateMeshCommand)[0]?.args[0].input.tags).toBeUndefined();
  });

  it('maps ConflictException (exists already) to ConflictError', async () => {
    // Prepare
    mock.on(CreateMeshCommand).rejects(new ConflictException({ message: 'exists', $metadata: {} }));

    // Act + Assess
    await expect(
      provider().create(sampleResource('mesh', 'prod'), { clientToken: TOKEN }),
    ).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('describe', () => {
  it('returns the resource with metadata and tags', async () => {
    // Prepare
    const route = sampleResource('route', 'payments-route');
    mock.on(DescribeRouteCommand).callsFake(() => ({ route: sdkDataOf(route) }));
    mock.on(ListTagsForResourceCommand).resolves({ tags: tagsToSdk(route.tags ?? {}) });

    // Act
    const found = await provider().describe({
      kind: 'route',
      meshName: 'prod',
      name: 'payments-route',
      parentName: 'payments-router',
    });

    // Assess
    expect(found).toEqual(route);
    expect(mock.commandCalls(DescribeRouteCommand)[0]?.args[0].input).toEqual({
      meshName: 'prod',
      virtualRouterName: 'payments-router',
      routeName: 'payments-route',
    });
  });

  it('returns undefined when App Mesh says NotFound', async () => {
    // Prepare
    mock.on(DescribeRouteCommand).rejects(new NotFoundException({ message: 'nope', $metadata: {} }));

    // Act
    const found = await provider().describe({
      kind: 'route',
      meshName: 'prod',
      name: 'x',
      parentName: 'web-router',
    });

    // Assess
    expect(found).toBeUndefined();
  });

  it('refuses a malformed ref with a clear error instead of calling App Mesh', async () => {
    // Act
    const bad = provider().describe({ kind: 'virtual-node', meshName: 'prod', name: 'a/b' });

    // Assess
    await expect(bad).rejects.toThrow(/contains "\/"/);
    expect(mock.calls()).toHaveLength(0);
  });
});

describe('delete', () => {
  const refs: ResourceRef[] = onePerKind().map(({ kind, meshName, name, parentName }) =>
    parentName === undefined ? { kind, meshName, name } : { kind, meshName, name, parentName },
  );

  it.each(refs.map((r) => [r.kind, r] as const))('deletes a %s by name', async (_kind, ref) => {
    // Prepare
    mock.onAnyCommand().resolves({});

    // Act
    await provider().delete(ref);

    // Assess
    const calls = inputsOf(DELETE_COMMANDS[ref.kind]);
    expect(calls).toHaveLength(1);
    const fields = SDK_FIELDS[ref.kind];
    expect(calls[0]).toEqual({
      meshName: ref.meshName,
      [fields.name]: ref.name,
      ...(fields.parent === undefined ? {} : { [fields.parent]: ref.parentName }),
    });
  });

  it('maps ResourceInUseException to ConflictError and NotFoundException to NotFoundError', async () => {
    // Prepare
    const inUse = new ResourceInUseException({ message: 'in use', $metadata: {} });
    mock.on(DeleteVirtualNodeCommand).rejects(inUse);
    mock.on(DeleteVirtualServiceCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));

    // Act
    const inUseError = await provider()
      .delete({ kind: 'virtual-node', meshName: 'prod', name: 'web-v1' })
      .catch((e: unknown) => e);
    const goneError = await provider()
      .delete({ kind: 'virtual-service', meshName: 'prod', name: 'web.local' })
      .catch((e: unknown) => e);

    // Assess
    expect(inUseError).toBeInstanceOf(ConflictError);
    expect((inUseError as Error).cause).toBe(inUse);
    expect(goneError).toBeInstanceOf(NotFoundError);
  });
});

describe('tags', () => {
  const arn = 'arn:aws:appmesh:eu-west-1:111122223333:mesh/prod/virtualNode/web-v1';

  it('tags and untags by ARN', async () => {
    // Prepare
    mock.onAnyCommand().resolves({});

    // Act
    await provider().tagResource(arn, { owner: 'team-web', env: 'prod' });
    await provider().untagResource(arn, ['obsolete', 'old']);

    // Assess
    expect(mock.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({
      resourceArn: arn,
      tags: [
        { key: 'env', value: 'prod' },
        { key: 'owner', value: 'team-web' },
      ],
    });
    expect(mock.commandCalls(UntagResourceCommand)[0]?.args[0].input).toEqual({
      resourceArn: arn,
      tagKeys: ['obsolete', 'old'],
    });
  });

  it('lists tags over several pages, a missing value reading as ""', async () => {
    // Prepare
    mock
      .on(ListTagsForResourceCommand)
      .resolvesOnce({ tags: [{ key: 'a', value: '1' }], nextToken: 't1' })
      .resolvesOnce({ tags: [{ key: 'b', value: undefined }] });

    // Act
    const tags = await provider().listTags(arn);

    // Assess
    expect(tags).toEqual({ a: '1', b: '' });
    const inputs = mock.commandCalls(ListTagsForResourceCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { resourceArn: arn, limit: 50 },
      { resourceArn: arn, limit: 50, nextToken: 't1' },
    ]);
  });
});

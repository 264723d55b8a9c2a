import {
  AppMeshClient,
  BadRequestException,
  ConflictException,
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DeleteMeshCommand,
  DeleteVirtualGatewayCommand,
  DeleteVirtualNodeCommand,
  DeleteVirtualRouterCommand,
  DescribeMeshCommand,
  DescribeVirtualNodeCommand,
  ListMeshesCommand,
  ListTagsForResourceCommand,
  ListVirtualNodesCommand,
  NotFoundException,
  ResourceInUseException,
  type RouteSpec,
  TagResourceCommand,
  TooManyRequestsException,
  TooManyTagsException,
  UntagResourceCommand,
  UpdateRouteCommand,
  type VirtualNodeSpec,
} from '@aws-sdk/client-app-mesh';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppMeshService } from '../../../infra/local/services/appmesh/appmesh-service';
import { CREDENTIALS, startTestEdge, type TestEdge } from '../../support/local-edge';

/** Typed errors, validation, idempotency, tags and hostile input of local App Mesh. */

const nodeSpec = (port: number): VirtualNodeSpec => ({
  listeners: [{ portMapping: { port, protocol: 'http' } }],
});
const targets = (count: number, weight = 10) =>
  Array.from({ length: count }, (_, i) => ({ virtualNode: `n${i}`, weight: i === 0 ? weight : 0 }));
const httpRoute = (weightedTargets: { virtualNode: string; weight: number }[]): RouteSpec => ({
  httpRoute: { match: { prefix: '/' }, action: { weightedTargets } },
});

/** Send a SigV4-signed request with any body, as no SDK would, to test hostile input. */
async function rawRequest(endpoint: string, method: string, path: string, body?: string) {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    service: 'appmesh',
    region: 'us-east-1',
    credentials: CREDENTIALS.admin,
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    }),
  );
  const headers = Object.fromEntries(
    Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'),
  );
  const res = await fetch(`${endpoint}${path}`, { method, headers, body });
  return {
    status: res.status,
    errorType: res.headers.get('x-amzn-errortype'),
    json: (await res.json()) as { message?: string },
  };
}

describe('local App Mesh: errors and validation', () => {
  let edge: TestEdge;
  let mesh: AppMeshClient;

  beforeAll(async () => {
    edge = await startTestEdge((context) => [new AppMeshService(context)]);
    mesh = new AppMeshClient({ ...edge.clientConfig, maxAttempts: 1 });
    await mesh.send(new CreateMeshCommand({ meshName: 'm' }));
    for (let i = 0; i < 11; i++) {
      await mesh.send(
        new CreateVirtualNodeCommand({ meshName: 'm', virtualNodeName: `n${i}`, spec: nodeSpec(8080) }),
      );
    }
    await mesh.send(new CreateVirtualRouterCommand({ meshName: 'm', virtualRouterName: 'r', spec: {} }));
    await mesh.send(
      new CreateRouteCommand({
        meshName: 'm',
        virtualRouterName: 'r',
        routeName: 'main',
        spec: httpRoute(targets(1)),
      }),
    );
  });
  afterAll(() => edge.close());

  describe('NotFoundException', () => {
    it('answers a missing mesh with 404 and says which', async () => {
      const error = await mesh.send(new DescribeMeshCommand({ meshName: 'nope' })).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(NotFoundException);
      expect(error).toMatchObject({
        $metadata: { httpStatusCode: 404 },
        message: expect.stringContaining('nope'),
      });
    });

    it('refuses a route under a virtual router that does not exist', async () => {
      const call = mesh.send(
        new CreateRouteCommand({
          meshName: 'm',
          virtualRouterName: 'ghost',
          routeName: 'x',
          spec: httpRoute(targets(1)),
        }),
      );

      await expect(call).rejects.toBeInstanceOf(NotFoundException);
      await expect(call).rejects.toThrow(/VirtualRouter with name ghost is not present under mesh m/);
    });

    it('refuses a virtual node in a mesh that does not exist', async () => {
      const call = mesh.send(
        new CreateVirtualNodeCommand({ meshName: 'ghost', virtualNodeName: 'x', spec: {} }),
      );

      await expect(call).rejects.toBeInstanceOf(NotFoundException);
    });

    it('refuses a virtual service whose provider does not exist', async () => {
      const call = mesh.send(
        new CreateVirtualServiceCommand({
          meshName: 'm',
          virtualServiceName: 'orphan.local',
          spec: { provider: { virtualNode: { virtualNodeName: 'ghost' } } },
        }),
      );

      await expect(call).rejects.toBeInstanceOf(NotFoundException);
    });

    it('lists nothing under a mesh that does not exist', async () => {
      await expect(mesh.send(new ListVirtualNodesCommand({ meshName: 'ghost' }))).rejects.toBeInstanceOf(
        NotFoundException,
      );
    });
  });

  describe('ConflictException', () => {
    it('refuses to create a mesh that exists, with 409', async () => {
      const error = await mesh.send(new CreateMeshCommand({ meshName: 'm' })).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ConflictException);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 409 } });
    });

    it('refuses to create a route that exists', async () => {
      const call = mesh.send(
        new CreateRouteCommand({
          meshName: 'm',
          virtualRouterName: 'r',
          routeName: 'main',
          spec: httpRoute(targets(1)),
        }),
      );

      await expect(call).rejects.toBeInstanceOf(ConflictException);
    });
  });

  describe('ResourceInUseException', () => {
    it('refuses to delete a mesh that still has resources', async () => {
      const error = await mesh.send(new DeleteMeshCommand({ meshName: 'm' })).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ResourceInUseException);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 409 } });
    });

    it('refuses to delete a virtual router that still has routes', async () => {
      await expect(
        mesh.send(new DeleteVirtualRouterCommand({ meshName: 'm', virtualRouterName: 'r' })),
      ).rejects.toBeInstanceOf(ResourceInUseException);
    });

    it('refuses to delete a virtual node or router a virtual service names as provider', async () => {
      await mesh.send(new CreateMeshCommand({ meshName: 'prov' }));
      await mesh.send(new CreateVirtualNodeCommand({ meshName: 'prov', virtualNodeName: 'n', spec: {} }));
      await mesh.send(new CreateVirtualRouterCommand({ meshName: 'prov', virtualRouterName: 'r', spec: {} }));
      await mesh.send(
        new CreateVirtualServiceCommand({
          meshName: 'prov',
          virtualServiceName: 'a',
          spec: { provider: { virtualNode: { virtualNodeName: 'n' } } },
        }),
      );
      await mesh.send(
        new CreateVirtualServiceCommand({
          meshName: 'prov',
          virtualServiceName: 'b',
          spec: { provider: { virtualRouter: { virtualRouterName: 'r' } } },
        }),
      );

      const node = mesh.send(new DeleteVirtualNodeCommand({ meshName: 'prov', virtualNodeName: 'n' }));
      const router = mesh.send(new DeleteVirtualRouterCommand({ meshName: 'prov', virtualRouterName: 'r' }));

      await expect(node).rejects.toBeInstanceOf(ResourceInUseException);
      await expect(node).rejects.toThrow(/provider of VirtualService a/);
      await expect(router).rejects.toBeInstanceOf(ResourceInUseException);
    });

    it('refuses to delete a virtual gateway that still has gateway routes', async () => {
      await mesh.send(new CreateMeshCommand({ meshName: 'gw' }));
      await mesh.send(
        new CreateVirtualGatewayCommand({
          meshName: 'gw',
          virtualGatewayName: 'g',
          spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
        }),
      );
      await mesh.send(
        new CreateGatewayRouteCommand({
          meshName: 'gw',
          virtualGatewayName: 'g',
          gatewayRouteName: 'x',
          spec: {
            httpRoute: {
              match: { prefix: '/' },
              action: { target: { virtualService: { virtualServiceName: 's' } } },
            },
          },
        }),
      );

      await expect(
        mesh.send(new DeleteVirtualGatewayCommand({ meshName: 'gw', virtualGatewayName: 'g' })),
      ).rejects.toBeInstanceOf(ResourceInUseException);
    });
  });

  describe('BadRequestException (validation)', () => {
    const badRoute = (spec: RouteSpec) =>
      mesh.send(new UpdateRouteCommand({ meshName: 'm', virtualRouterName: 'r', routeName: 'main', spec }));

    it.each([
      ['port 0', 0],
      ['port 65536', 65536],
    ])('refuses a listener on %s and names the member', async (_what, port) => {
      const error = await mesh
        .send(new CreateVirtualNodeCommand({ meshName: 'm', virtualNodeName: 'bad', spec: nodeSpec(port) }))
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(BadRequestException);
      expect(error).toMatchObject({
        $metadata: { httpStatusCode: 400 },
        message: expect.stringContaining('spec.listeners[0].portMapping.port'),
      });
    });

    it('refuses a weight of 101', async () => {
      await expect(badRoute(httpRoute(targets(1, 101)))).rejects.toThrow(/weightedTargets\[0\]\.weight/);
    });

    it('refuses a fractional weight', async () => {
      await expect(badRoute(httpRoute(targets(1, 50.5)))).rejects.toBeInstanceOf(BadRequestException);
    });

    it('refuses 11 weighted targets and no targets at all', async () => {
      await expect(badRoute(httpRoute(targets(11)))).rejects.toBeInstanceOf(BadRequestException);
      await expect(badRoute(httpRoute([]))).rejects.toBeInstanceOf(BadRequestException);
    });

    it('accepts 10 weighted targets', async () => {
      const out = await badRoute(httpRoute(targets(10)));

      expect(out.route?.spec?.httpRoute?.action?.weightedTargets).toHaveLength(10);
    });

    it('refuses a route spec with two route kinds or none', async () => {
      const both = {
        ...httpRoute(targets(1)),
        tcpRoute: { action: { weightedTargets: targets(1) } },
      } as RouteSpec;

      await expect(badRoute(both)).rejects.toThrow(
        /exactly one of httpRoute, http2Route, grpcRoute, tcpRoute/,
      );
      await expect(badRoute({ priority: 1 } as RouteSpec)).rejects.toBeInstanceOf(BadRequestException);
    });

    it('refuses a missing spec and a route without its action', async () => {
      const noSpec = mesh.send(
        new CreateVirtualNodeCommand({
          meshName: 'm',
          virtualNodeName: 'nospec',
          spec: undefined as unknown as VirtualNodeSpec,
        }),
      );
      const noAction = badRoute({ httpRoute: { match: { prefix: '/' } } } as RouteSpec);

      await expect(noSpec).rejects.toThrow(/spec/);
      await expect(noSpec).rejects.toBeInstanceOf(BadRequestException);
      await expect(noAction).rejects.toThrow(/spec\.httpRoute\.action/);
    });

    it('refuses a virtual service provider naming both a node and a router', async () => {
      const call = mesh.send(
        new CreateVirtualServiceCommand({
          meshName: 'm',
          virtualServiceName: 'both.local',
          spec: {
            provider: {
              virtualNode: { virtualNodeName: 'n0' },
              virtualRouter: { virtualRouterName: 'r' },
            } as never,
          },
        }),
      );

      await expect(call).rejects.toThrow(/exactly one of virtualNode, virtualRouter/);
    });

    it('refuses names longer than 255 characters, in the body and in the path', async () => {
      const long = 'x'.repeat(256);

      await expect(mesh.send(new CreateMeshCommand({ meshName: long }))).rejects.toBeInstanceOf(
        BadRequestException,
      );
      await expect(
        mesh.send(new DescribeVirtualNodeCommand({ meshName: 'm', virtualNodeName: long })),
      ).rejects.toBeInstanceOf(BadRequestException);
    });

    it('refuses a list limit outside 1..100, an invalid nextToken and a malformed meshOwner', async () => {
      await expect(mesh.send(new ListMeshesCommand({ limit: 0 }))).rejects.toBeInstanceOf(
        BadRequestException,
      );
      await expect(mesh.send(new ListMeshesCommand({ limit: 101 }))).rejects.toBeInstanceOf(
        BadRequestException,
      );
      await expect(mesh.send(new ListMeshesCommand({ nextToken: 'not-a-token' }))).rejects.toBeInstanceOf(
        BadRequestException,
      );
      await expect(
        mesh.send(new DescribeMeshCommand({ meshName: 'm', meshOwner: '12' })),
      ).rejects.toBeInstanceOf(BadRequestException);
    });

    it('refuses a nextToken from another list', async () => {
      const page = await mesh.send(new ListVirtualNodesCommand({ meshName: 'm', limit: 1 }));

      await expect(mesh.send(new ListMeshesCommand({ nextToken: page.nextToken }))).rejects.toBeInstanceOf(
        BadRequestException,
      );
    });
  });

  describe('clientToken idempotency', () => {
    it('answers a repeated create with the same token and body as the first time', async () => {
      const first = await mesh.send(new CreateMeshCommand({ meshName: 'idem', clientToken: 'tok-1' }));
      const again = await mesh.send(new CreateMeshCommand({ meshName: 'idem', clientToken: 'tok-1' }));

      expect(again.mesh).toEqual(first.mesh);
    });

    it('applies a repeated update once', async () => {
      const spec = httpRoute(targets(2, 60));
      const first = await mesh.send(
        new UpdateRouteCommand({
          meshName: 'm',
          virtualRouterName: 'r',
          routeName: 'main',
          spec,
          clientToken: 'upd-1',
        }),
      );
      const again = await mesh.send(
        new UpdateRouteCommand({
          meshName: 'm',
          virtualRouterName: 'r',
          routeName: 'main',
          spec,
          clientToken: 'upd-1',
        }),
      );

      expect(again.route?.metadata?.version).toBe(first.route?.metadata?.version);
    });

    it('refuses the same token with a different request', async () => {
      await mesh.send(
        new UpdateRouteCommand({
          meshName: 'm',
          virtualRouterName: 'r',
          routeName: 'main',
          spec: httpRoute(targets(1)),
          clientToken: 'upd-2',
        }),
      );

      const changed = mesh.send(
        new UpdateRouteCommand({
          meshName: 'm',
          virtualRouterName: 'r',
          routeName: 'main',
          spec: httpRoute(targets(1, 20)),
          clientToken: 'upd-2',
        }),
      );

      await expect(changed).rejects.toBeInstanceOf(ConflictException);
      await expect(changed).rejects.toThrow(/client token/);
    });

    it('refuses a token reused to create another resource', async () => {
      await mesh.send(new CreateMeshCommand({ meshName: 'idem-a', clientToken: 'tok-2' }));

      const other = mesh.send(new CreateMeshCommand({ meshName: 'idem-b', clientToken: 'tok-2' }));

      await expect(other).rejects.toBeInstanceOf(ConflictException);
    });
  });

  describe('mesh owner', () => {
    it('finds nothing in an account that owns no such mesh', async () => {
      const call = mesh.send(new DescribeMeshCommand({ meshName: 'm', meshOwner: '111111111111' }));

      await expect(call).rejects.toBeInstanceOf(NotFoundException);
      await expect(call).rejects.toThrow(/account 111111111111/);
    });

    it('accepts the caller account as mesh owner', async () => {
      const out = await mesh.send(new DescribeMeshCommand({ meshName: 'm', meshOwner: '000000000000' }));

      expect(out.mesh?.metadata?.meshOwner).toBe('000000000000');
    });
  });

  describe('throttling', () => {
    it('surfaces an injected throttle as TooManyRequestsException', async () => {
      edge.faults.set([
        { service: 'appmesh', operation: 'DescribeMesh', throttleRate: 1, errorRate: 0, latencyMs: 0 },
      ]);
      try {
        const error = await mesh.send(new DescribeMeshCommand({ meshName: 'm' })).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(TooManyRequestsException);
        expect(error).toMatchObject({ $metadata: { httpStatusCode: 429 } });
      } finally {
        edge.faults.set([]);
      }
    });
  });

  describe('tags', () => {
    it('tags, lists and untags a resource', async () => {
      const node = await mesh.send(new DescribeVirtualNodeCommand({ meshName: 'm', virtualNodeName: 'n0' }));
      const resourceArn = node.virtualNode?.metadata?.arn ?? '';

      await mesh.send(
        new TagResourceCommand({
          resourceArn,
          tags: [
            { key: 'team', value: 'web' },
            { key: 'tier', value: '1' },
          ],
        }),
      );
      await mesh.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'tier', value: '2' }] }));
      await mesh.send(new UntagResourceCommand({ resourceArn, tagKeys: ['team'] }));
      const listed = await mesh.send(new ListTagsForResourceCommand({ resourceArn }));
      const after = await mesh.send(new DescribeVirtualNodeCommand({ meshName: 'm', virtualNodeName: 'n0' }));

      expect(listed.tags).toEqual([{ key: 'tier', value: '2' }]);
      expect(after.virtualNode?.metadata?.version).toBe(node.virtualNode?.metadata?.version);
    });

    it('keeps the tags given at creation', async () => {
      const created = await mesh.send(
        new CreateMeshCommand({ meshName: 'tagged', tags: [{ key: 'env', value: 'dev' }] }),
      );

      const listed = await mesh.send(
        new ListTagsForResourceCommand({ resourceArn: created.mesh?.metadata?.arn }),
      );

      expect(listed.tags).toEqual([{ key: 'env', value: 'dev' }]);
    });

    it('refuses more than 50 tags with TooManyTagsException', async () => {
      const created = await mesh.send(new CreateMeshCommand({ meshName: 'many-tags' }));
      const resourceArn = created.mesh?.metadata?.arn ?? '';
      await mesh.send(
        new TagResourceCommand({
          resourceArn,
          tags: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' })),
        }),
      );

      const call = mesh.send(
        new TagResourceCommand({ resourceArn, tags: [{ key: 'one-more', value: 'v' }] }),
      );

      await expect(call).rejects.toBeInstanceOf(TooManyTagsException);
    });

    it('refuses to tag a resource that does not exist, and duplicate keys', async () => {
      const missing = mesh.send(
        new TagResourceCommand({
          resourceArn: 'arn:aws:appmesh:us-east-1:000000000000:mesh/ghost',
          tags: [],
        }),
      );
      const duplicate = mesh.send(
        new TagResourceCommand({
          resourceArn: 'arn:aws:appmesh:us-east-1:000000000000:mesh/m',
          tags: [
            { key: 'a', value: '1' },
            { key: 'a', value: '2' },
          ],
        }),
      );

      await expect(missing).rejects.toBeInstanceOf(NotFoundException);
      await expect(duplicate).rejects.toBeInstanceOf(BadRequestException);
    });
  });

  describe('hostile input', () => {
    it('answers a malformed JSON body with BadRequestException, then keeps serving', async () => {
      const res = await rawRequest(edge.endpoint, 'PUT', '/v20190125/meshes', '{"meshName": "x"');
      const after = await mesh.send(new DescribeMeshCommand({ meshName: 'm' }));

      expect(res).toMatchObject({
        status: 400,
        errorType: 'BadRequestException',
        json: { message: expect.stringContaining('not valid JSON') },
      });
      expect(after.mesh?.meshName).toBe('m');
    });

    it('answers a body that is not an object, or has members of the wrong type, with 400', async () => {
      const array = await rawRequest(edge.endpoint, 'PUT', '/v20190125/meshes', '[1,2]');
      const wrongType = await rawRequest(edge.endpoint, 'PUT', '/v20190125/meshes', '{"meshName": 42}');

      expect(array).toMatchObject({ status: 400, errorType: 'BadRequestException' });
      expect(wrongType).toMatchObject({
        status: 400,
        errorType: 'BadRequestException',
        json: { message: expect.stringContaining('meshName') },
      });
    });

    it('answers an unknown path or method with a clear 404', async () => {
      const unknownPath = await rawRequest(edge.endpoint, 'GET', '/v20190125/nothing-here');
      const wrongMethod = await rawRequest(edge.endpoint, 'POST', '/v20190125/meshes');

      expect(unknownPath).toMatchObject({
        status: 404,
        errorType: 'UnknownOperationException',
        json: { message: 'No App Mesh operation is GET /v20190125/nothing-here' },
      });
      expect(wrongMethod).toMatchObject({ status: 404, errorType: 'UnknownOperationException' });
    });

    it('answers a path with broken percent-encoding with 400', async () => {
      const res = await rawRequest(edge.endpoint, 'GET', '/v20190125/meshes/%E0%A4%A');

      expect(res).toMatchObject({ status: 400, errorType: 'BadRequestException' });
    });
  });
});

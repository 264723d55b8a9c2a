import {
  AppMeshClient,
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DeleteGatewayRouteCommand,
  DeleteMeshCommand,
  DeleteRouteCommand,
  DeleteVirtualGatewayCommand,
  DeleteVirtualNodeCommand,
  DeleteVirtualRouterCommand,
  DeleteVirtualServiceCommand,
  DescribeGatewayRouteCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualGatewayCommand,
  DescribeVirtualNodeCommand,
  DescribeVirtualRouterCommand,
  DescribeVirtualServiceCommand,
  ListGatewayRoutesCommand,
  ListMeshesCommand,
  ListRoutesCommand,
  ListVirtualGatewaysCommand,
  ListVirtualNodesCommand,
  ListVirtualRoutersCommand,
  ListVirtualServicesCommand,
  NotFoundException,
  UpdateGatewayRouteCommand,
  UpdateMeshCommand,
  UpdateRouteCommand,
  UpdateVirtualGatewayCommand,
  UpdateVirtualNodeCommand,
  UpdateVirtualRouterCommand,
  UpdateVirtualServiceCommand,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppMeshService } from '../../../infra/local/services/appmesh/appmesh-service';
import { startTestEdge, type TestEdge } from '../../support/local-edge';

/** Life cycle of each kind of App Mesh resource against the local endpoint, with the real SDK. */

const ACCOUNT = '000000000000';
const ARN_PREFIX = `arn:aws:appmesh:us-east-1:${ACCOUNT}:mesh`;

const nodeSpec = (port: number) => ({
  listeners: [{ portMapping: { port, protocol: 'http' as const } }],
  serviceDiscovery: { dns: { hostname: 'svc.local' } },
});
const routerSpec = (port: number) => ({ listeners: [{ portMapping: { port, protocol: 'http' as const } }] });
const routeSpec = (targets: { virtualNode: string; weight: number }[]) => ({
  httpRoute: { match: { prefix: '/' }, action: { weightedTargets: targets } },
});
const gatewaySpec = (port: number) => ({ listeners: [{ portMapping: { port, protocol: 'http' as const } }] });
const gatewayRouteSpec = (virtualServiceName: string) => ({
  httpRoute: { match: { prefix: '/' }, action: { target: { virtualService: { virtualServiceName } } } },
});

describe('local App Mesh: resource life cycles', () => {
  let edge: TestEdge;
  let mesh: AppMeshClient;
  let clock = Date.now();

  beforeAll(async () => {
    edge = await startTestEdge((context) => [new AppMeshService(context)], { now: () => new Date(clock) });
    mesh = new AppMeshClient({ ...edge.clientConfig, maxAttempts: 1 });
  });
  afterAll(() => edge.close());

  it('creates, describes, updates, lists and deletes a mesh', async () => {
    const created = await mesh.send(
      new CreateMeshCommand({
        meshName: 'life-mesh',
        spec: { egressFilter: { type: 'DROP_ALL' } },
        tags: [{ key: 'team', value: 'web' }],
      }),
    );
    clock += 5_000;
    const updated = await mesh.send(
      new UpdateMeshCommand({ meshName: 'life-mesh', spec: { egressFilter: { type: 'ALLOW_ALL' } } }),
    );
    const described = await mesh.send(new DescribeMeshCommand({ meshName: 'life-mesh' }));
    const listed = await mesh.send(new ListMeshesCommand({}));
    const deleted = await mesh.send(new DeleteMeshCommand({ meshName: 'life-mesh' }));
    const afterDelete = mesh.send(new DescribeMeshCommand({ meshName: 'life-mesh' }));

    expect(created.mesh).toMatchObject({
      meshName: 'life-mesh',
      spec: { egressFilter: { type: 'DROP_ALL' } },
      status: { status: 'ACTIVE' },
      metadata: { arn: `${ARN_PREFIX}/life-mesh`, version: 1, meshOwner: ACCOUNT, resourceOwner: ACCOUNT },
    });
    expect(created.mesh?.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.mesh?.metadata?.createdAt).toBeInstanceOf(Date);
    expect(updated.mesh?.metadata?.version).toBe(2);
    expect(updated.mesh?.metadata?.uid).toBe(created.mesh?.metadata?.uid);
    expect(updated.mesh?.metadata?.createdAt).toEqual(created.mesh?.metadata?.createdAt);
    expect(updated.mesh?.metadata?.lastUpdatedAt?.getTime()).toBe(
      (created.mesh?.metadata?.lastUpdatedAt?.getTime() ?? 0) + 5_000,
    );
    expect(described.mesh).toEqual(updated.mesh);
    expect(listed.meshes).toContainEqual({
      meshName: 'life-mesh',
      meshOwner: ACCOUNT,
      resourceOwner: ACCOUNT,
      arn: `${ARN_PREFIX}/life-mesh`,
      version: 2,
      createdAt: created.mesh?.metadata?.createdAt,
      lastUpdatedAt: updated.mesh?.metadata?.lastUpdatedAt,
    });
    expect(deleted.mesh?.status?.status).toBe('DELETED');
    expect(deleted.mesh?.spec).toEqual({ egressFilter: { type: 'ALLOW_ALL' } });
    await expect(afterDelete).rejects.toBeInstanceOf(NotFoundException);
  });

  it('gives a mesh created without a spec an empty spec', async () => {
    const created = await mesh.send(new CreateMeshCommand({ meshName: 'bare-mesh' }));

    expect(created.mesh?.spec).toEqual({});
  });

  it('walks a virtual node through its life cycle, one version per update', async () => {
    await mesh.send(new CreateMeshCommand({ meshName: 'node-mesh' }));

    const created = await mesh.send(
      new CreateVirtualNodeCommand({ meshName: 'node-mesh', virtualNodeName: 'blue', spec: nodeSpec(8080) }),
    );
    const v2 = await mesh.send(
      new UpdateVirtualNodeCommand({ meshName: 'node-mesh', virtualNodeName: 'blue', spec: nodeSpec(8081) }),
    );
    const v3 = await mesh.send(
      new UpdateVirtualNodeCommand({ meshName: 'node-mesh', virtualNodeName: 'blue', spec: nodeSpec(8082) }),
    );
    const described = await mesh.send(
      new DescribeVirtualNodeCommand({ meshName: 'node-mesh', virtualNodeName: 'blue' }),
    );
    const listed = await mesh.send(new ListVirtualNodesCommand({ meshName: 'node-mesh' }));
    const deleted = await mesh.send(
      new DeleteVirtualNodeCommand({ meshName: 'node-mesh', virtualNodeName: 'blue' }),
    );
    const listedAfter = await mesh.send(new ListVirtualNodesCommand({ meshName: 'node-mesh' }));

    expect(created.virtualNode).toMatchObject({
      meshName: 'node-mesh',
      virtualNodeName: 'blue',
      spec: nodeSpec(8080),
      status: { status: 'ACTIVE' },
      metadata: { arn: `${ARN_PREFIX}/node-mesh/virtualNode/blue`, version: 1 },
    });
    expect([v2.virtualNode?.metadata?.version, v3.virtualNode?.metadata?.version]).toEqual([2, 3]);
    expect(described.virtualNode?.spec).toEqual(nodeSpec(8082));
    expect(listed.virtualNodes).toEqual([
      expect.objectContaining({
        meshName: 'node-mesh',
        virtualNodeName: 'blue',
        arn: `${ARN_PREFIX}/node-mesh/virtualNode/blue`,
        version: 3,
        meshOwner: ACCOUNT,
        resourceOwner: ACCOUNT,
      }),
    ]);
    expect(deleted.virtualNode?.status?.status).toBe('DELETED');
    expect(listedAfter.virtualNodes).toEqual([]);
  });

  it('walks a virtual router and its routes through their life cycles', async () => {
    await mesh.send(new CreateMeshCommand({ meshName: 'route-mesh' }));
    for (const name of ['blue', 'green']) {
      await mesh.send(
        new CreateVirtualNodeCommand({ meshName: 'route-mesh', virtualNodeName: name, spec: nodeSpec(8080) }),
      );
    }

    const router = await mesh.send(
      new CreateVirtualRouterCommand({
        meshName: 'route-mesh',
        virtualRouterName: 'web',
        spec: routerSpec(8080),
      }),
    );
    const routerV2 = await mesh.send(
      new UpdateVirtualRouterCommand({
        meshName: 'route-mesh',
        virtualRouterName: 'web',
        spec: routerSpec(9090),
      }),
    );
    const route = await mesh.send(
      new CreateRouteCommand({
        meshName: 'route-mesh',
        virtualRouterName: 'web',
        routeName: 'main',
        spec: routeSpec([{ virtualNode: 'blue', weight: 100 }]),
      }),
    );
    const shifted = await mesh.send(
      new UpdateRouteCommand({
        meshName: 'route-mesh',
        virtualRouterName: 'web',
        routeName: 'main',
        spec: routeSpec([
          { virtualNode: 'blue', weight: 90 },
          { virtualNode: 'green', weight: 10 },
        ]),
      }),
    );
    const described = await mesh.send(
      new DescribeRouteCommand({ meshName: 'route-mesh', virtualRouterName: 'web', routeName: 'main' }),
    );
    const routes = await mesh.send(
      new ListRoutesCommand({ meshName: 'route-mesh', virtualRouterName: 'web' }),
    );
    const routers = await mesh.send(new ListVirtualRoutersCommand({ meshName: 'route-mesh' }));
    const deletedRoute = await mesh.send(
      new DeleteRouteCommand({ meshName: 'route-mesh', virtualRouterName: 'web', routeName: 'main' }),
    );
    const deletedRouter = await mesh.send(
      new DeleteVirtualRouterCommand({ meshName: 'route-mesh', virtualRouterName: 'web' }),
    );
    const describedRouter = mesh.send(
      new DescribeVirtualRouterCommand({ meshName: 'route-mesh', virtualRouterName: 'web' }),
    );

    expect(router.virtualRouter?.metadata?.arn).toBe(`${ARN_PREFIX}/route-mesh/virtualRouter/web`);
    expect(routerV2.virtualRouter).toMatchObject({ spec: routerSpec(9090), metadata: { version: 2 } });
    expect(route.route).toMatchObject({
      meshName: 'route-mesh',
      virtualRouterName: 'web',
      routeName: 'main',
      metadata: { arn: `${ARN_PREFIX}/route-mesh/virtualRouter/web/route/main`, version: 1 },
      status: { status: 'ACTIVE' },
    });
    expect(shifted.route?.metadata?.version).toBe(2);
    expect(described.route?.spec?.httpRoute?.action?.weightedTargets).toEqual([
      { virtualNode: 'blue', weight: 90 },
      { virtualNode: 'green', weight: 10 },
    ]);
    expect(routes.routes).toEqual([
      expect.objectContaining({
        meshName: 'route-mesh',
        virtualRouterName: 'web',
        routeName: 'main',
        version: 2,
      }),
    ]);
    expect(routers.virtualRouters).toEqual([
      expect.objectContaining({ virtualRouterName: 'web', version: 2 }),
    ]);
    expect(deletedRoute.route?.status?.status).toBe('DELETED');
    expect(deletedRouter.virtualRouter?.status?.status).toBe('DELETED');
    await expect(describedRouter).rejects.toBeInstanceOf(NotFoundException);
  });

  it('walks a virtual service through its life cycle, switching its provider', async () => {
    await mesh.send(new CreateMeshCommand({ meshName: 'svc-mesh' }));
    await mesh.send(
      new CreateVirtualNodeCommand({ meshName: 'svc-mesh', virtualNodeName: 'blue', spec: nodeSpec(8080) }),
    );
    await mesh.send(
      new CreateVirtualRouterCommand({
        meshName: 'svc-mesh',
        virtualRouterName: 'web',
        spec: routerSpec(8080),
      }),
    );

    const created = await mesh.send(
      new CreateVirtualServiceCommand({
        meshName: 'svc-mesh',
        virtualServiceName: 'web.svc.local',
        spec: { provider: { virtualNode: { virtualNodeName: 'blue' } } },
      }),
    );
    const updated = await mesh.send(
      new UpdateVirtualServiceCommand({
        meshName: 'svc-mesh',
        virtualServiceName: 'web.svc.local',
        spec: { provider: { virtualRouter: { virtualRouterName: 'web' } } },
      }),
    );
    const described = await mesh.send(
      new DescribeVirtualServiceCommand({ meshName: 'svc-mesh', virtualServiceName: 'web.svc.local' }),
    );
    const listed = await mesh.send(new ListVirtualServicesCommand({ meshName: 'svc-mesh' }));
    const deleted = await mesh.send(
      new DeleteVirtualServiceCommand({ meshName: 'svc-mesh', virtualServiceName: 'web.svc.local' }),
    );

    expect(created.virtualService).toMatchObject({
      virtualServiceName: 'web.svc.local',
      metadata: { arn: `${ARN_PREFIX}/svc-mesh/virtualService/web.svc.local`, version: 1 },
    });
    expect(updated.virtualService?.metadata?.version).toBe(2);
    expect(described.virtualService?.spec).toEqual({
      provider: { virtualRouter: { virtualRouterName: 'web' } },
    });
    expect(listed.virtualServices?.map((s) => s.virtualServiceName)).toEqual(['web.svc.local']);
    expect(deleted.virtualService?.status?.status).toBe('DELETED');
  });

  it('walks a virtual gateway and its gateway routes through their life cycles', async () => {
    await mesh.send(new CreateMeshCommand({ meshName: 'gw-mesh' }));
    await mesh.send(
      new CreateVirtualServiceCommand({ meshName: 'gw-mesh', virtualServiceName: 'a.local', spec: {} }),
    );

    const gateway = await mesh.send(
      new CreateVirtualGatewayCommand({
        meshName: 'gw-mesh',
        virtualGatewayName: 'ingress',
        spec: gatewaySpec(8080),
      }),
    );
    const gatewayV2 = await mesh.send(
      new UpdateVirtualGatewayCommand({
        meshName: 'gw-mesh',
        virtualGatewayName: 'ingress',
        spec: gatewaySpec(443),
      }),
    );
    const gwRoute = await mesh.send(
      new CreateGatewayRouteCommand({
        meshName: 'gw-mesh',
        virtualGatewayName: 'ingress',
        gatewayRouteName: 'to-a',
        spec: gatewayRouteSpec('a.local'),
      }),
    );
    const gwRouteV2 = await mesh.send(
      new UpdateGatewayRouteCommand({
        meshName: 'gw-mesh',
        virtualGatewayName: 'ingress',
        gatewayRouteName: 'to-a',
        spec: { ...gatewayRouteSpec('a.local'), priority: 10 },
      }),
    );
    const described = await mesh.send(
      new DescribeGatewayRouteCommand({
        meshName: 'gw-mesh',
        virtualGatewayName: 'ingress',
        gatewayRouteName: 'to-a',
      }),
    );
    const gwRoutes = await mesh.send(
      new ListGatewayRoutesCommand({ meshName: 'gw-mesh', virtualGatewayName: 'ingress' }),
    );
    const gateways = await mesh.send(new ListVirtualGatewaysCommand({ meshName: 'gw-mesh' }));
    const deletedRoute = await mesh.send(
      new DeleteGatewayRouteCommand({
        meshName: 'gw-mesh',
        virtualGatewayName: 'ingress',
        gatewayRouteName: 'to-a',
      }),
    );
    const deletedGateway = await mesh.send(
      new DeleteVirtualGatewayCommand({ meshName: 'gw-mesh', virtualGatewayName: 'ingress' }),
    );
    const describedGateway = mesh.send(
      new DescribeVirtualGatewayCommand({ meshName: 'gw-mesh', virtualGatewayName: 'ingress' }),
    );

    expect(gateway.virtualGateway?.metadata?.arn).toBe(`${ARN_PREFIX}/gw-mesh/virtualGateway/ingress`);
    expect(gatewayV2.virtualGateway).toMatchObject({ spec: gatewaySpec(443), metadata: { version: 2 } });
    expect(gwRoute.gatewayRoute).toMatchObject({
      meshName: 'gw-mesh',
      virtualGatewayName: 'ingress',
      gatewayRouteName: 'to-a',
      metadata: { arn: `${ARN_PREFIX}/gw-mesh/virtualGateway/ingress/gatewayRoute/to-a`, version: 1 },
    });
    expect(gwRouteV2.gatewayRoute?.metadata?.version).toBe(2);
    expect(described.gatewayRoute?.spec?.priority).toBe(10);
    expect(gwRoutes.gatewayRoutes).toEqual([
      expect.objectContaining({
        meshName: 'gw-mesh',
        virtualGatewayName: 'ingress',
        gatewayRouteName: 'to-a',
        version: 2,
      }),
    ]);
    expect(gateways.virtualGateways).toEqual([
      expect.objectContaining({ virtualGatewayName: 'ingress', version: 2 }),
    ]);
    expect(deletedRoute.gatewayRoute?.status?.status).toBe('DELETED');
    expect(deletedGateway.virtualGateway?.status?.status).toBe('DELETED');
    await expect(describedGateway).rejects.toBeInstanceOf(NotFoundException);
  });

  it('keeps a name that needs percent-encoding intact through the path', async () => {
    await mesh.send(new CreateMeshCommand({ meshName: 'enc-mesh' }));

    await mesh.send(
      new CreateVirtualNodeCommand({ meshName: 'enc-mesh', virtualNodeName: 'a b/c%d', spec: {} }),
    );
    const described = await mesh.send(
      new DescribeVirtualNodeCommand({ meshName: 'enc-mesh', virtualNodeName: 'a b/c%d' }),
    );

    expect(described.virtualNode?.virtualNodeName).toBe('a b/c%d');
  });
});

/**
 * One table entry per resource kind: which App Mesh command does what, and where its name and
 * data live. Everything else (paging, mapping, errors, concurrency) is written once in
 * provider.ts.
 */
import {
  type AppMeshClient,
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
  ListRoutesCommand,
  ListVirtualGatewaysCommand,
  ListVirtualNodesCommand,
  ListVirtualRoutersCommand,
  ListVirtualServicesCommand,
  type ResourceMetadata,
  type TagRef,
  UpdateGatewayRouteCommand,
  UpdateMeshCommand,
  UpdateRouteCommand,
  UpdateVirtualGatewayCommand,
  UpdateVirtualNodeCommand,
  UpdateVirtualRouterCommand,
  UpdateVirtualServiceCommand,
} from '@aws-sdk/client-app-mesh';
import type { ResourceKind, ResourceRef } from '../../domain/resource-key';
import { BadRequestError } from '../../errors';
import type { SdkSpecByKind } from './mapping';

/** The parts every App Mesh `*Data` shape shares. */
export interface SdkResourceData<S> {
  readonly spec: S | undefined;
  readonly metadata: ResourceMetadata | undefined;
  readonly status: { readonly status?: string | undefined } | undefined;
}

/** One page of names from a List* call. */
export interface NamePage {
  readonly names: string[];
  readonly nextToken?: string | undefined;
}

/** Paging input of a List* call. */
export interface PageRequest {
  readonly limit: number;
  readonly nextToken?: string | undefined;
}

/** Where a List* call looks: a mesh, and for routes and gateway routes their parent. */
export interface ListScope {
  readonly meshName: string;
  readonly parentName?: string;
}

/** Describe/create/update/delete of one kind. `undefined` data means App Mesh answered without it. */
export interface KindOperations<K extends ResourceKind> {
  describe(
    client: AppMeshClient,
    ref: ResourceRef<K>,
  ): Promise<SdkResourceData<SdkSpecByKind[K]> | undefined>;
  create(
    client: AppMeshClient,
    ref: ResourceRef<K>,
    spec: SdkSpecByKind[K],
    tags: TagRef[] | undefined,
    clientToken: string,
  ): Promise<SdkResourceData<SdkSpecByKind[K]> | undefined>;
  update(
    client: AppMeshClient,
    ref: ResourceRef<K>,
    spec: SdkSpecByKind[K],
    clientToken: string,
  ): Promise<SdkResourceData<SdkSpecByKind[K]> | undefined>;
  delete(client: AppMeshClient, ref: ResourceRef<K>): Promise<void>;
  /** List names within a mesh (and, for routes and gateway routes, within a parent). Absent for meshes. */
  list?(client: AppMeshClient, scope: ListScope, page: PageRequest): Promise<NamePage>;
}

/** The table: one entry per kind. */
export type KindTable = { readonly [K in ResourceKind]: KindOperations<K> };

function parentOf(ref: ResourceRef | (ListScope & { kind: ResourceKind })): string {
  if (ref.parentName === undefined || ref.parentName === '') {
    throw new BadRequestError(`A ${ref.kind} needs parentName: ${JSON.stringify(ref)}`);
  }
  return ref.parentName;
}

function namesOf<R>(refs: readonly R[] | undefined, pick: (ref: R) => string | undefined): string[] {
  return (refs ?? []).map(pick).filter((name): name is string => name !== undefined);
}

/** What each App Mesh command needs, per kind. */
export const KINDS: KindTable = {
  mesh: {
    describe: async (client, ref) =>
      (await client.send(new DescribeMeshCommand({ meshName: ref.meshName }))).mesh,
    create: async (client, ref, spec, tags, clientToken) =>
      (await client.send(new CreateMeshCommand({ meshName: ref.meshName, spec, tags, clientToken }))).mesh,
    update: async (client, ref, spec, clientToken) =>
      (await client.send(new UpdateMeshCommand({ meshName: ref.meshName, spec, clientToken }))).mesh,
    delete: async (client, ref) => {
      await client.send(new DeleteMeshCommand({ meshName: ref.meshName }));
    },
  },
  'virtual-node': {
    list: async (client, { meshName }, page) => {
      const out = await client.send(new ListVirtualNodesCommand({ meshName, ...page }));
      return { names: namesOf(out.virtualNodes, (r) => r.virtualNodeName), nextToken: out.nextToken };
    },
    describe: async (client, ref) =>
      (
        await client.send(
          new DescribeVirtualNodeCommand({ meshName: ref.meshName, virtualNodeName: ref.name }),
        )
      ).virtualNode,
    create: async (client, ref, spec, tags, clientToken) =>
      (
        await client.send(
          new CreateVirtualNodeCommand({
            meshName: ref.meshName,
            virtualNodeName: ref.name,
            spec,
            tags,
            clientToken,
          }),
        )
      ).virtualNode,
    update: async (client, ref, spec, clientToken) =>
      (
        await client.send(
          new UpdateVirtualNodeCommand({
            meshName: ref.meshName,
            virtualNodeName: ref.name,
            spec,
            clientToken,
          }),
        )
      ).virtualNode,
    delete: async (client, ref) => {
      await client.send(new DeleteVirtualNodeCommand({ meshName: ref.meshName, virtualNodeName: ref.name }));
    },
  },
  'virtual-service': {
    list: async (client, { meshName }, page) => {
      const out = await client.send(new ListVirtualServicesCommand({ meshName, ...page }));
      return { names: namesOf(out.virtualServices, (r) => r.virtualServiceName), nextToken: out.nextToken };
    },
    describe: async (client, ref) =>
      (
        await client.send(
          new DescribeVirtualServiceCommand({ meshName: ref.meshName, virtualServiceName: ref.name }),
        )
      ).virtualService,
    create: async (client, ref, spec, tags, clientToken) =>
      (
        await client.send(
          new CreateVirtualServiceCommand({
            meshName: ref.meshName,
            virtualServiceName: ref.name,
            spec,
            tags,
            clientToken,
          }),
        )
      ).virtualService,
    update: async (client, ref, spec, clientToken) =>
      (
        await client.send(
          new UpdateVirtualServiceCommand({
            meshName: ref.meshName,
            virtualServiceName: ref.name,
            spec,
            clientToken,
          }),
        )
      ).virtualService,
    delete: async (client, ref) => {
      await client.send(
        new DeleteVirtualServiceCommand({ meshName: ref.meshName, virtualServiceName: ref.name }),
      );
    },
  },
  'virtual-router': {
    list: async (client, { meshName }, page) => {
      const out = await client.send(new ListVirtualRoutersCommand({ meshName, ...page }));
      return { names: namesOf(out.virtualRouters, (r) => r.virtualRouterName), nextToken: out.nextToken };
    },
    describe: async (client, ref) =>
      (
        await client.send(
          new DescribeVirtualRouterCommand({ meshName: ref.meshName, virtualRouterName: ref.name }),
        )
      ).virtualRouter,
    create: async (client, ref, spec, tags, clientToken) =>
      (
        await client.send(
          new CreateVirtualRouterCommand({
            meshName: ref.meshName,
            virtualRouterName: ref.name,
            spec,
            tags,
            clientToken,
          }),
        )
      ).virtualRouter,
    update: async (client, ref, spec, clientToken) =>
      (
        await client.send(
          new UpdateVirtualRouterCommand({
            meshName: ref.meshName,
            virtualRouterName: ref.name,
            spec,
            clientToken,
          }),
        )
      ).virtualRouter,
    delete: async (client, ref) => {
      await client.send(
        new DeleteVirtualRouterCommand({ meshName: ref.meshName, virtualRouterName: ref.name }),
      );
    },
  },
  route: {
    list: async (client, scope, page) => {
      const virtualRouterName = parentOf({ ...scope, kind: 'route' });
      const out = await client.send(
        new ListRoutesCommand({ meshName: scope.meshName, virtualRouterName, ...page }),
      );
      return { names: namesOf(out.routes, (r) => r.routeName), nextToken: out.nextToken };
    },
    describe: async (client, ref) =>
      (
        await client.send(
          new DescribeRouteCommand({
            meshName: ref.meshName,
            virtualRouterName: parentOf(ref),
            routeName: ref.name,
          }),
        )
      ).route,
    create: async (client, ref, spec, tags, clientToken) =>
      (
        await client.send(
          new CreateRouteCommand({
            meshName: ref.meshName,
            virtualRouterName: parentOf(ref),
            routeName: ref.name,
            spec,
            tags,
            clientToken,
          }),
        )
      ).route,
    update: async (client, ref, spec, clientToken) =>
      (
        await client.send(
          new UpdateRouteCommand({
            meshName: ref.meshName,
            virtualRouterName: parentOf(ref),
            routeName: ref.name,
            spec,
            clientToken,
          }),
        )
      ).route,
    delete: async (client, ref) => {
      await client.send(
        new DeleteRouteCommand({
          meshName: ref.meshName,
          virtualRouterName: parentOf(ref),
          routeName: ref.name,
        }),
      );
    },
  },
  'virtual-gateway': {
    list: async (client, { meshName }, page) => {
      const out = await client.send(new ListVirtualGatewaysCommand({ meshName, ...page }));
      return { names: namesOf(out.virtualGateways, (r) => r.virtualGatewayName), nextToken: out.nextToken };
    },
    describe: async (client, ref) =>
      (
        await client.send(
          new DescribeVirtualGatewayCommand({ meshName: ref.meshName, virtualGatewayName: ref.name }),
        )
      ).virtualGateway,
    create: async (client, ref, spec, tags, clientToken) =>
      (
        await client.send(
          new CreateVirtualGatewayCommand({
            meshName: ref.meshName,
            virtualGatewayName: ref.name,
            spec,
            tags,
            clientToken,
          }),
        )
      ).virtualGateway,
    update: async (client, ref, spec, clientToken) =>
      (
        await client.send(
          new UpdateVirtualGatewayCommand({
            meshName: ref.meshName,
            virtualGatewayName: ref.name,
            spec,
            clientToken,
          }),
        )
      ).virtualGateway,
    delete: async (client, ref) => {
      await client.send(
        new DeleteVirtualGatewayCommand({ meshName: ref.meshName, virtualGatewayName: ref.name }),
      );
    },
  },
  'gateway-route': {
    list: async (client, scope, page) => {
      const virtualGatewayName = parentOf({ ...scope, kind: 'gateway-route' });
      const out = await client.send(
        new ListGatewayRoutesCommand({ meshName: scope.meshName, virtualGatewayName, ...page }),
      );
      return { names: namesOf(out.gatewayRoutes, (r) => r.gatewayRouteName), nextToken: out.nextToken };
    },
    describe: async (client, ref) =>
      (
        await client.send(
          new DescribeGatewayRouteCommand({
            meshName: ref.meshName,
            virtualGatewayName: parentOf(ref),
            gatewayRouteName: ref.name,
          }),
        )
      ).gatewayRoute,
    create: async (client, ref, spec, tags, clientToken) =>
      (
        await client.send(
          new CreateGatewayRouteCommand({
            meshName: ref.meshName,
            virtualGatewayName: parentOf(ref),
            gatewayRouteName: ref.name,
            spec,
            tags,
            clientToken,
          }),
        )
      ).gatewayRoute,
    update: async (client, ref, spec, clientToken) =>
      (
        await client.send(
          new UpdateGatewayRouteCommand({
            meshName: ref.meshName,
            virtualGatewayName: parentOf(ref),
            gatewayRouteName: ref.name,
            spec,
            clientToken,
          }),
        )
      ).gatewayRoute,
    delete: async (client, ref) => {
      await client.send(
        new DeleteGatewayRouteCommand({
          meshName: ref.meshName,
          virtualGatewayName: parentOf(ref),
          gatewayRouteName: ref.name,
        }),
      );
    },
  },
};

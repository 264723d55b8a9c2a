/**
 * A small in-memory App Mesh behind aws-sdk-client-mock: serves List* (paged by the caller's
 * `limit`, with opaque tokens it checks), Describe* and ListTagsForResource from model
 * resources, and lets a test observe or delay every call.
 */
import {
  AppMeshClient,
  BadRequestException,
  DescribeGatewayRouteCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualGatewayCommand,
  DescribeVirtualNodeCommand,
  DescribeVirtualRouterCommand,
  DescribeVirtualServiceCommand,
  ListGatewayRoutesCommand,
  ListRoutesCommand,
  ListTagsForResourceCommand,
  ListVirtualGatewaysCommand,
  ListVirtualNodesCommand,
  ListVirtualRoutersCommand,
  ListVirtualServicesCommand,
  NotFoundException,
} from '@aws-sdk/client-app-mesh';
import { mockClient } from 'aws-sdk-client-mock';
import type { ResourceKind } from '../../../../shared/domain/resource-key';
import { metadataToSdk, specToSdk, tagsToSdk } from '../../../../shared/providers/appmesh/mapping';
import type { MeshResource } from '../../../../shared/providers/appmesh/model';

/** SDK member names of each kind. */
export const SDK_FIELDS: Readonly<
  Record<ResourceKind, { data: string; name: string; parent?: string; list?: string }>
> = {
  mesh: { data: 'mesh', name: 'meshName' },
  'virtual-node': { data: 'virtualNode', name: 'virtualNodeName', list: 'virtualNodes' },
  'virtual-service': { data: 'virtualService', name: 'virtualServiceName', list: 'virtualServices' },
  'virtual-router': { data: 'virtualRouter', name: 'virtualRouterName', list: 'virtualRouters' },
  route: { data: 'route', name: 'routeName', parent: 'virtualRouterName', list: 'routes' },
  'virtual-gateway': { data: 'virtualGateway', name: 'virtualGatewayName', list: 'virtualGateways' },
  'gateway-route': {
    data: 'gatewayRoute',
    name: 'gatewayRouteName',
    parent: 'virtualGatewayName',
    list: 'gatewayRoutes',
  },
};

/** The SDK `*Data` object App Mesh would return for a model resource. */
export function sdkDataOf(resource: MeshResource): Record<string, unknown> {
  const fields = SDK_FIELDS[resource.kind];
  if (resource.metadata === undefined) throw new Error('sample resource without metadata');
  return {
    meshName: resource.meshName,
    [fields.name]: resource.name,
    ...(fields.parent === undefined ? {} : { [fields.parent]: resource.parentName }),
    spec: specToSdk(resource.kind, resource.spec),
    metadata: metadataToSdk(resource.metadata),
    status: { status: resource.metadata.status },
  };
}

const newStub = () => mockClient(AppMeshClient);

/** The aws-sdk-client-mock stub of AppMeshClient. */
export type AppMeshStub = ReturnType<typeof newStub>;

/** One call the fake answered. */
export interface FakeCall {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/** Options of {@link installFakeAppMesh}. */
export interface FakeOptions {
  /** Runs before each answer (delay, count in-flight calls, fail). */
  readonly beforeAnswer?: (call: FakeCall) => Promise<void> | void;
}

const notFound = (what: string) => new NotFoundException({ message: `${what} not found`, $metadata: {} });

function paginate<T>(
  items: readonly T[],
  input: Record<string, unknown>,
  issued: Set<string>,
): { page: T[]; nextToken?: string } {
  const limit = typeof input.limit === 'number' ? input.limit : 100;
  let offset = 0;
  if (typeof input.nextToken === 'string') {
    if (!issued.has(input.nextToken)) {
      throw new BadRequestException({ message: `unknown nextToken ${input.nextToken}`, $metadata: {} });
    }
    offset = Number(input.nextToken.split(':').pop());
  }
  const page = items.slice(offset, offset + limit);
  if (offset + limit >= items.length) return { page };
  const nextToken = `${issued.size}:${offset + limit}`;
  issued.add(nextToken);
  return { page, nextToken };
}

/** Mock every AppMeshClient so that it serves `resources`; returns the stub and the call log. */
export function installFakeAppMesh(
  resources: readonly MeshResource[],
  options: FakeOptions = {},
): { stub: AppMeshStub; calls: FakeCall[] } {
  const stub = newStub();
  const calls: FakeCall[] = [];
  const issued = new Set<string>();

  const answer =
    (command: string, respond: (input: Record<string, unknown>) => object) =>
    async (input: Record<string, unknown>): Promise<object> => {
      const call = { command, input };
      calls.push(call);
      await options.beforeAnswer?.(call);
      return respond(input);
    };

  const matches = (
    r: MeshResource,
    kind: ResourceKind,
    input: Record<string, unknown>,
    withName: boolean,
  ) => {
    const fields = SDK_FIELDS[kind];
    return (
      r.kind === kind &&
      r.meshName === input.meshName &&
      (fields.parent === undefined || r.parentName === input[fields.parent]) &&
      (!withName || r.name === input[fields.name])
    );
  };

  const describe = (kind: ResourceKind) => (input: Record<string, unknown>) => {
    const found = resources.find((r) => matches(r, kind, input, true));
    if (found === undefined) throw notFound(`${kind} ${String(input[SDK_FIELDS[kind].name])}`);
    return { [SDK_FIELDS[kind].data]: sdkDataOf(found) };
  };

  const list = (kind: ResourceKind) => (input: Record<string, unknown>) => {
    const fields = SDK_FIELDS[kind];
    if (!resources.some((r) => r.kind === 'mesh' && r.meshName === input.meshName)) {
      throw notFound(`mesh ${String(input.meshName)}`);
    }
    if (fields.parent !== undefined) {
      const parentKind = kind === 'route' ? 'virtual-router' : 'virtual-gateway';
      const parentExists = resources.some(
        (r) =>
          r.kind === parentKind && r.meshName === input.meshName && r.name === input[fields.parent as string],
      );
      if (!parentExists) throw notFound(`${parentKind} ${String(input[fields.parent])}`);
    }
    const { page, nextToken } = paginate(
      resources.filter((r) => matches(r, kind, input, false)),
      input,
      issued,
    );
    const refs = page.map((r) => {
      const data = sdkDataOf(r);
      return {
        ...data,
        ...(data.metadata as object),
        spec: undefined,
        metadata: undefined,
        status: undefined,
      };
    });
    return { [fields.list as string]: refs, ...(nextToken === undefined ? {} : { nextToken }) };
  };

  const tags = (input: Record<string, unknown>) => {
    const found = resources.find((r) => r.metadata?.arn === input.resourceArn);
    if (found === undefined) throw notFound(`resource ${String(input.resourceArn)}`);
    const { page, nextToken } = paginate(tagsToSdk(found.tags ?? {}), input, issued);
    return { tags: page, ...(nextToken === undefined ? {} : { nextToken }) };
  };

  stub.on(DescribeMeshCommand).callsFake(answer('DescribeMesh', describe('mesh')));
  stub.on(DescribeVirtualNodeCommand).callsFake(answer('DescribeVirtualNode', describe('virtual-node')));
  stub
    .on(DescribeVirtualServiceCommand)
    .callsFake(answer('DescribeVirtualService', describe('virtual-service')));
  stub
    .on(DescribeVirtualRouterCommand)
    .callsFake(answer('DescribeVirtualRouter', describe('virtual-router')));
  stub.on(DescribeRouteCommand).callsFake(answer('DescribeRoute', describe('route')));
  stub
    .on(DescribeVirtualGatewayCommand)
    .callsFake(answer('DescribeVirtualGateway', describe('virtual-gateway')));
  stub.on(DescribeGatewayRouteCommand).callsFake(answer('DescribeGatewayRoute', describe('gateway-route')));
  stub.on(ListVirtualNodesCommand).callsFake(answer('ListVirtualNodes', list('virtual-node')));
  stub.on(ListVirtualServicesCommand).callsFake(answer('ListVirtualServices', list('virtual-service')));
  stub.on(ListVirtualRoutersCommand).callsFake(answer('ListVirtualRouters', list('virtual-router')));
  stub.on(ListRoutesCommand).callsFake(answer('ListRoutes', list('route')));
  stub.on(ListVirtualGatewaysCommand).callsFake(answer('ListVirtualGateways', list('virtual-gateway')));
  stub.on(ListGatewayRoutesCommand).callsFake(answer('ListGatewayRoutes', list('gateway-route')));
  stub.on(ListTagsForResourceCommand).callsFake(answer('ListTagsForResource', tags));
  return { stub, calls };
}

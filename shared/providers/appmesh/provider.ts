import {
  type AppMeshClient,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-app-mesh';
import { mapBounded } from '../../bounded-map';
import { formatResourceKey, type ResourceKind, type ResourceRef, refOf } from '../../domain/resource-key';
import { type MeshSnapshot, sortByKey } from '../../domain/snapshot';
import { BadRequestError, MeshwardenError, NotFoundError } from '../../errors';
import type { MeshProvider, MeshWriteOptions } from '../../ports';
import { toDomainError } from './errors';
import { KINDS, type ListScope, type SdkResourceData } from './kinds';
import {
  metadataFromSdk,
  type SdkSpecByKind,
  specFromSdk,
  specToSdk,
  tagsFromSdk,
  tagsToSdk,
} from './mapping';
import type { MeshResourceOf, Tags } from './model';

/** Tuning of the App Mesh provider. */
export interface AppMeshProviderOptions {
  /** Most App Mesh calls in flight while reading a mesh. Default {@link DEFAULT_CONCURRENCY}. */
  readonly concurrency?: number;
  /** Page size of List* calls, 1..100 (App Mesh's maximum). Default 100. */
  readonly pageSize?: number;
  /** Clock for a snapshot's `takenAt`. */
  readonly now?: () => Date;
}

/** Default bound on concurrent calls: enough to read a mesh quickly, few enough not to be throttled. */
export const DEFAULT_CONCURRENCY = 8;
const MAX_PAGE_SIZE = 100;
// ListTagsForResource accepts at most 50 per page.
const TAG_PAGE_SIZE = 50;
const CLIENT_TOKEN = /^[A-Za-z0-9_-]{1,36}$/;

type ListedKind = Exclude<ResourceKind, 'mesh'>;
type RefBuckets = { [K in ListedKind]: ResourceRef<K>[] };
type ResourceBuckets = { [K in ListedKind]: MeshResourceOf<K>[] };

const OPERATION_NOUN: Readonly<Record<ResourceKind, string>> = {
  mesh: 'Mesh',
  'virtual-node': 'VirtualNode',
  'virtual-service': 'VirtualService',
  'virtual-router': 'VirtualRouter',
  route: 'Route',
  'virtual-gateway': 'VirtualGateway',
  'gateway-route': 'GatewayRoute',
};

function checkOptions(options: AppMeshProviderOptions): { concurrency: number; pageSize: number } {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new BadRequestError(
      `App Mesh provider: concurrency must be a positive integer, got ${concurrency}`,
    );
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new BadRequestError(`App Mesh provider: pageSize must be an integer in 1..100, got ${pageSize}`);
  }
  return { concurrency, pageSize };
}

/**
 * The MeshProvider on AWS App Mesh. The client is injected (create it once at module scope
 * with {@link createAppMeshClient}) so tests can substitute it.
 */
export function createAppMeshProvider(
  client: AppMeshClient,
  options: AppMeshProviderOptions = {},
): MeshProvider {
  const { concurrency, pageSize } = checkOptions(options);
  const now = options.now ?? (() => new Date());

  async function call<T>(attempted: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toDomainError(error, attempted);
    }
  }

  function toResource<K extends ResourceKind>(
    ref: ResourceRef<K>,
    data: SdkResourceData<SdkSpecByKind[K]> | undefined,
    tags: Tags | undefined,
  ): MeshResourceOf<K> {
    const where = formatResourceKey(ref);
    if (data === undefined)
      throw new MeshwardenError(`App Mesh answered without the resource data of ${where}`);
    return {
      ...refOf(ref),
      spec: specFromSdk(ref.kind, data.spec, where),
      metadata: metadataFromSdk(data.metadata, data.status, where),
      ...(tags === undefined ? {} : { tags }),
    };
  }

  async function listTags(arn: string): Promise<Tags> {
    const tags: Record<string, string> = {};
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await call(`ListTagsForResource ${arn}`, () =>
        client.send(
          new ListTagsForResourceCommand({
            resourceArn: arn,
            limit: TAG_PAGE_SIZE,
            ...(token ? { nextToken: token } : {}),
          }),
        ),
      );
      Object.assign(tags, tagsFromSdk(page.tags));
      nextToken = page.nextToken;
    } while (nextToken);
    return tags;
  }

  async function listNames(kind: ListedKind, scope: ListScope): Promise<string[]> {
    const list = KINDS[kind].list;
    if (list === undefined) throw new MeshwardenError(`No List operation for ${kind}`);
    const where = scope.parentName === undefined ? scope.meshName : `${scope.meshName}/${scope.parentName}`;
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await call(`List${OPERATION_NOUN[kind]}s ${where}`, () =>
        list(client, scope, { limit: pageSize, ...(token ? { nextToken: token } : {}) }),
      );
      names.push(...page.names);
      nextToken = page.nextToken;
    } while (nextToken);
    return names;
  }

  async function describe<K extends ResourceKind>(
    ref: ResourceRef<K>,
  ): Promise<MeshResourceOf<K> | undefined> {
    const key = formatResourceKey(ref);
    const ops = KINDS[ref.kind];
    try {
      const data = await call(`Describe${OPERATION_NOUN[ref.kind]} ${key}`, () => ops.describe(client, ref));
      const resource = toResource(ref, data, undefined);
      const arn = resource.metadata?.arn;
      if (arn === undefined) return resource;
      return { ...resource, tags: await listTags(arn) };
    } catch (error) {
      // Gone between list and describe, or between describe and tags: it does not exist now.
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async function readMesh(meshName: string): Promise<MeshSnapshot> {
    const takenAt = now().toISOString();
    const mesh = await describe({ kind: 'mesh', meshName, name: meshName });
    if (mesh === undefined) throw new NotFoundError(`Mesh ${meshName} does not exist`);

    const refs: RefBuckets = {
      'virtual-node': [],
      'virtual-service': [],
      'virtual-router': [],
      route: [],
      'virtual-gateway': [],
      'gateway-route': [],
    };
    const listInto =
      <K extends ListedKind>(kind: K, parentName?: string) =>
      async (): Promise<void> => {
        const scope: ListScope = parentName === undefined ? { meshName } : { meshName, parentName };
        let names: string[];
        try {
          names = await listNames(kind, scope);
        } catch (error) {
          // A parent deleted during the read has no children any more; a missing mesh is an error.
          if (parentName !== undefined && error instanceof NotFoundError) return;
          throw error;
        }
        for (const name of names) refs[kind].push({ ...scope, kind, name });
      };
    const run = (task: () => Promise<void>): Promise<void> => task();

    await mapBounded(
      [
        listInto('virtual-node'),
        listInto('virtual-service'),
        listInto('virtual-router'),
        listInto('virtual-gateway'),
      ],
      concurrency,
      run,
    );
    await mapBounded(
      [
        ...refs['virtual-router'].map((router) => listInto('route', router.name)),
        ...refs['virtual-gateway'].map((gateway) => listInto('gateway-route', gateway.name)),
      ],
      concurrency,
      run,
    );

    const found: ResourceBuckets = {
      'virtual-node': [],
      'virtual-service': [],
      'virtual-router': [],
      route: [],
      'virtual-gateway': [],
      'gateway-route': [],
    };
    const describeAll = <K extends ListedKind>(kind: K): (() => Promise<void>)[] =>
      refs[kind].map((ref) => async () => {
        const resource = await describe(ref);
        if (resource !== undefined) found[kind].push(resource);
      });
    await mapBounded(
      [
        ...describeAll('virtual-node'),
        ...describeAll('virtual-service'),
        ...describeAll('virtual-router'),
        ...describeAll('route'),
        ...describeAll('virtual-gateway'),
        ...describeAll('gateway-route'),
      ],
      concurrency,
      run,
    );

    return {
      meshName,
      takenAt,
      mesh,
      virtualNodes: sortByKey(found['virtual-node']),
      virtualServices: sortByKey(found['virtual-service']),
      virtualRouters: sortByKey(found['virtual-router']),
      routes: sortByKey(found.route),
      virtualGateways: sortByKey(found['virtual-gateway']),
      gatewayRoutes: sortByKey(found['gateway-route']),
    };
  }

  function checkToken(write: MeshWriteOptions): string {
    if (!CLIENT_TOKEN.test(write.clientToken)) {
      throw new BadRequestError(
        `clientToken must be 1..36 letters, digits, hyphens or underscores, got ${JSON.stringify(write.clientToken)}`,
      );
    }
    return write.clientToken;
  }

  return {
    readMesh,
    describe,

    async create<K extends ResourceKind>(
      resource: MeshResourceOf<K>,
      write: MeshWriteOptions,
    ): Promise<MeshResourceOf<K>> {
      const ref = refOf(resource);
      const key = formatResourceKey(ref);
      const clientToken = checkToken(write);
      const tags = resource.tags ?? {};
      const sdkTags = Object.keys(tags).length === 0 ? undefined : tagsToSdk(tags);
      const spec = specToSdk(ref.kind, resource.spec);
      const data = await call(`Create${OPERATION_NOUN[ref.kind]} ${key}`, () =>
        KINDS[ref.kind].create(client, ref, spec, sdkTags, clientToken),
      );
      return toResource(ref, data, tags);
    },

    async update<K extends ResourceKind>(
      resource: MeshResourceOf<K>,
      write: MeshWriteOptions,
    ): Promise<MeshResourceOf<K>> {
      const ref = refOf(resource);
      const key = formatResourceKey(ref);
      const clientToken = checkToken(write);
      const spec = specToSdk(ref.kind, resource.spec);
      const data = await call(`Update${OPERATION_NOUN[ref.kind]} ${key}`, () =>
        KINDS[ref.kind].update(client, ref, spec, clientToken),
      );
      return toResource(ref, data, undefined);
    },

    async delete(ref: ResourceRef): Promise<void> {
      const key = formatResourceKey(ref);
      await call(`Delete${OPERATION_NOUN[ref.kind]} ${key}`, () => deleteByKind(client, ref));
    },

    listTags,

    async tagResource(arn: string, tags: Tags): Promise<void> {
      await call(`TagResource ${arn}`, () =>
        client.send(new TagResourceCommand({ resourceArn: arn, tags: tagsToSdk(tags) })),
      );
    },

    async untagResource(arn: string, tagKeys: readonly string[]): Promise<void> {
      await call(`UntagResource ${arn}`, () =>
        client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: [...tagKeys] })),
      );
    },
  };
}

function deleteByKind<K extends ResourceKind>(client: AppMeshClient, ref: ResourceRef<K>): Promise<void> {
  return KINDS[ref.kind].delete(client, ref);
}

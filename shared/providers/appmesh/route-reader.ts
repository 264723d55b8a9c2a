import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { NotFoundError } from '../../errors';
import type { RouteReader } from '../../ports';
import { toDomainError } from './errors';
import { KINDS } from './kinds';
import { metadataFromSdk, specFromSdk } from './mapping';
import type { MeshResourceOf } from './model';

/**
 * A route read with exactly one DescribeRoute (no ListTagsForResource, unlike
 * MeshProvider.describe): the deployment guard's rollback path makes one read and one write.
 */
export function createRouteReader(client: AppMeshClient): RouteReader {
  return {
    async readRoute({
      meshName,
      virtualRouterName,
      routeName,
    }): Promise<MeshResourceOf<'route'> | undefined> {
      const ref = { kind: 'route' as const, meshName, parentName: virtualRouterName, name: routeName };
      const where = `${meshName}/route/${virtualRouterName}/${routeName}`;
      try {
        const data = await KINDS.route.describe(client, ref);
        if (data === undefined) return undefined;
        return {
          ...ref,
          spec: specFromSdk('route', data.spec, where),
          metadata: metadataFromSdk(data.metadata, data.status, where),
        };
      } catch (error) {
        const domain =
          error instanceof NotFoundError ? error : toDomainError(error, `DescribeRoute ${where}`);
        if (domain instanceof NotFoundError) return undefined;
        throw domain;
      }
    },
  };
}

/**
 * App Mesh SDK shapes <-> the provider-neutral model.
 *
 * The model mirrors App Mesh member for member, so the mapping is structural: drop the SDK's
 * `undefined` members, turn Dates into ISO strings, refuse `$unknown` union members (a member
 * newer than this SDK; dropping it and writing the spec back would lose it). What makes this
 * safe is the compile-time proof below: for every kind, the model spec type is *identical* to
 * `Neutral<SDK spec type>`. When the SDK gains a member, or the model drifts, tsc fails here.
 */
import type {
  GatewayRouteSpec as SdkGatewayRouteSpec,
  MeshSpec as SdkMeshSpec,
  ResourceMetadata as SdkResourceMetadata,
  RouteSpec as SdkRouteSpec,
  VirtualGatewaySpec as SdkVirtualGatewaySpec,
  VirtualNodeSpec as SdkVirtualNodeSpec,
  VirtualRouterSpec as SdkVirtualRouterSpec,
  VirtualServiceSpec as SdkVirtualServiceSpec,
  TagRef,
} from '@aws-sdk/client-app-mesh';
import type { ResourceKind } from '../../domain/resource-key';
import { MeshwardenError } from '../../errors';
import type { ResourceMetadata, ResourceStatus, SpecByKind, Tags } from './model';

/** The SDK spec type of each kind. */
export interface SdkSpecByKind {
  mesh: SdkMeshSpec;
  'virtual-node': SdkVirtualNodeSpec;
  'virtual-service': SdkVirtualServiceSpec;
  'virtual-router': SdkVirtualRouterSpec;
  route: SdkRouteSpec;
  'virtual-gateway': SdkVirtualGatewaySpec;
  'gateway-route': SdkGatewayRouteSpec;
}

type Primitive = string | number | boolean | bigint | symbol | null | undefined;

/**
 * The JSON-serialisable, readonly image of an SDK type: Dates become strings, required members
 * lose `| undefined`, `$unknown` union members and the `?: never` siblings of union members go.
 */
export type Neutral<T> = T extends Date
  ? string
  : T extends Primitive
    ? T
    : T extends readonly (infer U)[]
      ? readonly Neutral<U>[]
      : T extends { $unknown: [string, unknown] }
        ? never
        : T extends object
          ? {
              readonly [K in keyof T as K extends '$unknown'
                ? never
                : [NonNullable<T[K]>] extends [never]
                  ? never
                  : K]: Neutral<NonNullable<T[K]>>;
            }
          : never;

/** True only when A and B are the same type (not merely mutually assignable). */
type Identical<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

// The proof: each line fails to compile unless the model spec equals the SDK spec, member for
// member, optionality and readonly included.
const specsMatchSdk: { [K in ResourceKind]: Identical<SpecByKind[K], Neutral<SdkSpecByKind[K]>> } = {
  mesh: true,
  'virtual-node': true,
  'virtual-service': true,
  'virtual-router': true,
  route: true,
  'virtual-gateway': true,
  'gateway-route': true,
};
void specsMatchSdk;

/** Thrown when App Mesh returns a member this SDK/model does not know. */
export class UnknownMemberError extends MeshwardenError {}

function neutralise(value: unknown, path: string): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item, i) => neutralise(item, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (key === '$unknown') {
        const name = Array.isArray(member) ? String(member[0]) : '?';
        throw new UnknownMemberError(
          `App Mesh returned the union member "${name}" at ${path}, which this SDK does not model; refusing to map it (writing the spec back would drop it)`,
        );
      }
      if (member === undefined) continue;
      out[key] = neutralise(member, `${path}.${key}`);
    }
    return out;
  }
  return value;
}

function cloneMutable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneMutable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneMutable(v)]));
  }
  return value;
}

/** SDK spec -> model spec. `where` names the resource in errors. */
export function specFromSdk<K extends ResourceKind>(
  _kind: K,
  spec: SdkSpecByKind[K] | undefined,
  where: string,
): SpecByKind[K] {
  if (spec === undefined) throw new MeshwardenError(`App Mesh returned no spec for ${where}`);
  // Sound because SpecByKind[K] is proven identical to Neutral<SdkSpecByKind[K]> above.
  return neutralise(spec, `${where} spec`) as SpecByKind[K];
}

/** Model spec -> SDK spec (a fresh, mutable copy the SDK may own). */
export function specToSdk<K extends ResourceKind>(_kind: K, spec: SpecByKind[K]): SdkSpecByKind[K] {
  // Sound for the same reason: the SDK type differs only by mutability and `| undefined`.
  return cloneMutable(spec) as SdkSpecByKind[K];
}

const STATUSES: readonly string[] = ['ACTIVE', 'INACTIVE', 'DELETED'] satisfies ResourceStatus[];

function required<T>(value: T | undefined, member: string, where: string): T {
  if (value === undefined) throw new MeshwardenError(`App Mesh returned no ${member} for ${where}`);
  return value;
}

/** SDK metadata + status -> model metadata. */
export function metadataFromSdk(
  metadata: SdkResourceMetadata | undefined,
  status: { status?: string | undefined } | undefined,
  where: string,
): ResourceMetadata {
  const m = required(metadata, 'metadata', where);
  const code = status?.status;
  if (code !== undefined && !STATUSES.includes(code)) {
    throw new MeshwardenError(`App Mesh returned the unknown status "${code}" for ${where}`);
  }
  return {
    arn: required(m.arn, 'metadata.arn', where),
    uid: required(m.uid, 'metadata.uid', where),
    version: required(m.version, 'metadata.version', where),
    createdAt: required(m.createdAt, 'metadata.createdAt', where).toISOString(),
    lastUpdatedAt: required(m.lastUpdatedAt, 'metadata.lastUpdatedAt', where).toISOString(),
    ...(code === undefined ? {} : { status: code as ResourceStatus }),
    meshOwner: required(m.meshOwner, 'metadata.meshOwner', where),
    resourceOwner: required(m.resourceOwner, 'metadata.resourceOwner', where),
  };
}

/** Model metadata -> SDK metadata (for fakes and round-trip tests). */
export function metadataToSdk(metadata: ResourceMetadata): SdkResourceMetadata {
  return {
    arn: metadata.arn,
    uid: metadata.uid,
    version: metadata.version,
    createdAt: new Date(metadata.createdAt),
    lastUpdatedAt: new Date(metadata.lastUpdatedAt),
    meshOwner: metadata.meshOwner,
    resourceOwner: metadata.resourceOwner,
  };
}

/** SDK tag list -> model tags. A tag without a value (App Mesh allows it) maps to "". */
export function tagsFromSdk(tags: readonly TagRef[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.key !== undefined) out[tag.key] = tag.value ?? '';
  }
  return out;
}

/** Model tags -> SDK tag list, in key order so requests are deterministic. */
export function tagsToSdk(tags: Tags): TagRef[] {
  return Object.keys(tags)
    .sort()
    .map((key) => ({ key, value: tags[key] ?? '' }));
}

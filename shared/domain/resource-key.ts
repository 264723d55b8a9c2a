import { BadRequestError } from '../errors';

/** Every kind of mesh resource, in the spelling used by resource keys. */
export const RESOURCE_KINDS = [
  'mesh',
  'virtual-node',
  'virtual-service',
  'virtual-router',
  'route',
  'virtual-gateway',
  'gateway-route',
] as const;

/** A kind of mesh resource. */
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** The kinds that live inside a parent (a route in a virtual router, a gateway route in a virtual gateway). */
export type ChildKind = 'route' | 'gateway-route';

/** The parent kind of each child kind. */
export const PARENT_KIND: Readonly<Record<ChildKind, ResourceKind>> = {
  route: 'virtual-router',
  'gateway-route': 'virtual-gateway',
};

/**
 * Points at one mesh resource. For a mesh, `name` equals `meshName`; routes and gateway routes
 * carry the name of their virtual router / virtual gateway in `parentName`.
 */
export interface ResourceRef<K extends ResourceKind = ResourceKind> {
  readonly kind: K;
  readonly meshName: string;
  readonly name: string;
  readonly parentName?: string;
}

/** A resource key that could not be parsed, or a ref that cannot be written as a key. */
export class ResourceKeyError extends BadRequestError {}

/** True when `value` is one of {@link RESOURCE_KINDS}. */
export function isResourceKind(value: string): value is ResourceKind {
  return (RESOURCE_KINDS as readonly string[]).includes(value);
}

/** True for kinds that need a `parentName`. */
export function isChildKind(kind: ResourceKind): kind is ChildKind {
  return kind === 'route' || kind === 'gateway-route';
}

// Names travel in App Mesh URL paths and keys are split on '/', so a name with '/' would make
// the key ambiguous; App Mesh names are 1..255 characters. A lone surrogate has no UTF-8 form
// to put in a path (the SDK fails on it with a URIError).
function checkSegment(value: unknown, what: string, context: string | (() => string)): string {
  const where = () => (typeof context === 'string' ? context : context());
  if (typeof value !== 'string' || value.length === 0) {
    throw new ResourceKeyError(`${where()}: ${what} is empty`);
  }
  if (value.length > 255) throw new ResourceKeyError(`${where()}: ${what} is longer than 255 characters`);
  if (!value.isWellFormed()) {
    throw new ResourceKeyError(`${where()}: ${what} is not well-formed Unicode (it has a lone surrogate)`);
  }
  if (value.includes('/')) throw new ResourceKeyError(`${where()}: ${what} "${value}" contains "/"`);
  if (value.trim() !== value) {
    throw new ResourceKeyError(`${where()}: ${what} "${value}" has leading or trailing whitespace`);
  }
  return value;
}

/**
 * Format the stable key of a resource: `prod/mesh`, `prod/virtual-node/web-v1`,
 * `prod/route/web-router/web-route`. Throws ResourceKeyError for a ref that has no valid key
 * (empty names, names with "/", a child without parent, a parent on a non-child, a mesh whose
 * name differs from its meshName).
 */
export function formatResourceKey(ref: ResourceRef): string {
  // Only the ref is named in an error, and only when there is one: callers pass whole resources,
  // and stringifying a resource per call was a real cost on every event.
  const context = () => `Cannot format a resource key for ${JSON.stringify(refOf(ref))}`;
  if (!isResourceKind(ref.kind))
    throw new ResourceKeyError(`${context()}: unknown kind "${String(ref.kind)}"`);
  const mesh = checkSegment(ref.meshName, 'meshName', context);
  const name = checkSegment(ref.name, 'name', context);
  if (ref.kind === 'mesh') {
    if (name !== mesh) throw new ResourceKeyError(`${context()}: a mesh's name must equal its meshName`);
    if (ref.parentName !== undefined) throw new ResourceKeyError(`${context()}: a mesh has no parent`);
    return `${mesh}/mesh`;
  }
  if (isChildKind(ref.kind)) {
    const parent = checkSegment(ref.parentName, `parentName (the ${PARENT_KIND[ref.kind]})`, context);
    return `${mesh}/${ref.kind}/${parent}/${name}`;
  }
  if (ref.parentName !== undefined) throw new ResourceKeyError(`${context()}: a ${ref.kind} has no parent`);
  return `${mesh}/${ref.kind}/${name}`;
}

/**
 * Parse a key written by {@link formatResourceKey}. Throws ResourceKeyError naming what is wrong
 * (unknown kind, missing or extra segments, empty names).
 */
export function parseResourceKey(key: string): ResourceRef {
  const context = `Invalid resource key ${JSON.stringify(key)}`;
  if (typeof key !== 'string' || key.length === 0) throw new ResourceKeyError(`${context}: the key is empty`);
  const parts = key.split('/');
  const [meshPart, kindPart] = parts;
  const meshName = checkSegment(meshPart, 'the mesh name', context);
  if (kindPart === undefined) {
    throw new ResourceKeyError(`${context}: expected "<mesh>/<kind>[/<parent>]/<name>" or "<mesh>/mesh"`);
  }
  if (!isResourceKind(kindPart)) {
    throw new ResourceKeyError(
      `${context}: unknown kind "${kindPart}"; expected one of ${RESOURCE_KINDS.join(', ')}`,
    );
  }
  const rest = parts.slice(2);
  if (kindPart === 'mesh') {
    if (rest.length !== 0)
      throw new ResourceKeyError(`${context}: a mesh key is "<mesh>/mesh" with nothing after it`);
    return { kind: 'mesh', meshName, name: meshName };
  }
  if (isChildKind(kindPart)) {
    if (rest.length !== 2) {
      throw new ResourceKeyError(
        `${context}: a ${kindPart} key is "<mesh>/${kindPart}/<${PARENT_KIND[kindPart]}>/<name>"`,
      );
    }
    const parentName = checkSegment(rest[0], `the ${PARENT_KIND[kindPart]} name`, context);
    const name = checkSegment(rest[1], `the ${kindPart} name`, context);
    return { kind: kindPart, meshName, name, parentName };
  }
  if (rest.length !== 1)
    throw new ResourceKeyError(`${context}: a ${kindPart} key is "<mesh>/${kindPart}/<name>"`);
  return { kind: kindPart, meshName, name: checkSegment(rest[0], `the ${kindPart} name`, context) };
}

/** The bare ref of anything that carries one (drops spec, metadata, tags). */
export function refOf<K extends ResourceKind>(resource: ResourceRef<K>): ResourceRef<K> {
  const { kind, meshName, name, parentName } = resource;
  return parentName === undefined ? { kind, meshName, name } : { kind, meshName, name, parentName };
}

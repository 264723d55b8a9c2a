/**
 * What one CloudTrail App Mesh record says happened, normalised: which operation, on which
 * resource, by whom, when, and whether it succeeded. Names come from `requestParameters`
 * (the REST path members); TagResource and UntagResource name an ARN instead.
 */
import type { ResourceKind, ResourceRef } from '../domain/resource-key';
import { ValidationError } from '../errors';
import type { AppMeshApiCallEvent } from '../events/appmesh-api-call';
import type { UserIdentity } from '../events/cloudtrail-identity';

/** What an App Mesh call does to its resource. */
export type ChangeVerb = 'create' | 'update' | 'delete' | 'tag' | 'untag';

/** One App Mesh write, as CloudTrail recorded it. */
export interface MeshChange {
  readonly eventId: string;
  readonly eventTime: string;
  /** The CloudTrail `eventName`, e.g. `UpdateRoute`. */
  readonly operation: string;
  readonly verb: ChangeVerb;
  readonly ref: ResourceRef;
  readonly identity: UserIdentity;
  /** The call's error code when it failed (AccessDenied, ConflictException, ...). */
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
  readonly readOnly: boolean;
  /** The resource version the call's response reported, when it reported one. */
  readonly resultVersion: number | undefined;
  /**
   * The spec the call left, as its response reported it (`responseElements.<kind>.spec`): the
   * "after" of a three-way revert when the resource moved on since the call.
   */
  readonly resultSpec?: Readonly<Record<string, unknown>>;
  /** The spec the caller sent (informational: decisions act on the state read now). */
  readonly requestedSpec: Readonly<Record<string, unknown>> | undefined;
  /**
   * The tag keys a TagResource set or an UntagResource removed: a revert restores these keys
   * only, never another person's tags. Undefined for other operations.
   */
  readonly tagKeys?: readonly string[];
}

const NOUN_KIND: Readonly<Record<string, ResourceKind>> = {
  Mesh: 'mesh',
  VirtualNode: 'virtual-node',
  VirtualService: 'virtual-service',
  VirtualRouter: 'virtual-router',
  Route: 'route',
  VirtualGateway: 'virtual-gateway',
  GatewayRoute: 'gateway-route',
};

/** `requestParameters` member naming each kind's resource, and its parent's. */
const NAME_MEMBER: Readonly<Record<ResourceKind, { name: string; parent?: string }>> = {
  mesh: { name: 'meshName' },
  'virtual-node': { name: 'virtualNodeName' },
  'virtual-service': { name: 'virtualServiceName' },
  'virtual-router': { name: 'virtualRouterName' },
  route: { name: 'routeName', parent: 'virtualRouterName' },
  'virtual-gateway': { name: 'virtualGatewayName' },
  'gateway-route': { name: 'gatewayRouteName', parent: 'virtualGatewayName' },
};

/** ARN resource-path segment of each kind: `mesh/prod/virtualRouter/web-router/route/web-route`. */
const ARN_SEGMENT_KIND: Readonly<Record<string, ResourceKind>> = {
  virtualNode: 'virtual-node',
  virtualService: 'virtual-service',
  virtualRouter: 'virtual-router',
  route: 'route',
  virtualGateway: 'virtual-gateway',
  gatewayRoute: 'gateway-route',
};

function refused(path: string, message: string): never {
  throw new ValidationError(`App Mesh CloudTrail event: ${path}: ${message}`, [{ path, message }]);
}

/**
 * The resource an App Mesh ARN names, e.g.
 * `arn:aws:appmesh:us-east-1:123456789012:mesh/prod/virtualRouter/web-router/route/web-route`.
 */
export function refFromAppMeshArn(arn: string): ResourceRef | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'appmesh') return undefined;
  const segments = parts.slice(5).join(':').split('/');
  if (segments[0] !== 'mesh' || segments[1] === undefined || segments[1] === '') return undefined;
  const meshName = segments[1];
  if (segments.length === 2) return { kind: 'mesh', meshName, name: meshName };
  const first = ARN_SEGMENT_KIND[segments[2] ?? ''];
  const firstName = segments[3];
  if (first === undefined || firstName === undefined || firstName === '') return undefined;
  if (segments.length === 4) return { kind: first, meshName, name: firstName };
  const child = ARN_SEGMENT_KIND[segments[4] ?? ''];
  const childName = segments[5];
  if (child === undefined || childName === undefined || childName === '' || segments.length !== 6)
    return undefined;
  return { kind: child, meshName, name: childName, parentName: firstName };
}

function stringAt(params: Record<string, unknown>, member: string): string | undefined {
  const value = params[member];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The keys of TagResource's `tags` ([{key, value}]) or UntagResource's `tagKeys`; refused when absent. */
function tagKeysOf(operation: 'TagResource' | 'UntagResource', params: Record<string, unknown>): string[] {
  const member = operation === 'TagResource' ? 'tags' : 'tagKeys';
  const value = params[member];
  const keys = Array.isArray(value)
    ? value.map((entry: unknown) =>
        operation === 'TagResource'
          ? typeof entry === 'object' && entry !== null
            ? (entry as { key?: unknown }).key
            : undefined
          : entry,
      )
    : undefined;
  if (keys === undefined || !keys.every((k): k is string => typeof k === 'string' && k.length > 0)) {
    // Without the keys a revert could only restore every tag, undoing other people's tags.
    refused(
      `detail.requestParameters.${member}`,
      'missing or malformed: the tag keys the call touched are unknown',
    );
  }
  return keys;
}

function refOfRequest(kind: ResourceKind, params: Record<string, unknown>): ResourceRef {
  const meshName =
    stringAt(params, 'meshName') ??
    refused('detail.requestParameters.meshName', 'missing for this operation');
  const members = NAME_MEMBER[kind];
  const name = stringAt(params, members.name);
  if (name === undefined) refused(`detail.requestParameters.${members.name}`, 'missing for this operation');
  if (kind === 'mesh') return { kind, meshName, name: meshName };
  if (members.parent === undefined) return { kind, meshName, name };
  const parentName = stringAt(params, members.parent);
  if (parentName === undefined)
    refused(`detail.requestParameters.${members.parent}`, 'missing for this operation');
  return { kind, meshName, name, parentName };
}

/** The spec a successful call's response reported (`responseElements.<kind>.spec`). */
function resultSpecOf(response: Record<string, unknown> | null): Record<string, unknown> | undefined {
  if (response === null) return undefined;
  for (const value of Object.values(response)) {
    if (typeof value !== 'object' || value === null) continue;
    const { spec, metadata } = value as { spec?: unknown; metadata?: unknown };
    if (typeof metadata === 'object' && metadata !== null && typeof spec === 'object' && spec !== null) {
      return spec as Record<string, unknown>;
    }
  }
  return undefined;
}

/** The version a successful call's response reported (`responseElements.<kind>.metadata.version`). */
function resultVersionOf(response: Record<string, unknown> | null): number | undefined {
  if (response === null) return undefined;
  for (const value of Object.values(response)) {
    if (typeof value !== 'object' || value === null) continue;
    const metadata = (value as { metadata?: unknown }).metadata;
    if (typeof metadata !== 'object' || metadata === null) continue;
    const version = (metadata as { version?: unknown }).version;
    if (typeof version === 'number' && Number.isInteger(version)) return version;
  }
  return undefined;
}

/**
 * Normalise a parsed App Mesh CloudTrail event. Throws a ValidationError naming the path
 * when the operation is not an App Mesh write or the resource names are missing.
 */
export function meshChangeOf(event: AppMeshApiCallEvent): MeshChange {
  const d = event.detail;
  const params = (d.requestParameters ?? {}) as Record<string, unknown>;
  let verb: ChangeVerb;
  let ref: ResourceRef;
  let tagKeys: string[] | undefined;
  if (d.eventName === 'TagResource' || d.eventName === 'UntagResource') {
    verb = d.eventName === 'TagResource' ? 'tag' : 'untag';
    const arn = stringAt(params, 'resourceArn');
    if (arn === undefined) refused('detail.requestParameters.resourceArn', 'missing for this operation');
    ref =
      refFromAppMeshArn(arn) ??
      refused('detail.requestParameters.resourceArn', `not an App Mesh resource ARN: ${arn}`);
    // A failed call changed nothing: its keys do not matter (and a refused call may lack them).
    tagKeys = d.errorCode === undefined ? tagKeysOf(d.eventName, params) : undefined;
  } else {
    const match =
      /^(Create|Update|Delete)(Mesh|VirtualNode|VirtualService|VirtualRouter|Route|VirtualGateway|GatewayRoute)$/.exec(
        d.eventName,
      );
    const kind = match === null ? undefined : NOUN_KIND[match[2] ?? ''];
    if (match === null || kind === undefined) {
      refused('detail.eventName', `"${d.eventName}" is not an App Mesh write operation`);
    }
    verb = (match[1] ?? '').toLowerCase() as ChangeVerb;
    ref = refOfRequest(kind, params);
  }
  const spec = params.spec;
  const response = (d.responseElements ?? null) as Record<string, unknown> | null;
  const resultSpec = resultSpecOf(response);
  return {
    eventId: d.eventID,
    eventTime: d.eventTime,
    operation: d.eventName,
    verb,
    ref,
    identity: d.userIdentity,
    errorCode: d.errorCode,
    errorMessage: d.errorMessage,
    // Absent in records older than eventVersion 1.01: a call not marked read-only is judged.
    readOnly: d.readOnly === true,
    resultVersion: resultVersionOf(response),
    requestedSpec: typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>) : undefined,
    ...(tagKeys === undefined ? {} : { tagKeys }),
    ...(resultSpec === undefined ? {} : { resultSpec }),
  };
}

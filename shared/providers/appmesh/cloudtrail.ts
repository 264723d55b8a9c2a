import { CLOUDTRAIL_API_CALL, cloudTrailApiCallDetail } from '../../events/cloudtrail';
import { eventBridgeEvent } from '../../events/envelope';
import * as z from '../../schema';
import { parseOrThrow } from '../../validation';

/** CloudTrail's `eventSource` for App Mesh. */
export const APPMESH_EVENT_SOURCE = 'appmesh.amazonaws.com';
/** EventBridge's `source` for App Mesh's CloudTrail events. */
export const APPMESH_EVENTBRIDGE_SOURCE = 'aws.appmesh';

/**
 * A name or ARN an App Mesh call carried. These go back to App Mesh in URL paths, and a string
 * with a lone UTF-16 surrogate has no UTF-8 form: no call can have named it, and the SDK cannot
 * encode it into a path (URIError). Refused here, not half-way through judging the call.
 */
const appMeshNameText = z
  .string()
  .check(
    z.refine((text) => text.isWellFormed(), 'expected well-formed Unicode text (it has a lone surrogate)'),
  );

/**
 * `requestParameters` of an App Mesh call: the REST path parameters and the JSON body of the
 * request, merged. Which names appear depends on the operation (a route call names the mesh,
 * router and route; TagResource names `resourceArn`), so all are optional here and the use
 * case checks the ones its operation needs. `spec` stays opaque: the domain model owns it.
 */
export const appMeshRequestParameters = z.looseObject({
  meshName: z.optional(appMeshNameText),
  meshOwner: z.optional(z.string()),
  virtualNodeName: z.optional(appMeshNameText),
  virtualRouterName: z.optional(appMeshNameText),
  routeName: z.optional(appMeshNameText),
  virtualServiceName: z.optional(appMeshNameText),
  virtualGatewayName: z.optional(appMeshNameText),
  gatewayRouteName: z.optional(appMeshNameText),
  resourceArn: z.optional(appMeshNameText),
  clientToken: z.optional(z.string()),
  spec: z.optional(z.record(z.string(), z.unknown())),
});

/**
 * `responseElements` of an App Mesh call: the response body, i.e. one resource description
 * keyed by its kind (`mesh`, `virtualNode`, `route`, ...), as in the App Mesh CloudTrail
 * example. Kept opaque for the same reason as `spec`.
 */
export const appMeshResponseElements = z.record(z.string(), z.unknown());

/** The CloudTrail record of one App Mesh API call. */
export const appMeshApiCallDetail = cloudTrailApiCallDetail(
  APPMESH_EVENT_SOURCE,
  appMeshRequestParameters,
  appMeshResponseElements,
);

/** An App Mesh API call as EventBridge delivers it (`source: aws.appmesh`). */
export const appMeshApiCallEvent = eventBridgeEvent(
  APPMESH_EVENTBRIDGE_SOURCE,
  CLOUDTRAIL_API_CALL,
  appMeshApiCallDetail,
);

export type AppMeshRequestParameters = z.infer<typeof appMeshRequestParameters>;
export type AppMeshApiCallDetail = z.infer<typeof appMeshApiCallDetail>;
export type AppMeshApiCallEvent = z.infer<typeof appMeshApiCallEvent>;

/** Which route a successful route call left, as App Mesh's answer in its record says. */
export interface WrittenRoute {
  /** The route resource's uid: a route deleted and created again under its name has another. */
  readonly uid: string | undefined;
  /** The route's version after the call (App Mesh counts every write of a resource up by one). */
  readonly version: number;
}

/**
 * The route a route call's record says it left (`responseElements.route.metadata`): undefined
 * when the record carries no usable answer (a failed call, a trimmed or older record). The
 * answer is untrusted JSON: anything not shaped like App Mesh's metadata says nothing.
 */
export function writtenRouteOf(
  detail: Pick<AppMeshApiCallDetail, 'responseElements'>,
): WrittenRoute | undefined {
  const route = detail.responseElements?.route;
  if (typeof route !== 'object' || route === null) return undefined;
  const metadata = (route as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const { uid, version } = metadata as { uid?: unknown; version?: unknown };
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) return undefined;
  return { uid: typeof uid === 'string' && uid !== '' ? uid : undefined, version };
}

/** Parse an App Mesh CloudTrail event, or throw a ValidationError naming each bad field. */
export function parseAppMeshApiCall(input: unknown): AppMeshApiCallEvent {
  return parseOrThrow(appMeshApiCallEvent, input, 'App Mesh CloudTrail event');
}

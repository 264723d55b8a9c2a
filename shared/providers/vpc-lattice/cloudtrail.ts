/**
 * The CloudTrail record of a VPC Lattice API call (`eventSource: vpc-lattice.amazonaws.com`,
 * EventBridge `source: aws.vpc-lattice`), as lenient as CloudTrail: only what meshwarden reads
 * is required (see shared/events/cloudtrail.ts), every request parameter is optional (which
 * appear depends on the operation: a rule call names service, listener and rule identifiers,
 * ids or ARNs alike), and actions and matches stay opaque.
 */
import { CLOUDTRAIL_API_CALL, cloudTrailApiCallDetail } from '../../events/cloudtrail';
import { eventBridgeEvent } from '../../events/envelope';
import * as z from '../../schema';
import { parseOrThrow } from '../../validation';

/** CloudTrail's `eventSource` for VPC Lattice. */
export const LATTICE_EVENT_SOURCE = 'vpc-lattice.amazonaws.com';
/** EventBridge's `source` for VPC Lattice's CloudTrail events. */
export const LATTICE_EVENTBRIDGE_SOURCE = 'aws.vpc-lattice';

const identifier = z.string().check(z.minLength(1), z.maxLength(2048));

/** `requestParameters` of a VPC Lattice call: the REST path parameters and the JSON body, merged. */
export const latticeRequestParameters = z.looseObject({
  serviceNetworkIdentifier: z.optional(identifier),
  serviceIdentifier: z.optional(identifier),
  listenerIdentifier: z.optional(identifier),
  ruleIdentifier: z.optional(identifier),
  targetGroupIdentifier: z.optional(identifier),
  resourceIdentifier: z.optional(identifier),
  name: z.optional(z.string()),
  priority: z.optional(z.number()),
  match: z.optional(z.unknown()),
  action: z.optional(z.unknown()),
  defaultAction: z.optional(z.unknown()),
  /** BatchUpdateRule: the rules it updates. */
  rules: z.optional(z.array(z.looseObject({ ruleIdentifier: z.optional(identifier) }))),
  clientToken: z.optional(z.string()),
});

/** `responseElements`: the response body (`arn`, `id`, `name`... of what was written), when there is one. */
export const latticeResponseElements = z.looseObject({
  arn: z.optional(z.string()),
  id: z.optional(z.string()),
  name: z.optional(z.string()),
  /** What a rule write wrote (opaque here; the guard reads its weights, never records them). */
  action: z.optional(z.unknown()),
  /** What a listener write wrote as its default action. */
  defaultAction: z.optional(z.unknown()),
  /** BatchUpdateRule: the rules it updated, as Lattice answered. */
  successful: z.optional(z.unknown()),
});

/** The CloudTrail record of one VPC Lattice API call. */
export const latticeApiCallDetail = cloudTrailApiCallDetail(
  LATTICE_EVENT_SOURCE,
  latticeRequestParameters,
  latticeResponseElements,
);

/** A VPC Lattice API call as EventBridge delivers it. */
export const latticeApiCallEvent = eventBridgeEvent(
  LATTICE_EVENTBRIDGE_SOURCE,
  CLOUDTRAIL_API_CALL,
  latticeApiCallDetail,
);

export type LatticeApiCallDetail = z.infer<typeof latticeApiCallDetail>;
export type LatticeApiCallEvent = z.infer<typeof latticeApiCallEvent>;

/** Parse a VPC Lattice CloudTrail event, or throw a ValidationError naming each bad field. */
export function parseLatticeApiCall(input: unknown): LatticeApiCallEvent {
  return parseOrThrow(latticeApiCallEvent, input, 'VPC Lattice CloudTrail event');
}

/** Parse the `detail` of a VPC Lattice CloudTrail event. */
export function parseLatticeApiCallDetail(input: unknown): LatticeApiCallDetail {
  return parseOrThrow(latticeApiCallDetail, input, 'VPC Lattice CloudTrail record');
}

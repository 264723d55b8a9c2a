/**
 * One VPC Lattice CloudTrail record as change control reads it: which operation, on what
 * (identifiers only: what the call changed is read from Lattice, never taken from the record),
 * by whom, and whether it succeeded. Pure.
 */

import type { UserIdentity } from '../../../events/cloudtrail-identity';
import { LATTICE_WRITE_ACTIONS } from '../../../policy/actions';
import type { LatticeResourceKind } from '../resource-key';

/** What a Lattice write does to its resource. */
export type LatticeVerb = 'create' | 'update' | 'delete' | 'tag';

/** The identifiers a call names: its REST path parameters and the id its response gave. */
export interface LatticeCallIdentifiers {
  readonly serviceNetworkIdentifier?: string;
  readonly serviceIdentifier?: string;
  readonly listenerIdentifier?: string;
  readonly ruleIdentifier?: string;
  readonly targetGroupIdentifier?: string;
  readonly resourceIdentifier?: string;
  readonly resourceArn?: string;
  /** BatchUpdateRule: the rules it names. */
  readonly ruleIdentifiers?: readonly string[];
  /** What a create's response named: the new resource's id (or ARN). */
  readonly createdId?: string;
  /** The name a create gave. */
  readonly name?: string;
}

export interface LatticeCall {
  readonly eventId: string;
  readonly eventTime: string;
  readonly operation: string;
  readonly kind: LatticeResourceKind | undefined;
  readonly verb: LatticeVerb;
  readonly readOnly: boolean;
  readonly identity: UserIdentity;
  readonly ids: LatticeCallIdentifiers;
  /**
   * What the call's response said it wrote. Never restored from: only compared with what Lattice
   * holds now, to tell whether meshwarden's own write is still the current state.
   */
  readonly response?: Readonly<Record<string, unknown>>;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/** The kind each mutating operation changes (Tag/UntagResource: the kind of the ARN, found later). */
const KIND_OF: Readonly<Record<string, LatticeResourceKind>> = {
  ServiceNetwork: 'service-network',
  Service: 'service',
  Listener: 'listener',
  Rule: 'rule',
  TargetGroup: 'target-group',
  AccessLogSubscription: 'access-log-subscription',
  ServiceNetworkVpcAssociation: 'service-network-vpc-association',
  ServiceNetworkServiceAssociation: 'service-network-service-association',
  AuthPolicy: 'auth-policy',
  ResourcePolicy: 'resource-policy',
  Targets: 'target-group',
};

function classify(operation: string): { kind: LatticeResourceKind | undefined; verb: LatticeVerb } {
  if (operation === 'TagResource' || operation === 'UntagResource') return { kind: undefined, verb: 'tag' };
  if (operation === 'BatchUpdateRule') return { kind: 'rule', verb: 'update' };
  const match = /^(Create|Update|Delete|Put|Register|Deregister)(.+)$/.exec(operation);
  const kind = match?.[2] === undefined ? undefined : KIND_OF[match[2]];
  const verb: LatticeVerb =
    match?.[1] === 'Create' ? 'create' : match?.[1] === 'Delete' ? 'delete' : 'update';
  return { kind, verb };
}

/** True for the operations change control judges (every mutating Lattice call). */
export function isLatticeWrite(operation: string): boolean {
  return LATTICE_WRITE_ACTIONS.includes(operation);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** What a parsed VPC Lattice CloudTrail detail says, as change control reads it. */
export interface LatticeCallDetail {
  readonly eventID: string;
  readonly eventTime: string;
  readonly eventName: string;
  readonly readOnly?: boolean | undefined;
  readonly userIdentity: UserIdentity;
  readonly requestParameters?: Record<string, unknown> | null | undefined;
  readonly responseElements?: Record<string, unknown> | null | undefined;
  readonly errorCode?: string | undefined;
  readonly errorMessage?: string | undefined;
}

/** Read a VPC Lattice CloudTrail record (already validated by its zod schema). */
export function latticeCallOf(detail: LatticeCallDetail): LatticeCall {
  const params = detail.requestParameters ?? {};
  const response = detail.responseElements ?? {};
  const { kind, verb } = classify(detail.eventName);
  const rules = Array.isArray(params.rules) ? params.rules : [];
  const ruleIdentifiers = rules.flatMap((r) => {
    const id = text((r as { ruleIdentifier?: unknown } | null)?.ruleIdentifier);
    return id === undefined ? [] : [id];
  });
  const ids: LatticeCallIdentifiers = Object.fromEntries(
    Object.entries({
      serviceNetworkIdentifier: text(params.serviceNetworkIdentifier),
      serviceIdentifier: text(params.serviceIdentifier),
      listenerIdentifier: text(params.listenerIdentifier),
      ruleIdentifier: text(params.ruleIdentifier),
      targetGroupIdentifier: text(params.targetGroupIdentifier),
      resourceIdentifier: text(params.resourceIdentifier),
      resourceArn: text(params.resourceArn),
      ruleIdentifiers: ruleIdentifiers.length === 0 ? undefined : ruleIdentifiers,
      createdId: verb === 'create' ? (text(response.id) ?? text(response.arn)) : undefined,
      name: text(params.name) ?? text(response.name),
    }).filter(([, v]) => v !== undefined),
  );
  return {
    eventId: detail.eventID,
    eventTime: detail.eventTime,
    operation: detail.eventName,
    kind,
    verb,
    readOnly: detail.readOnly === true || !isLatticeWrite(detail.eventName),
    identity: detail.userIdentity,
    ids,
    ...(detail.responseElements == null ? {} : { response: detail.responseElements }),
    ...(detail.errorCode === undefined ? {} : { errorCode: detail.errorCode }),
    ...(detail.errorMessage === undefined ? {} : { errorMessage: detail.errorMessage }),
  };
}

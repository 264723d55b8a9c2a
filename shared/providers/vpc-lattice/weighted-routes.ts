/**
 * The WeightedRoutes port on VPC Lattice, and what a Lattice API call changed. A read is one
 * GetRule (GetListener for a default action) by the ARN the guard recorded; a write is one
 * UpdateRule (UpdateListener) with the match and priority as read and only the forward
 * action's weights replaced. Lattice takes no client token on UpdateRule and answers without a
 * version: a retried write of the same weights is the same write, and a person's write that
 * came between the read and the write is judged when its own CloudTrail event arrives. What a
 * call wrote (Lattice's answer in its record) goes with the route it changed, only so the guard
 * can tell a write that a later one replaced: CloudTrail delivers late and out of order.
 * meshwarden's own writes are known by its role (CloudTrail userIdentity), as on App Mesh;
 * there is no last-known-good record for Lattice rules yet. A rule's tags (the stable-target
 * tag `meshwarden:stable=tg-…`) are read only when a change is observed, never on a rollback.
 */
import {
  LATTICE_DEFAULT_RULE,
  type LatticeRouteId,
  type RouteRef,
  type WeightedRoute,
} from '../../domain/weighted-route';
import { BadRequestError } from '../../errors';
import type { ChangedRoute, RouteProvider } from '../../ports';
import type { LatticeAdapter } from './adapter';
import { addressOfArn, idOf, type LatticeRuleAddress, ruleAddressOfArn } from './arns';
import { parseLatticeApiCallDetail } from './cloudtrail';
import {
  forwardWeights,
  recordedForwardWeights,
  ruleNameOf,
  weightedRouteOfRule,
  withForwardWeights,
} from './mapping';
import type { LatticeRuleState } from './model';

/** Which service networks meshwarden governs on Lattice (the policy's `provider: vpc-lattice` entries). */
export interface LatticeRoutesOptions {
  readonly serviceNetworks: readonly string[];
}

function latticeIdOf(ref: RouteRef): LatticeRouteId {
  if (ref.id.provider !== 'vpc-lattice')
    throw new BadRequestError(
      `not a VPC Lattice route: ${ref.id.provider} route given to the VPC Lattice routes`,
    );
  return ref.id;
}

/** The identifiers a CloudTrail record names a rule or listener by (ids or ARNs), as ids. */
function addressFrom(
  params: { serviceIdentifier?: string; listenerIdentifier?: string },
  response: { arn?: string } | undefined,
): Partial<LatticeRuleAddress> {
  const fromArn = response?.arn === undefined ? undefined : addressOfArn(response.arn);
  return {
    serviceId: params.serviceIdentifier === undefined ? fromArn?.serviceId : idOf(params.serviceIdentifier),
    listenerId:
      params.listenerIdentifier === undefined ? fromArn?.listenerId : idOf(params.listenerIdentifier),
  };
}

/** The VPC Lattice routes of the governed service networks. */
export function createLatticeRoutes(adapter: LatticeAdapter, options: LatticeRoutesOptions): RouteProvider {
  const governed = new Set(options.serviceNetworks);

  async function addressOf(ref: RouteRef, id: LatticeRouteId): Promise<LatticeRuleAddress | undefined> {
    const fromArn = ref.arn === undefined ? undefined : ruleAddressOfArn(ref.arn);
    if (fromArn !== undefined) return fromArn;
    return adapter.resolve(id);
  }

  /** The route keys of one rule: one per governed service network its service is associated with. */
  async function refsOf(
    address: LatticeRuleAddress,
    rule: LatticeRuleState | undefined,
  ): Promise<RouteRef[]> {
    if (rule === undefined) return [];
    if (!rule.isDefault && rule.name === LATTICE_DEFAULT_RULE) return [];
    const [service, listener, networks] = await Promise.all([
      adapter.serviceName(address.serviceId),
      adapter.listenerName(address.serviceId, address.listenerId),
      adapter.serviceNetworksOf(address.serviceId),
    ]);
    return networks
      .filter((n) => governed.has(n))
      .sort()
      .map((serviceNetwork) => ({
        id: { provider: 'vpc-lattice', serviceNetwork, service, listener, rule: ruleNameOf(rule) },
        arn: rule.arn,
      }));
  }

  async function changedRule(
    address: Partial<LatticeRuleAddress>,
    ruleId: string | undefined,
    operation: 'create' | 'update',
    writtenAction: unknown,
  ): Promise<ChangedRoute[]> {
    if (address.serviceId === undefined || address.listenerId === undefined) return [];
    const full: LatticeRuleAddress = {
      serviceId: address.serviceId,
      listenerId: address.listenerId,
      ...(ruleId === undefined ? {} : { ruleId }),
    };
    const rule = await adapter.readRule(full);
    // Gone since the call: its delete event follows and ends what it must.
    if (rule === undefined || forwardWeights(rule.action) === undefined) return [];
    const written = recordedForwardWeights(writtenAction);
    return (await refsOf(full, rule)).map((ref) => ({
      operation,
      ref,
      ...(written === undefined ? {} : { written }),
    }));
  }

  return {
    async read(ref, options = {}): Promise<WeightedRoute | undefined> {
      const id = latticeIdOf(ref);
      const address = await addressOf(ref, id);
      if (address === undefined) return undefined;
      const rule = await adapter.readRule(address);
      if (rule === undefined) return undefined;
      const route = weightedRouteOfRule(id, rule);
      return options.tags === true ? { ...route, tags: await adapter.tagsOf(rule.arn) } : route;
    },

    async writeWeights(read, weights) {
      const id = latticeIdOf(read);
      const rule = read.raw as LatticeRuleState;
      const written = await adapter.writeRule(rule, withForwardWeights(rule.action, weights));
      return { route: weightedRouteOfRule(id, written), followsRead: undefined };
    },

    async routesChangedBy(input): Promise<ChangedRoute[]> {
      const detail = parseLatticeApiCallDetail(input);
      if (detail.errorCode !== undefined) return [];
      const params = detail.requestParameters ?? {};
      const response = detail.responseElements ?? undefined;
      switch (detail.eventName) {
        case 'CreateRule':
        case 'UpdateRule': {
          const ruleId =
            params.ruleIdentifier === undefined
              ? response?.arn === undefined
                ? response?.id
                : addressOfArn(response.arn)?.ruleId
              : idOf(params.ruleIdentifier);
          if (ruleId === undefined) return [];
          const operation = detail.eventName === 'CreateRule' ? 'create' : 'update';
          return changedRule(addressFrom(params, response), ruleId, operation, response?.action);
        }
        case 'BatchUpdateRule': {
          const address = addressFrom(params, undefined);
          const rules = params.rules ?? [];
          const answered = Array.isArray(response?.successful) ? (response.successful as unknown[]) : [];
          /** What Lattice answered it wrote to this rule, by the id or ARN it answers with. */
          const writtenTo = (ruleId: string): unknown =>
            (
              answered.find((a) => {
                const r = a as { id?: unknown; arn?: unknown } | null;
                return r?.id === ruleId || (typeof r?.arn === 'string' && idOf(r.arn) === ruleId);
              }) as { action?: unknown } | undefined
            )?.action;
          const changed = await Promise.all(
            rules.map((r) => {
              if (r.ruleIdentifier === undefined) return Promise.resolve([]);
              const ruleId = idOf(r.ruleIdentifier);
              return changedRule(address, ruleId, 'update', writtenTo(ruleId));
            }),
          );
          return changed.flat();
        }
        case 'CreateListener':
        case 'UpdateListener': {
          const address = addressFrom(
            { ...params, listenerIdentifier: params.listenerIdentifier ?? response?.id },
            response,
          );
          return changedRule(
            address,
            undefined,
            detail.eventName === 'CreateListener' ? 'create' : 'update',
            response?.defaultAction,
          );
        }
        case 'DeleteRule':
        case 'DeleteListener':
        case 'DeleteService': {
          const scope = deletedScopeOf(detail.eventName, params, response);
          return scope === undefined ? [] : [{ operation: 'delete', covers: (arn) => covers(scope, arn) }];
        }
        default:
          return [];
      }
    },
  };
}

/**
 * The ids of what a delete removed (a rule, a listener, a service), from the record's request
 * parameters (ids or ARNs) or, for a service, Lattice's answer.
 */
function deletedScopeOf(
  eventName: string,
  params: { serviceIdentifier?: string; listenerIdentifier?: string; ruleIdentifier?: string },
  response: { arn?: string } | undefined,
): Partial<LatticeRuleAddress> | undefined {
  const serviceId =
    params.serviceIdentifier === undefined
      ? response?.arn === undefined
        ? undefined
        : addressOfArn(response.arn)?.serviceId
      : idOf(params.serviceIdentifier);
  if (serviceId === undefined) return undefined;
  if (eventName === 'DeleteService') return { serviceId };
  if (params.listenerIdentifier === undefined) return undefined;
  const listenerId = idOf(params.listenerIdentifier);
  if (eventName === 'DeleteListener') return { serviceId, listenerId };
  return params.ruleIdentifier === undefined
    ? undefined
    : { serviceId, listenerId, ruleId: idOf(params.ruleIdentifier) };
}

/** Whether a route's ARN lies within what was deleted. */
function covers(scope: Partial<LatticeRuleAddress>, routeArn: string): boolean {
  const route = addressOfArn(routeArn);
  if (route === undefined || route.serviceId !== scope.serviceId) return false;
  if (scope.listenerId !== undefined && route.listenerId !== scope.listenerId) return false;
  return scope.ruleId === undefined || route.ruleId === scope.ruleId;
}

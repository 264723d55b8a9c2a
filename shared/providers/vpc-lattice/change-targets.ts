/**
 * Change control's reads and writes on VPC Lattice (the LatticeChangeTargets port): where a
 * CloudTrail record's resource is (service network and names, read from Lattice: the record
 * names only ids), its state now, and the whole-resource writes that restore it. SDK calls only.
 */
import {
  DeleteAuthPolicyCommand,
  DeleteRuleCommand,
  GetAuthPolicyCommand,
  GetListenerCommand,
  GetServiceNetworkCommand,
  GetTargetGroupCommand,
  PutAuthPolicyCommand,
  type RuleAction,
  type RuleMatch,
  UpdateListenerCommand,
  UpdateRuleCommand,
  type VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { NotFoundError } from '../../errors';
import type { LatticeAdapter } from './adapter';
import { idOf } from './arns';
import type { LatticeCall } from './change-control/lattice-call';
import type {
  LatticeChangeTargets,
  LatticeResourceState,
  LatticeTarget,
  Located,
} from './change-control/lattice-state';
import { toDomainError } from './errors';
import type { LatticeResourceKind, LatticeResourceRef } from './resource-key';

async function call<T>(attempted: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toDomainError(error, attempted);
  }
}

/** Undefined instead of NotFoundError: the resource (or its parent) is gone. */
async function unlessGone<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

const unlocatable = (reason: string, serviceNetwork?: string): Located => ({
  status: 'unlocatable',
  reason,
  ...(serviceNetwork === undefined ? {} : { serviceNetwork }),
});

/** What kind of resource an id or ARN names, from its shape (`svc-…`, `sn-…`, `…:service/…`). */
function ownerKindOf(identifier: string): 'service' | 'service-network' | 'target-group' | undefined {
  const id = idOf(identifier);
  if (id.startsWith('svc-')) return 'service';
  if (id.startsWith('sn-')) return 'service-network';
  if (id.startsWith('tg-')) return 'target-group';
  return undefined;
}

/** The ids a service, listener or rule ARN holds (`service/svc-…/listener/listener-…/rule/rule-…`). */
function pathIdsOf(arn: string): Record<string, string> {
  const resource = /:vpc-lattice:[^:]*:\d{12}:(.+)$/.exec(arn)?.[1]?.split('/') ?? [];
  const ids: Record<string, string> = {};
  for (let i = 0; i + 1 < resource.length; i += 2) {
    const word = resource[i];
    const id = resource[i + 1];
    if (word !== undefined && id !== undefined) ids[word] = id;
  }
  return ids;
}

/** Change control's view of VPC Lattice over one client (and the guard's adapter for names). */
export class LatticeChangeTargetsAdapter implements LatticeChangeTargets {
  constructor(
    private readonly client: VPCLatticeClient,
    private readonly adapter: LatticeAdapter,
  ) {}

  /** The first governed service network (in policy order) the service is associated with. */
  private async governedNetworkOf(
    serviceId: string,
    governed: readonly string[],
  ): Promise<string | undefined> {
    const networks = await unlessGone(this.adapter.serviceNetworksOf(serviceId));
    return governed.find((g) => networks?.includes(g));
  }

  private async networkName(identifier: string): Promise<string | undefined> {
    const network = await unlessGone(
      call(`GetServiceNetwork ${identifier}`, () =>
        this.client.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: identifier })),
      ),
    );
    return network?.name;
  }

  private ref(
    kind: LatticeResourceKind,
    network: string,
    name: string,
    parentName?: string,
  ): LatticeResourceRef {
    return {
      provider: 'vpc-lattice',
      kind,
      meshName: network,
      name,
      ...(parentName === undefined ? {} : { parentName }),
    };
  }

  async locate(change: LatticeCall, governed: readonly string[]): Promise<Located> {
    const { ids } = change;
    if (change.verb === 'tag') return this.locateArn(change, ids.resourceArn, governed);
    const ungoverned = (what: string): Located => ({
      status: 'ungoverned',
      explanation: `${change.operation} on ${what}, which is in no governed service network (${governed.join(', ')})`,
    });
    switch (change.kind) {
      case 'rule':
      case 'listener': {
        if (ids.serviceIdentifier === undefined || ids.listenerIdentifier === undefined) {
          if (change.kind === 'listener' && ids.serviceIdentifier !== undefined && change.verb === 'create') {
            return this.locateListener(
              change,
              idOf(ids.serviceIdentifier),
              ids.createdId,
              governed,
              ungoverned,
            );
          }
          return unlocatable(`${change.operation} names no service and listener identifier`);
        }
        const serviceId = idOf(ids.serviceIdentifier);
        const listenerId = idOf(ids.listenerIdentifier);
        if (change.kind === 'listener') {
          return this.locateListener(change, serviceId, listenerId, governed, ungoverned);
        }
        const batch = ids.ruleIdentifiers ?? [];
        if (batch.length > 1) {
          // The use case splits a batch into one call per rule before locating.
          return unlocatable(`${change.operation} names ${batch.length} rules; judge them one at a time`);
        }
        const ruleIdentifier = ids.ruleIdentifier ?? batch[0] ?? ids.createdId;
        if (ruleIdentifier === undefined) return unlocatable(`${change.operation} names no rule identifier`);
        const ruleId = idOf(ruleIdentifier);
        const network = await this.governedNetworkOf(serviceId, governed);
        if (network === undefined) return ungoverned(`service ${serviceId}`);
        const [service, listener, rule] = await Promise.all([
          unlessGone(this.adapter.serviceName(serviceId)),
          unlessGone(this.adapter.listenerName(serviceId, listenerId)),
          this.adapter.readRule({ serviceId, listenerId, ruleId }),
        ]);
        // A deleted rule (or listener) is named by its id: Lattice no longer knows its name.
        return {
          status: 'located',
          target: {
            ref: this.ref(
              'rule',
              network,
              rule?.name ?? ruleId,
              `${service ?? serviceId}/${listener ?? listenerId}`,
            ),
            ids: { serviceId, listenerId, ruleId },
          },
        };
      }
      case 'auth-policy':
      case 'resource-policy':
      case 'access-log-subscription': {
        const owner = ids.resourceIdentifier;
        if (owner === undefined) {
          return unlocatable(`${change.operation} names no resource identifier (its owner is not known)`);
        }
        const kind = ownerKindOf(owner);
        if (kind === 'service') {
          const serviceId = idOf(owner);
          const network = await this.governedNetworkOf(serviceId, governed);
          if (network === undefined) return ungoverned(`service ${serviceId}`);
          const name = (await unlessGone(this.adapter.serviceName(serviceId))) ?? serviceId;
          return {
            status: 'located',
            target: { ref: this.ref(change.kind, network, name, 'service'), ids: { ownerId: serviceId } },
          };
        }
        if (kind === 'service-network') {
          const name = await this.networkName(idOf(owner));
          if (name === undefined) return unlocatable(`service network ${owner} no longer exists`);
          if (!governed.includes(name)) return ungoverned(`service network ${name}`);
          return {
            status: 'located',
            target: {
              ref: this.ref(change.kind, name, name, 'service-network'),
              ids: { ownerId: idOf(owner) },
            },
          };
        }
        return unlocatable(
          `${change.operation} on ${owner}: only services' and service networks' policies are judged`,
        );
      }
      case 'service': {
        if (change.verb === 'create') {
          return {
            status: 'ungoverned',
            explanation:
              'a new service is in no service network until it is associated; the association is judged',
          };
        }
        if (ids.serviceIdentifier === undefined)
          return unlocatable(`${change.operation} names no service identifier`);
        const serviceId = idOf(ids.serviceIdentifier);
        const network = await this.governedNetworkOf(serviceId, governed);
        if (network === undefined) return ungoverned(`service ${serviceId}`);
        const name = (await unlessGone(this.adapter.serviceName(serviceId))) ?? serviceId;
        return { status: 'located', target: { ref: this.ref('service', network, name), ids: { serviceId } } };
      }
      case 'service-network': {
        const identifier = ids.serviceNetworkIdentifier ?? ids.createdId;
        const name = identifier === undefined ? ids.name : await this.networkName(idOf(identifier));
        if (name === undefined) {
          return unlocatable(
            `${change.operation}: the service network ${identifier ?? ''} cannot be read (deleted?)`,
          );
        }
        if (!governed.includes(name)) return ungoverned(`service network ${name}`);
        return { status: 'located', target: { ref: this.ref('service-network', name, name), ids: {} } };
      }
      case 'service-network-service-association': {
        if (ids.serviceNetworkIdentifier === undefined || ids.serviceIdentifier === undefined) {
          return unlocatable(
            `${change.operation} names the association only; which service network it belonged to cannot be read back`,
          );
        }
        const name = await this.networkName(idOf(ids.serviceNetworkIdentifier));
        if (name === undefined)
          return unlocatable(`service network ${ids.serviceNetworkIdentifier} cannot be read`);
        if (!governed.includes(name)) return ungoverned(`service network ${name}`);
        const serviceId = idOf(ids.serviceIdentifier);
        const service = (await unlessGone(this.adapter.serviceName(serviceId))) ?? serviceId;
        return {
          status: 'located',
          target: { ref: this.ref(change.kind, name, service), ids: { serviceId } },
        };
      }
      case 'target-group': {
        const identifier = ids.targetGroupIdentifier ?? ids.createdId;
        if (change.verb === 'create' || identifier === undefined) {
          return {
            status: 'ungoverned',
            explanation: 'a new target group is used by no rule yet; the rule that forwards to it is judged',
          };
        }
        return this.locateTargetGroup(idOf(identifier), governed, ungoverned);
      }
      default:
        return unlocatable(
          `${change.operation}: which service network it changed cannot be read from the record`,
        );
    }
  }

  private async locateListener(
    change: LatticeCall,
    serviceId: string,
    listenerIdentifier: string | undefined,
    governed: readonly string[],
    ungoverned: (what: string) => Located,
  ): Promise<Located> {
    const network = await this.governedNetworkOf(serviceId, governed);
    if (network === undefined) return ungoverned(`service ${serviceId}`);
    const service = (await unlessGone(this.adapter.serviceName(serviceId))) ?? serviceId;
    const listenerId = listenerIdentifier === undefined ? undefined : idOf(listenerIdentifier);
    const name =
      (listenerId === undefined
        ? undefined
        : await unlessGone(this.adapter.listenerName(serviceId, listenerId))) ??
      change.ids.name ??
      listenerId;
    if (name === undefined || listenerId === undefined) {
      return unlocatable(`${change.operation} names no listener identifier`, network);
    }
    return {
      status: 'located',
      target: { ref: this.ref('listener', network, name, service), ids: { serviceId, listenerId } },
    };
  }

  private async locateTargetGroup(
    targetGroupId: string,
    governed: readonly string[],
    ungoverned: (what: string) => Located,
  ): Promise<Located> {
    // A target group belongs to no service network: it is governed where a governed network's
    // rules forward to it. The networks are read whole to know.
    for (const network of governed) {
      const snapshot = await unlessGone(this.adapter.readServiceNetwork(network));
      const group = snapshot?.targetGroups.find((t) => t.id === targetGroupId);
      if (group !== undefined) {
        return { status: 'located', target: { ref: this.ref('target-group', network, group.name), ids: {} } };
      }
    }
    const read = await unlessGone(
      call(`GetTargetGroup ${targetGroupId}`, () =>
        this.client.send(new GetTargetGroupCommand({ targetGroupIdentifier: targetGroupId })),
      ),
    );
    return ungoverned(
      `target group ${read?.name ?? targetGroupId}, which no rule of a governed network forwards to,`,
    );
  }

  /** Tag/UntagResource: the kind is the ARN's; judged as a change of that resource. */
  private async locateArn(
    change: LatticeCall,
    arn: string | undefined,
    governed: readonly string[],
  ): Promise<Located> {
    if (arn === undefined) return unlocatable(`${change.operation} names no resource ARN`);
    const path = pathIdsOf(arn);
    const as = (kind: LatticeResourceKind, ids: LatticeCall['ids']) =>
      this.locate({ ...change, kind, verb: 'update', ids }, governed);
    if (path.rule !== undefined && path.service !== undefined && path.listener !== undefined) {
      return as('rule', {
        serviceIdentifier: path.service,
        listenerIdentifier: path.listener,
        ruleIdentifier: path.rule,
      });
    }
    if (path.listener !== undefined && path.service !== undefined) {
      return as('listener', { serviceIdentifier: path.service, listenerIdentifier: path.listener });
    }
    if (path.service !== undefined) return as('service', { serviceIdentifier: path.service });
    if (path.servicenetwork !== undefined)
      return as('service-network', { serviceNetworkIdentifier: path.servicenetwork });
    if (path.targetgroup !== undefined)
      return as('target-group', { targetGroupIdentifier: path.targetgroup });
    return unlocatable(`${change.operation} on ${arn}: tags of this kind of resource are not judged yet`);
  }

  async read(target: LatticeTarget): Promise<LatticeResourceState | undefined> {
    const { serviceId, listenerId, ruleId, ownerId } = target.ids;
    if (target.ref.kind === 'rule' && serviceId && listenerId && ruleId) {
      const rule = await this.adapter.readRule({ serviceId, listenerId, ruleId });
      return rule === undefined
        ? undefined
        : { type: 'rule', name: rule.name, match: rule.match, priority: rule.priority, action: rule.action };
    }
    if (target.ref.kind === 'listener' && serviceId && listenerId) {
      const listener = await unlessGone(
        call(`GetListener ${serviceId}/${listenerId}`, () =>
          this.client.send(
            new GetListenerCommand({ serviceIdentifier: serviceId, listenerIdentifier: listenerId }),
          ),
        ),
      );
      return listener?.defaultAction === undefined
        ? undefined
        : { type: 'listener', name: listener.name ?? target.ref.name, defaultAction: listener.defaultAction };
    }
    if (target.ref.kind === 'auth-policy' && ownerId) {
      const answer = await unlessGone(
        call(`GetAuthPolicy ${ownerId}`, () =>
          this.client.send(new GetAuthPolicyCommand({ resourceIdentifier: ownerId })),
        ),
      );
      return { type: 'auth-policy', policy: answer?.policy ?? null };
    }
    return undefined;
  }

  async write(target: LatticeTarget, state: LatticeResourceState): Promise<void> {
    const { serviceId, listenerId, ruleId, ownerId } = target.ids;
    if (state.type === 'rule' && serviceId && listenerId && ruleId) {
      // UpdateRule replaces what it is given: match, priority and action, all of them.
      await call(`UpdateRule ${serviceId}/${listenerId}/${ruleId}`, () =>
        this.client.send(
          new UpdateRuleCommand({
            serviceIdentifier: serviceId,
            listenerIdentifier: listenerId,
            ruleIdentifier: ruleId,
            ...(state.match === undefined ? {} : { match: state.match as RuleMatch }),
            ...(state.priority === undefined ? {} : { priority: state.priority }),
            action: state.action as RuleAction,
          }),
        ),
      );
      return;
    }
    if (state.type === 'listener' && serviceId && listenerId) {
      await call(`UpdateListener ${serviceId}/${listenerId}`, () =>
        this.client.send(
          new UpdateListenerCommand({
            serviceIdentifier: serviceId,
            listenerIdentifier: listenerId,
            defaultAction: state.defaultAction as RuleAction,
          }),
        ),
      );
      return;
    }
    if (state.type === 'auth-policy' && ownerId && state.policy !== null) {
      const policy = state.policy;
      await call(`PutAuthPolicy ${ownerId}`, () =>
        this.client.send(new PutAuthPolicyCommand({ resourceIdentifier: ownerId, policy })),
      );
      return;
    }
    throw new NotFoundError(`cannot write a ${state.type} state to ${target.ref.kind} ${target.ref.name}`);
  }

  async remove(target: LatticeTarget): Promise<void> {
    const { serviceId, listenerId, ruleId, ownerId } = target.ids;
    if (target.ref.kind === 'rule' && serviceId && listenerId && ruleId) {
      await unlessGone(
        call(`DeleteRule ${serviceId}/${listenerId}/${ruleId}`, () =>
          this.client.send(
            new DeleteRuleCommand({
              serviceIdentifier: serviceId,
              listenerIdentifier: listenerId,
              ruleIdentifier: ruleId,
            }),
          ),
        ),
      );
      return;
    }
    if (target.ref.kind === 'auth-policy' && ownerId) {
      await unlessGone(
        call(`DeleteAuthPolicy ${ownerId}`, () =>
          this.client.send(new DeleteAuthPolicyCommand({ resourceIdentifier: ownerId })),
        ),
      );
      return;
    }
    throw new NotFoundError(`cannot remove ${target.ref.kind} ${target.ref.name}`);
  }

  async baseline(serviceNetwork: string): Promise<{ target: LatticeTarget; state: LatticeResourceState }[]> {
    const snapshot = await this.adapter.readServiceNetwork(serviceNetwork);
    const found: { target: LatticeTarget; state: LatticeResourceState }[] = [
      {
        target: {
          ref: this.ref('auth-policy', serviceNetwork, serviceNetwork, 'service-network'),
          ids: { ownerId: snapshot.id },
        },
        state: { type: 'auth-policy', policy: snapshot.authPolicy ?? null },
      },
    ];
    for (const service of snapshot.services) {
      found.push({
        target: {
          ref: this.ref('auth-policy', serviceNetwork, service.name, 'service'),
          ids: { ownerId: service.id },
        },
        state: { type: 'auth-policy', policy: service.authPolicy ?? null },
      });
      for (const listener of service.listeners) {
        for (const rule of listener.rules) {
          if (rule.isDefault) {
            found.push({
              target: {
                ref: this.ref('listener', serviceNetwork, listener.name, service.name),
                ids: { serviceId: service.id, listenerId: listener.id },
              },
              state: { type: 'listener', name: listener.name, defaultAction: rule.action },
            });
          } else if (rule.address.ruleId !== undefined) {
            found.push({
              target: {
                ref: this.ref('rule', serviceNetwork, rule.name, `${service.name}/${listener.name}`),
                ids: { serviceId: service.id, listenerId: listener.id, ruleId: rule.address.ruleId },
              },
              state: {
                type: 'rule',
                name: rule.name,
                match: rule.match,
                priority: rule.priority,
                action: rule.action,
              },
            });
          }
        }
      }
    }
    return found;
  }
}

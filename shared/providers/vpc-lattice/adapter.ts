/**
 * The VPC Lattice adapter: SDK v3 calls and nothing else. Reads a service network whole
 * (services, listeners, rules, target groups, auth policies, associations, every page), reads
 * one rule with one call, and writes a rule back whole (UpdateRule takes match, priority and
 * action; a default action is the listener's, written with UpdateListener). The client is
 * injected (create it once at module scope with createLatticeClient) so tests can substitute it.
 */
import {
  GetAuthPolicyCommand,
  GetListenerCommand,
  type GetListenerCommandOutput,
  GetRuleCommand,
  GetServiceCommand,
  GetServiceNetworkCommand,
  GetTargetGroupCommand,
  ListListenersCommand,
  ListRulesCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServiceNetworksCommand,
  ListServiceNetworkVpcAssociationsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  type RuleAction,
  UpdateListenerCommand,
  UpdateRuleCommand,
  type VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { mapBounded } from '../../bounded-map';
import { LATTICE_DEFAULT_RULE, type LatticeRouteId } from '../../domain/weighted-route';
import { MeshwardenError, NotFoundError } from '../../errors';
import { idOf, type LatticeRuleAddress } from './arns';
import { allPages, latticeCall } from './calls';
import type {
  LatticeListenerState,
  LatticeNetworkCertificateView,
  LatticeRuleState,
  LatticeServiceCertificateView,
  LatticeServiceNetworkSnapshot,
  LatticeServiceState,
  LatticeTargetGroupState,
} from './model';

/** Tuning of the adapter. */
export interface LatticeAdapterOptions {
  /** Most calls in flight while reading a service network. Default 8. */
  readonly concurrency?: number;
  /** Page size of List* calls (Lattice's maximum is 100). Default 100. */
  readonly pageSize?: number;
  readonly now?: () => Date;
}

/** Names are immutable in VPC Lattice, so ids resolve to names once; bounded, as ids come from events. */
const NAME_CACHE_LIMIT = 2048;

function iso(date: Date | undefined): string | undefined {
  return date === undefined ? undefined : date.toISOString();
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new MeshwardenError(`VPC Lattice answered without ${what}`);
  return value;
}

/** A listener's default action as a rule: the one UpdateListener writes. */
function defaultRuleOf(address: LatticeRuleAddress, listener: GetListenerCommandOutput): LatticeRuleState {
  return {
    address: { serviceId: address.serviceId, listenerId: address.listenerId },
    arn: required(listener.arn, 'the listener ARN'),
    name: LATTICE_DEFAULT_RULE,
    isDefault: true,
    match: undefined,
    priority: undefined,
    action: required(listener.defaultAction, 'the listener default action'),
    lastUpdatedAt: iso(listener.lastUpdatedAt),
  };
}

/** The VPC Lattice adapter over one client. */
export class LatticeAdapter {
  private readonly concurrency: number;
  private readonly pageSize: number;
  private readonly now: () => Date;
  private readonly names = new Map<string, string>();

  constructor(
    private readonly client: VPCLatticeClient,
    options: LatticeAdapterOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 8;
    this.pageSize = options.pageSize ?? 100;
    this.now = options.now ?? (() => new Date());
  }

  private call<T>(attempted: string, fn: () => Promise<T>): Promise<T> {
    return latticeCall(attempted, fn);
  }

  private all<T>(
    attempted: string,
    page: (nextToken: string | undefined) => Promise<{ items?: T[]; nextToken?: string }>,
  ): Promise<T[]> {
    return allPages(attempted, page);
  }

  /**
   * One rule with one call (GetRule), or a listener's default action (GetListener, when the
   * address has no rule id). Undefined when it, its listener or its service is gone.
   */
  async readRule(address: LatticeRuleAddress): Promise<LatticeRuleState | undefined> {
    const { serviceId, listenerId, ruleId } = address;
    try {
      if (ruleId === undefined) return defaultRuleOf(address, await this.getListener(serviceId, listenerId));
      const rule = await this.call(`GetRule ${serviceId}/${listenerId}/${ruleId}`, () =>
        this.client.send(
          new GetRuleCommand({
            serviceIdentifier: serviceId,
            listenerIdentifier: listenerId,
            ruleIdentifier: ruleId,
          }),
        ),
      );
      return {
        address,
        arn: required(rule.arn, 'the rule ARN'),
        name: required(rule.name, 'the rule name'),
        isDefault: rule.isDefault === true,
        match: rule.match,
        priority: rule.priority,
        action: required(rule.action, 'the rule action'),
        lastUpdatedAt: iso(rule.lastUpdatedAt),
      };
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * Write a rule back whole with a new action: UpdateRule with the match and priority as read
   * (it replaces what it is given), or UpdateListener for a default action. Returns the rule
   * as Lattice answered (its answer carries no update time).
   */
  async writeRule(rule: LatticeRuleState, action: RuleAction): Promise<LatticeRuleState> {
    const { serviceId, listenerId, ruleId } = rule.address;
    if (ruleId === undefined) {
      await this.call(`UpdateListener ${serviceId}/${listenerId}`, () =>
        this.client.send(
          new UpdateListenerCommand({
            serviceIdentifier: serviceId,
            listenerIdentifier: listenerId,
            defaultAction: action,
          }),
        ),
      );
      return { ...rule, action, lastUpdatedAt: undefined };
    }
    const written = await this.call(`UpdateRule ${serviceId}/${listenerId}/${ruleId}`, () =>
      this.client.send(
        new UpdateRuleCommand({
          serviceIdentifier: serviceId,
          listenerIdentifier: listenerId,
          ruleIdentifier: ruleId,
          ...(rule.match === undefined ? {} : { match: rule.match }),
          ...(rule.priority === undefined ? {} : { priority: rule.priority }),
          action,
        }),
      ),
    );
    return {
      ...rule,
      match: written.match ?? rule.match,
      priority: written.priority ?? rule.priority,
      action: written.action ?? action,
      lastUpdatedAt: undefined,
    };
  }

  private remember(id: string, name: string): string {
    if (this.names.size >= NAME_CACHE_LIMIT) this.names.clear();
    this.names.set(id, name);
    return name;
  }

  /** The tags of a Lattice resource (a rule, a listener). */
  async tagsOf(arn: string): Promise<Record<string, string>> {
    const answer = await this.call(`ListTagsForResource ${arn}`, () =>
      this.client.send(new ListTagsForResourceCommand({ resourceArn: arn })),
    );
    return { ...(answer.tags ?? {}) };
  }

  /** A service's name (cached: Lattice names never change). */
  async serviceName(serviceId: string): Promise<string> {
    const known = this.names.get(serviceId);
    if (known !== undefined) return known;
    const service = await this.call(`GetService ${serviceId}`, () =>
      this.client.send(new GetServiceCommand({ serviceIdentifier: serviceId })),
    );
    return this.remember(serviceId, required(service.name, 'the service name'));
  }

  /** A listener's name (cached). */
  async listenerName(serviceId: string, listenerId: string): Promise<string> {
    const known = this.names.get(listenerId);
    if (known !== undefined) return known;
    const listener = await this.getListener(serviceId, listenerId);
    return this.remember(listenerId, required(listener.name, 'the listener name'));
  }

  private getListener(serviceId: string, listenerId: string): Promise<GetListenerCommandOutput> {
    return this.call(`GetListener ${serviceId}/${listenerId}`, () =>
      this.client.send(
        new GetListenerCommand({ serviceIdentifier: serviceId, listenerIdentifier: listenerId }),
      ),
    );
  }

  /** The names of the service networks a service is associated with (every page). */
  async serviceNetworksOf(serviceId: string): Promise<string[]> {
    const associations = await this.all(`ListServiceNetworkServiceAssociations ${serviceId}`, (nextToken) =>
      this.client.send(
        new ListServiceNetworkServiceAssociationsCommand({
          serviceIdentifier: serviceId,
          maxResults: this.pageSize,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      ),
    );
    return associations.flatMap((a) => (a.serviceNetworkName === undefined ? [] : [a.serviceNetworkName]));
  }

  /**
   * The address of a rule known by names only (no ARN recorded): the services of its network,
   * its listeners and rules are listed to find the ids. Several calls; a rollback path has the
   * ARN and reads with one. Undefined when a name is not found.
   */
  async resolve(id: LatticeRouteId): Promise<LatticeRuleAddress | undefined> {
    const services = await this.all(`ListServices`, (nextToken) =>
      this.client.send(
        new ListServicesCommand({
          maxResults: this.pageSize,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      ),
    );
    const service = services.find((s) => s.name === id.service);
    if (service?.id === undefined) return undefined;
    const serviceId = service.id;
    const listeners = await this.listenersOf(serviceId);
    const listener = listeners.find((l) => l.name === id.listener);
    if (listener?.id === undefined) return undefined;
    if (id.rule === LATTICE_DEFAULT_RULE) return { serviceId, listenerId: listener.id };
    const rules = await this.rulesOf(serviceId, listener.id);
    const rule = rules.find((r) => r.isDefault !== true && r.name === id.rule);
    return rule?.id === undefined ? undefined : { serviceId, listenerId: listener.id, ruleId: rule.id };
  }

  private listenersOf(serviceId: string) {
    return this.all(`ListListeners ${serviceId}`, (nextToken) =>
      this.client.send(
        new ListListenersCommand({
          serviceIdentifier: serviceId,
          maxResults: this.pageSize,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      ),
    );
  }

  private rulesOf(serviceId: string, listenerId: string) {
    return this.all(`ListRules ${serviceId}/${listenerId}`, (nextToken) =>
      this.client.send(
        new ListRulesCommand({
          serviceIdentifier: serviceId,
          listenerIdentifier: listenerId,
          maxResults: this.pageSize,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      ),
    );
  }

  private async authPolicyOf(resourceIdentifier: string): Promise<string | undefined> {
    try {
      const answer = await this.call(`GetAuthPolicy ${resourceIdentifier}`, () =>
        this.client.send(new GetAuthPolicyCommand({ resourceIdentifier })),
      );
      return answer.policy;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  private async readListener(
    serviceId: string,
    summary: { id?: string },
  ): Promise<LatticeListenerState | undefined> {
    const listenerId = required(summary.id, 'a listener id');
    let listener: GetListenerCommandOutput;
    try {
      listener = await this.getListener(serviceId, listenerId);
    } catch (error) {
      // Deleted while the read ran: it is not part of the service now.
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
    const defaultAction = defaultRuleOf({ serviceId, listenerId }, listener);
    const summaries = (await this.rulesOf(serviceId, listenerId)).filter((r) => r.isDefault !== true);
    const rules = await mapBounded(summaries, this.concurrency, (r) =>
      this.readRule({ serviceId, listenerId, ruleId: required(r.id, 'a rule id') }),
    );
    const present = rules.filter((r): r is LatticeRuleState => r !== undefined);
    present.sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
    return {
      id: listenerId,
      arn: defaultAction.arn,
      name: this.remember(listenerId, required(listener.name, 'the listener name')),
      protocol: listener.protocol,
      port: listener.port,
      rules: [defaultAction, ...present],
    };
  }

  private async readService(summary: {
    serviceId?: string;
    serviceArn?: string;
    serviceName?: string;
  }): Promise<LatticeServiceState | undefined> {
    const serviceId = required(summary.serviceId, 'a service id');
    try {
      const [described, listeners, authPolicy] = await Promise.all([
        this.call(`GetService ${serviceId}`, () =>
          this.client.send(new GetServiceCommand({ serviceIdentifier: serviceId })),
        ),
        this.listenersOf(serviceId),
        this.authPolicyOf(serviceId),
      ]);
      const read = await mapBounded(listeners, this.concurrency, (l) => this.readListener(serviceId, l));
      return {
        id: serviceId,
        arn: required(summary.serviceArn, 'a service ARN'),
        name: this.remember(serviceId, required(summary.serviceName, 'a service name')),
        authType: described.authType,
        certificateArn: described.certificateArn === '' ? undefined : described.certificateArn,
        customDomainName: described.customDomainName,
        authPolicy,
        listeners: read.filter((l): l is LatticeListenerState => l !== undefined),
      };
    } catch (error) {
      // Deleted while the read ran: it is not part of the network now.
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /** The service network with this name, by listing them all; NotFoundError when there is none. */
  private async networkNamed(name: string) {
    const networks = await this.all('ListServiceNetworks', (nextToken) =>
      this.client.send(
        new ListServiceNetworksCommand({
          maxResults: this.pageSize,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      ),
    );
    const network = networks.find((n) => n.name === name);
    if (network?.id === undefined)
      throw new NotFoundError(`VPC Lattice service network ${name} does not exist`);
    return { ...network, id: network.id };
  }

  private servicesIn(networkId: string, name: string) {
    return this.all(`ListServiceNetworkServiceAssociations ${name}`, (nextToken) =>
      this.client.send(
        new ListServiceNetworkServiceAssociationsCommand({
          serviceNetworkIdentifier: networkId,
          maxResults: this.pageSize,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      ),
    );
  }

  /**
   * The certificates of a service network's services, by name: each associated service's ACM
   * certificate and custom domain (GetService) and its listeners' protocols and ports (the
   * ListListeners summaries say both). Nothing else is read, so certificate rotation needs no
   * rule, target group or auth policy reads. NotFoundError when no service network has the name.
   */
  async readNetworkCertificates(name: string): Promise<LatticeNetworkCertificateView> {
    const network = await this.networkNamed(name);
    const associations = await this.servicesIn(network.id, name);
    const services = await mapBounded(
      associations,
      this.concurrency,
      async (summary): Promise<LatticeServiceCertificateView | undefined> => {
        const serviceId = required(summary.serviceId, 'a service id');
        try {
          const [described, listeners] = await Promise.all([
            this.call(`GetService ${serviceId}`, () =>
              this.client.send(new GetServiceCommand({ serviceIdentifier: serviceId })),
            ),
            this.listenersOf(serviceId),
          ]);
          return {
            id: serviceId,
            arn: required(summary.serviceArn, 'a service ARN'),
            name: this.remember(serviceId, required(summary.serviceName, 'a service name')),
            certificateArn: described.certificateArn === '' ? undefined : described.certificateArn,
            customDomainName: described.customDomainName,
            listeners: listeners.map((l) => ({
              id: required(l.id, 'a listener id'),
              name: required(l.name, 'a listener name'),
              protocol: l.protocol,
              port: l.port,
            })),
          };
        } catch (error) {
          // Deleted while the read ran: it is not part of the network now.
          if (error instanceof NotFoundError) return undefined;
          throw error;
        }
      },
    );
    return {
      name,
      services: services
        .filter((s): s is LatticeServiceCertificateView => s !== undefined)
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  /**
   * Read a service network whole, by name: its auth policy and VPC associations, every
   * associated service with its auth type, certificate, auth policy, listeners (default action
   * first) and rules, and the target groups the rules forward to. NotFoundError when no service network has the name.
   */
  async readServiceNetwork(name: string): Promise<LatticeServiceNetworkSnapshot> {
    const takenAt = this.now().toISOString();
    const network = await this.networkNamed(name);
    const networkId = network.id;
    const [described, associations, vpcs, authPolicy] = await Promise.all([
      this.call(`GetServiceNetwork ${name}`, () =>
        this.client.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: networkId })),
      ),
      this.servicesIn(networkId, name),
      this.all(`ListServiceNetworkVpcAssociations ${name}`, (nextToken) =>
        this.client.send(
          new ListServiceNetworkVpcAssociationsCommand({
            serviceNetworkIdentifier: networkId,
            maxResults: this.pageSize,
            ...(nextToken === undefined ? {} : { nextToken }),
          }),
        ),
      ),
      this.authPolicyOf(networkId),
    ]);
    const services = (await mapBounded(associations, this.concurrency, (a) => this.readService(a))).filter(
      (s): s is LatticeServiceState => s !== undefined,
    );
    services.sort((a, b) => a.name.localeCompare(b.name));
    const targetGroupIds = [
      ...new Set(
        services.flatMap((s) =>
          s.listeners.flatMap((l) =>
            l.rules.flatMap((r) =>
              (r.action.forward?.targetGroups ?? []).map((t) => idOf(t.targetGroupIdentifier ?? '')),
            ),
          ),
        ),
      ),
    ].filter((id) => id !== '');
    const targetGroups = (
      await mapBounded(
        targetGroupIds,
        this.concurrency,
        async (id): Promise<LatticeTargetGroupState | undefined> => {
          try {
            const tg = await this.call(`GetTargetGroup ${id}`, () =>
              this.client.send(new GetTargetGroupCommand({ targetGroupIdentifier: id })),
            );
            return {
              id,
              arn: required(tg.arn, 'a target group ARN'),
              name: required(tg.name, 'a target group name'),
              type: tg.type,
            };
          } catch (error) {
            if (error instanceof NotFoundError) return undefined;
            throw error;
          }
        },
      )
    ).filter((t): t is LatticeTargetGroupState => t !== undefined);
    return {
      id: networkId,
      arn: required(network.arn, 'the service network ARN'),
      name,
      takenAt,
      authType: described.authType,
      authPolicy,
      services,
      targetGroups,
      vpcAssociations: vpcs.map((v) => ({ id: required(v.id, 'a VPC association id'), vpcId: v.vpcId })),
    };
  }
}

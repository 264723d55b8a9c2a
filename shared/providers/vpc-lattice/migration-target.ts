/**
 * The VPC Lattice side of `migrate apply` (the LatticeMigrationTarget port): read what exists
 * under a plan's names, and create one resource per call with the caller's client token and
 * tags. SDK calls only; errors become domain errors.
 */
import {
  CreateListenerCommand,
  CreateRuleCommand,
  CreateServiceCommand,
  CreateServiceNetworkCommand,
  CreateServiceNetworkServiceAssociationCommand,
  CreateServiceNetworkVpcAssociationCommand,
  CreateTargetGroupCommand,
  GetAuthPolicyCommand,
  GetListenerCommand,
  GetRuleCommand,
  GetServiceCommand,
  GetServiceNetworkCommand,
  GetTargetGroupCommand,
  type HealthCheckConfig,
  ListListenersCommand,
  ListRulesCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServiceNetworksCommand,
  ListServiceNetworkVpcAssociationsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTargetGroupsCommand,
  PutAuthPolicyCommand,
  type RuleAction,
  type RuleMatch,
  TagResourceCommand,
  type VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { mapBounded } from '../../bounded-map';
import { MeshwardenError, NotFoundError } from '../../errors';
import type {
  ExistingLattice,
  ExistingListener,
  ExistingRule,
  ExistingService,
  ExistingServiceNetwork,
  ExistingTargetGroup,
  LatticeCreate,
  LatticeMigrationTarget,
  LatticeResourceId,
} from '../../migration/lattice-target';
import { allPages, latticeCall } from './calls';

const PAGE_SIZE = 100;
const CONCURRENCY = 4;

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new MeshwardenError(`VPC Lattice answered without ${what}`);
  return value;
}

/** Creates a migration plan's resources in VPC Lattice through one client. */
export class LatticeMigrationAdapter implements LatticeMigrationTarget {
  constructor(private readonly client: VPCLatticeClient) {}

  private call<T>(attempted: string, fn: () => Promise<T>): Promise<T> {
    return latticeCall(attempted, fn);
  }

  private all<T>(
    attempted: string,
    page: (nextToken: string | undefined) => Promise<{ items?: T[]; nextToken?: string }>,
  ): Promise<T[]> {
    return allPages(attempted, page);
  }

  private paging(nextToken: string | undefined) {
    return { maxResults: PAGE_SIZE, ...(nextToken === undefined ? {} : { nextToken }) };
  }

  private async tagsOf(arn: string): Promise<Record<string, string>> {
    const answer = await this.call(`ListTagsForResource ${arn}`, () =>
      this.client.send(new ListTagsForResourceCommand({ resourceArn: arn })),
    );
    return { ...(answer.tags ?? {}) };
  }

  private async authPolicyOf(resourceIdentifier: string): Promise<string | undefined> {
    try {
      const answer = await this.call(`GetAuthPolicy ${resourceIdentifier}`, () =>
        this.client.send(new GetAuthPolicyCommand({ resourceIdentifier })),
      );
      return answer.policy === undefined || answer.policy === '' ? undefined : answer.policy;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  private async readServiceNetwork(name: string): Promise<ExistingServiceNetwork | undefined> {
    const networks = await this.all('ListServiceNetworks', (t) =>
      this.client.send(new ListServiceNetworksCommand(this.paging(t))),
    );
    const found = networks.find((n) => n.name === name);
    if (found?.id === undefined) return undefined;
    const id = found.id;
    const [described, authPolicy, tags, services, vpcs] = await Promise.all([
      this.call(`GetServiceNetwork ${name}`, () =>
        this.client.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: id })),
      ),
      this.authPolicyOf(id),
      this.tagsOf(required(found.arn, 'the service network ARN')),
      this.all(`ListServiceNetworkServiceAssociations ${name}`, (t) =>
        this.client.send(
          new ListServiceNetworkServiceAssociationsCommand({
            serviceNetworkIdentifier: id,
            ...this.paging(t),
          }),
        ),
      ),
      this.all(`ListServiceNetworkVpcAssociations ${name}`, (t) =>
        this.client.send(
          new ListServiceNetworkVpcAssociationsCommand({ serviceNetworkIdentifier: id, ...this.paging(t) }),
        ),
      ),
    ]);
    return {
      id,
      arn: required(found.arn, 'the service network ARN'),
      name,
      authType: described.authType,
      authPolicy,
      tags,
      serviceAssociations: services.flatMap((a) => (a.serviceName === undefined ? [] : [a.serviceName])),
      vpcAssociations: vpcs.flatMap((v) => (v.vpcId === undefined ? [] : [v.vpcId])),
    };
  }

  private async readTargetGroups(names: ReadonlySet<string>): Promise<ExistingTargetGroup[]> {
    const groups = await this.all('ListTargetGroups', (t) =>
      this.client.send(new ListTargetGroupsCommand(this.paging(t))),
    );
    const wanted = groups.filter((g) => g.name !== undefined && names.has(g.name));
    return mapBounded(wanted, CONCURRENCY, async (g) => {
      const id = required(g.id, 'a target group id');
      const [tg, tags] = await Promise.all([
        this.call(`GetTargetGroup ${id}`, () =>
          this.client.send(new GetTargetGroupCommand({ targetGroupIdentifier: id })),
        ),
        this.tagsOf(required(g.arn, 'a target group ARN')),
      ]);
      return {
        id,
        arn: required(g.arn, 'a target group ARN'),
        name: required(g.name, 'a target group name'),
        type: tg.type,
        port: tg.config?.port,
        protocol: tg.config?.protocol,
        protocolVersion: tg.config?.protocolVersion,
        vpcIdentifier: tg.config?.vpcIdentifier,
        tags,
      };
    });
  }

  private async readRules(serviceId: string, listenerId: string): Promise<ExistingRule[]> {
    const rules = await this.all(`ListRules ${serviceId}/${listenerId}`, (t) =>
      this.client.send(
        new ListRulesCommand({
          serviceIdentifier: serviceId,
          listenerIdentifier: listenerId,
          ...this.paging(t),
        }),
      ),
    );
    return mapBounded(
      rules.filter((r) => r.isDefault !== true),
      CONCURRENCY,
      async (r) => {
        const ruleId = required(r.id, 'a rule id');
        const rule = await this.call(`GetRule ${serviceId}/${listenerId}/${ruleId}`, () =>
          this.client.send(
            new GetRuleCommand({
              serviceIdentifier: serviceId,
              listenerIdentifier: listenerId,
              ruleIdentifier: ruleId,
            }),
          ),
        );
        const arn = required(rule.arn, 'a rule ARN');
        return {
          id: ruleId,
          arn,
          name: required(rule.name, 'a rule name'),
          priority: rule.priority,
          match: rule.match,
          action: rule.action,
          tags: await this.tagsOf(arn),
        };
      },
    );
  }

  private async readListeners(serviceId: string): Promise<ExistingListener[]> {
    const listeners = await this.all(`ListListeners ${serviceId}`, (t) =>
      this.client.send(new ListListenersCommand({ serviceIdentifier: serviceId, ...this.paging(t) })),
    );
    return mapBounded(listeners, CONCURRENCY, async (l) => {
      const listenerId = required(l.id, 'a listener id');
      const listener = await this.call(`GetListener ${serviceId}/${listenerId}`, () =>
        this.client.send(
          new GetListenerCommand({ serviceIdentifier: serviceId, listenerIdentifier: listenerId }),
        ),
      );
      const arn = required(listener.arn, 'a listener ARN');
      const [tags, rules] = await Promise.all([this.tagsOf(arn), this.readRules(serviceId, listenerId)]);
      return {
        id: listenerId,
        arn,
        name: required(listener.name, 'a listener name'),
        protocol: listener.protocol,
        port: listener.port,
        defaultAction: listener.defaultAction,
        tags,
        rules,
      };
    });
  }

  private async readServices(names: ReadonlySet<string>): Promise<ExistingService[]> {
    const services = await this.all('ListServices', (t) =>
      this.client.send(new ListServicesCommand(this.paging(t))),
    );
    const wanted = services.filter((s) => s.name !== undefined && names.has(s.name));
    return mapBounded(wanted, CONCURRENCY, async (s) => {
      const id = required(s.id, 'a service id');
      const arn = required(s.arn, 'a service ARN');
      const [service, authPolicy, tags, listeners] = await Promise.all([
        this.call(`GetService ${id}`, () =>
          this.client.send(new GetServiceCommand({ serviceIdentifier: id })),
        ),
        this.authPolicyOf(id),
        this.tagsOf(arn),
        this.readListeners(id),
      ]);
      return {
        id,
        arn,
        name: required(s.name, 'a service name'),
        authType: service.authType,
        customDomainName: service.customDomainName,
        ...(service.dnsEntry?.domainName === undefined ? {} : { domainName: service.dnsEntry.domainName }),
        certificateArn: service.certificateArn === '' ? undefined : service.certificateArn,
        authPolicy,
        tags,
        listeners,
      };
    });
  }

  async read(names: {
    readonly serviceNetwork: string;
    readonly services: readonly string[];
    readonly targetGroups: readonly string[];
  }): Promise<ExistingLattice> {
    const [serviceNetwork, services, targetGroups] = await Promise.all([
      this.readServiceNetwork(names.serviceNetwork),
      this.readServices(new Set(names.services)),
      this.readTargetGroups(new Set(names.targetGroups)),
    ]);
    return { serviceNetwork, services, targetGroups };
  }

  async create(request: LatticeCreate): Promise<LatticeResourceId> {
    const { clientToken, tags } = request;
    const tagged = { clientToken, tags: { ...tags } };
    const answer = await this.call(
      `create ${request.kind} ${describe(request)}`,
      (): Promise<{ id?: string; arn?: string }> => {
        switch (request.kind) {
          case 'service-network':
            return this.client.send(
              new CreateServiceNetworkCommand({
                name: request.name,
                authType: request.authType as 'NONE',
                ...tagged,
              }),
            );
          case 'target-group':
            return this.client.send(
              new CreateTargetGroupCommand({
                name: request.name,
                type: request.type as 'IP',
                config: {
                  port: request.config.port,
                  protocol: request.config.protocol as 'HTTP',
                  ...(request.config.protocolVersion === undefined
                    ? {}
                    : { protocolVersion: request.config.protocolVersion as 'HTTP1' }),
                  ...(request.config.vpcIdentifier === undefined
                    ? {}
                    : { vpcIdentifier: request.config.vpcIdentifier }),
                  ...(request.config.healthCheck === undefined
                    ? {}
                    : { healthCheck: request.config.healthCheck as HealthCheckConfig }),
                },
                ...tagged,
              }),
            );
          case 'service':
            return this.client.send(
              new CreateServiceCommand({
                name: request.name,
                authType: request.authType as 'NONE',
                ...(request.customDomainName === undefined
                  ? {}
                  : { customDomainName: request.customDomainName }),
                ...(request.certificateArn === undefined ? {} : { certificateArn: request.certificateArn }),
                ...tagged,
              }),
            );
          case 'listener':
            return this.client.send(
              new CreateListenerCommand({
                serviceIdentifier: request.serviceId,
                name: request.name,
                protocol: request.protocol as 'HTTP',
                port: request.port,
                defaultAction: request.defaultAction as RuleAction,
                ...tagged,
              }),
            );
          case 'rule':
            return this.client.send(
              new CreateRuleCommand({
                serviceIdentifier: request.serviceId,
                listenerIdentifier: request.listenerId,
                name: request.name,
                priority: request.priority,
                match: request.match as RuleMatch,
                action: request.action as RuleAction,
                ...tagged,
              }),
            );
          case 'service-association':
            return this.client.send(
              new CreateServiceNetworkServiceAssociationCommand({
                serviceNetworkIdentifier: request.serviceNetworkId,
                serviceIdentifier: request.serviceId,
                ...tagged,
              }),
            );
          case 'vpc-association':
            return this.client.send(
              new CreateServiceNetworkVpcAssociationCommand({
                serviceNetworkIdentifier: request.serviceNetworkId,
                vpcIdentifier: request.vpcIdentifier,
                ...tagged,
              }),
            );
        }
      },
    );
    return {
      id: required(answer.id, 'the id of what it created'),
      arn: required(answer.arn, 'the ARN of what it created'),
    };
  }

  async putAuthPolicy(resourceId: string, policy: string): Promise<void> {
    await this.call(`PutAuthPolicy ${resourceId}`, () =>
      this.client.send(new PutAuthPolicyCommand({ resourceIdentifier: resourceId, policy })),
    );
  }

  async tag(arn: string, tags: Readonly<Record<string, string>>): Promise<void> {
    await this.call(`TagResource ${arn}`, () =>
      this.client.send(new TagResourceCommand({ resourceArn: arn, tags: { ...tags } })),
    );
  }
}

function describe(request: LatticeCreate): string {
  return 'name' in request
    ? request.name
    : request.kind === 'vpc-association'
      ? request.vpcIdentifier
      : request.serviceId;
}

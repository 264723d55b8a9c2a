import { iso } from './call';
import type {
  ListenerRecord,
  RuleRecord,
  ServiceAssociationRecord,
  ServiceNetworkRecord,
  ServiceRecord,
  TargetGroupRecord,
  VpcAssociationRecord,
} from './records';
import type { LatticeStore } from './store';
import type { RuleAction } from './validation';

/**
 * The wire shapes of the answers, built from the records. One function per shape, so that
 * Get, List and the Create/Update answers say the same thing about a resource.
 */

const times = (r: { createdAt: number; lastUpdatedAt: number }) => ({
  createdAt: iso(r.createdAt),
  lastUpdatedAt: iso(r.lastUpdatedAt),
});

export function serviceNetworkCounts(store: LatticeStore, sn: ServiceNetworkRecord) {
  return {
    numberOfAssociatedServices: store.find(
      'servicenetworkserviceassociation',
      sn.region,
      (a) => a.serviceNetworkArn === sn.arn,
    ).length,
    numberOfAssociatedVPCs: store.find(
      'servicenetworkvpcassociation',
      sn.region,
      (a) => a.serviceNetworkArn === sn.arn,
    ).length,
  };
}

export function serviceNetworkView(store: LatticeStore, sn: ServiceNetworkRecord) {
  return {
    id: sn.id,
    name: sn.name,
    arn: sn.arn,
    authType: sn.authType,
    sharingConfig: sn.sharingConfig,
    ...times(sn),
    ...serviceNetworkCounts(store, sn),
  };
}

export function serviceNetworkSummary(store: LatticeStore, sn: ServiceNetworkRecord) {
  return {
    id: sn.id,
    name: sn.name,
    arn: sn.arn,
    ...times(sn),
    ...serviceNetworkCounts(store, sn),
    numberOfAssociatedResourceConfigurations: 0,
  };
}

export function serviceView(svc: ServiceRecord) {
  return {
    id: svc.id,
    name: svc.name,
    arn: svc.arn,
    ...times(svc),
    dnsEntry: svc.dnsEntry,
    ...(svc.customDomainName === undefined ? {} : { customDomainName: svc.customDomainName }),
    ...(svc.certificateArn === undefined ? {} : { certificateArn: svc.certificateArn }),
    status: 'ACTIVE',
    authType: svc.authType,
  };
}

export function serviceSummary(svc: ServiceRecord) {
  return {
    id: svc.id,
    name: svc.name,
    arn: svc.arn,
    ...times(svc),
    dnsEntry: svc.dnsEntry,
    ...(svc.customDomainName === undefined ? {} : { customDomainName: svc.customDomainName }),
    status: 'ACTIVE',
  };
}

export function listenerView(l: ListenerRecord) {
  return {
    arn: l.arn,
    id: l.id,
    name: l.name,
    protocol: l.protocol,
    port: l.port,
    serviceArn: l.serviceArn,
    serviceId: l.serviceId,
    defaultAction: l.defaultAction,
    ...times(l),
  };
}

export function listenerSummary(l: ListenerRecord) {
  return { arn: l.arn, id: l.id, name: l.name, protocol: l.protocol, port: l.port, ...times(l) };
}

/** The default rule of a listener, as GetRule and ListRules show it. */
export function defaultRuleView(l: ListenerRecord) {
  return {
    arn: `${l.arn}/rule/${l.defaultRuleId}`,
    id: l.defaultRuleId,
    name: 'default',
    isDefault: true,
    action: l.defaultAction,
    ...times(l),
  };
}

export function ruleView(r: RuleRecord) {
  return {
    arn: r.arn,
    id: r.id,
    name: r.name,
    isDefault: false,
    match: r.match,
    priority: r.priority,
    action: r.action,
    ...times(r),
  };
}

export function ruleSummary(r: RuleRecord) {
  return { arn: r.arn, id: r.id, name: r.name, isDefault: false, priority: r.priority, ...times(r) };
}

/** The services whose listeners or rules forward to a target group. */
export function serviceArnsOf(store: LatticeStore, tg: TargetGroupRecord): string[] {
  const forwards = (action: RuleAction) =>
    action.forward?.targetGroups.some((t) => t.targetGroupIdentifier === tg.id) ?? false;
  const arns = new Set<string>();
  for (const l of store.find('listener', tg.region, (x) => forwards(x.defaultAction))) arns.add(l.serviceArn);
  for (const r of store.find('rule', tg.region, (x) => forwards(x.action))) {
    const listener = store.getOf('listener', r.listenerArn);
    if (listener !== undefined) arns.add(listener.serviceArn);
  }
  return [...arns];
}

export function targetGroupView(store: LatticeStore, tg: TargetGroupRecord) {
  return {
    id: tg.id,
    arn: tg.arn,
    name: tg.name,
    type: tg.type,
    ...(tg.config === undefined ? {} : { config: tg.config }),
    ...times(tg),
    status: 'ACTIVE',
    serviceArns: serviceArnsOf(store, tg),
  };
}

export function targetGroupSummary(store: LatticeStore, tg: TargetGroupRecord) {
  const c = tg.config ?? {};
  return {
    id: tg.id,
    arn: tg.arn,
    name: tg.name,
    type: tg.type,
    ...times(tg),
    ...(c.port === undefined ? {} : { port: c.port }),
    ...(c.protocol === undefined ? {} : { protocol: c.protocol }),
    ...(c.ipAddressType === undefined ? {} : { ipAddressType: c.ipAddressType }),
    ...(c.vpcIdentifier === undefined ? {} : { vpcIdentifier: c.vpcIdentifier }),
    ...(c.lambdaEventStructureVersion === undefined
      ? {}
      : { lambdaEventStructureVersion: c.lambdaEventStructureVersion }),
    status: 'ACTIVE',
    serviceArns: serviceArnsOf(store, tg),
  };
}

export function serviceAssociationView(store: LatticeStore, a: ServiceAssociationRecord) {
  const svc = store.getOf('service', a.serviceArn);
  const sn = store.getOf('servicenetwork', a.serviceNetworkArn);
  return {
    id: a.id,
    arn: a.arn,
    status: 'ACTIVE',
    createdBy: a.createdBy,
    createdAt: iso(a.createdAt),
    serviceId: svc?.id,
    serviceName: svc?.name,
    serviceArn: a.serviceArn,
    serviceNetworkId: sn?.id,
    serviceNetworkName: sn?.name,
    serviceNetworkArn: a.serviceNetworkArn,
    dnsEntry: svc?.dnsEntry,
    ...(svc?.customDomainName === undefined ? {} : { customDomainName: svc.customDomainName }),
  };
}

export function vpcAssociationView(store: LatticeStore, a: VpcAssociationRecord) {
  const sn = store.getOf('servicenetwork', a.serviceNetworkArn);
  return {
    id: a.id,
    arn: a.arn,
    status: 'ACTIVE',
    createdBy: a.createdBy,
    ...times(a),
    serviceNetworkId: sn?.id,
    serviceNetworkName: sn?.name,
    serviceNetworkArn: a.serviceNetworkArn,
    vpcId: a.vpcId,
    securityGroupIds: a.securityGroupIds,
    ...(a.privateDnsEnabled === undefined ? {} : { privateDnsEnabled: a.privateDnsEnabled }),
  };
}

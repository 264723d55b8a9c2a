/**
 * The plan as manifests for the AWS Gateway API Controller for VPC Lattice: a Gateway for the
 * service network, an HTTPRoute per service listener (rules in priority order, weighted
 * backendRefs), a TargetGroupPolicy per target group (protocol, health check) and an
 * IAMAuthPolicy per service. The backendRefs name Kubernetes Services named like the target
 * groups: the controller makes the target groups from them.
 */
import { stringify } from 'yaml';
import type {
  MigrationPlan,
  PlannedAction,
  PlannedListener,
  PlannedRuleMatch,
  PlannedService,
} from './plan-model';

const GATEWAY_API = 'gateway.networking.k8s.io/v1';
const LATTICE_API = 'application-networking.k8s.aws/v1alpha1';
/** The controller reads a listener's ACM certificate from this TLS option. */
const CERTIFICATE_OPTION = 'application-networking.k8s.aws/certificate-arn';

type Manifest = Record<string, unknown>;

function gatewayListenerName(
  listener: PlannedListener,
  certificateArn: string | undefined,
  index: number,
): string {
  return `${listener.protocol.toLowerCase()}-${listener.port}${certificateArn === undefined ? '' : `-${index}`}`;
}

function matchOf(match: PlannedRuleMatch): Manifest {
  const out: Manifest = {};
  if (match.path !== undefined)
    out.path =
      'exact' in match.path.match
        ? { type: 'Exact', value: match.path.match.exact }
        : { type: 'PathPrefix', value: match.path.match.prefix };
  if (match.headerMatches !== undefined)
    out.headers = match.headerMatches.map((h) => {
      // Gateway API header matches are Exact or RegularExpression; a prefix is written as the
      // equivalent anchored expression.
      if ('exact' in h.match) return { type: 'Exact', name: h.name, value: h.match.exact };
      const literal = ('prefix' in h.match ? h.match.prefix : h.match.contains).replace(
        /[.*+?^${}()|[\]\\]/g,
        '\\$&',
      );
      return {
        type: 'RegularExpression',
        name: h.name,
        value: 'prefix' in h.match ? `^${literal}.*` : `.*${literal}.*`,
      };
    });
  if (match.method !== undefined) out.method = match.method;
  return out;
}

function backendRefs(action: PlannedAction, ports: ReadonlyMap<string, number>): Manifest[] | undefined {
  if ('fixedResponse' in action) return undefined;
  return action.forward.targetGroups.map((t) => ({
    name: t.targetGroupName,
    kind: 'Service',
    port: ports.get(t.targetGroupName) ?? 80,
    weight: t.weight,
  }));
}

function httpRoutes(
  plan: MigrationPlan,
  service: PlannedService,
  sections: ReadonlyMap<PlannedListener, string>,
  ports: ReadonlyMap<string, number>,
): Manifest[] {
  return service.listeners.map((listener) => {
    const rules: Manifest[] = [...listener.rules]
      .sort((a, b) => a.priority - b.priority)
      .map((rule) => ({
        matches: [matchOf(rule.match)],
        backendRefs: backendRefs(rule.action, ports) ?? [],
      }));
    const fallback = backendRefs(listener.defaultAction, ports);
    if (fallback !== undefined) rules.push({ backendRefs: fallback });
    return {
      apiVersion: GATEWAY_API,
      kind: 'HTTPRoute',
      metadata: {
        name: service.listeners.length > 1 ? `${service.name}-${listener.name}` : service.name,
        annotations: { 'meshwarden.io/from': service.source.map((s) => `${s.kind}/${s.name}`).join(',') },
      },
      spec: {
        parentRefs: [{ name: plan.serviceNetwork.name, sectionName: sections.get(listener) }],
        ...(service.customDomainName !== undefined ? { hostnames: [service.customDomainName] } : {}),
        rules,
      },
    };
  });
}

/** Every manifest of the plan, in apply order. */
export function gatewayApiManifests(plan: MigrationPlan): Manifest[] {
  const ports = new Map(plan.targetGroups.map((tg) => [tg.name, tg.port]));
  const gatewayListeners: Manifest[] = [];
  const byKey = new Map<string, string>();
  const sections = new Map<PlannedListener, string>();
  for (const service of plan.services) {
    for (const listener of service.listeners) {
      const certificate = listener.protocol === 'HTTPS' ? service.certificateArn : undefined;
      const key = `${listener.protocol}/${listener.port}/${certificate ?? ''}`;
      let name = byKey.get(key);
      if (name === undefined) {
        name = gatewayListenerName(listener, certificate, gatewayListeners.length);
        byKey.set(key, name);
        gatewayListeners.push({
          name,
          protocol: listener.protocol,
          port: listener.port,
          ...(listener.protocol === 'HTTPS'
            ? {
                tls: {
                  mode: 'Terminate',
                  ...(certificate !== undefined
                    ? {
                        certificateRefs: [{ name: 'unused' }],
                        options: { [CERTIFICATE_OPTION]: certificate },
                      }
                    : {}),
                },
              }
            : {}),
        });
      }
      sections.set(listener, name);
    }
  }
  const gateway: Manifest = {
    apiVersion: GATEWAY_API,
    kind: 'Gateway',
    metadata: { name: plan.serviceNetwork.name },
    spec: { gatewayClassName: 'amazon-vpc-lattice', listeners: gatewayListeners },
  };
  const targetGroupPolicies: Manifest[] = plan.targetGroups.map((tg) => ({
    apiVersion: LATTICE_API,
    kind: 'TargetGroupPolicy',
    metadata: { name: tg.name },
    spec: {
      targetRef: { group: '', kind: 'Service', name: tg.name },
      protocol: tg.protocol,
      ...(tg.protocolVersion !== undefined ? { protocolVersion: tg.protocolVersion } : {}),
      ...(tg.healthCheck !== undefined
        ? {
            healthCheck: {
              enabled: tg.healthCheck.enabled,
              ...(tg.healthCheck.healthCheckIntervalSeconds !== undefined
                ? { intervalSeconds: tg.healthCheck.healthCheckIntervalSeconds }
                : {}),
              ...(tg.healthCheck.healthCheckTimeoutSeconds !== undefined
                ? { timeoutSeconds: tg.healthCheck.healthCheckTimeoutSeconds }
                : {}),
              ...(tg.healthCheck.healthyThresholdCount !== undefined
                ? { healthyThresholdCount: tg.healthCheck.healthyThresholdCount }
                : {}),
              ...(tg.healthCheck.unhealthyThresholdCount !== undefined
                ? { unhealthyThresholdCount: tg.healthCheck.unhealthyThresholdCount }
                : {}),
              ...(tg.healthCheck.path !== undefined ? { path: tg.healthCheck.path } : {}),
              ...(tg.healthCheck.port !== undefined ? { port: tg.healthCheck.port } : {}),
              ...(tg.healthCheck.protocol !== undefined ? { protocol: tg.healthCheck.protocol } : {}),
              ...(tg.healthCheck.protocolVersion !== undefined
                ? { protocolVersion: tg.healthCheck.protocolVersion }
                : {}),
            },
          }
        : {}),
    },
  }));
  const routes = plan.services.flatMap((s) => httpRoutes(plan, s, sections, ports));
  const authPolicies: Manifest[] = plan.services.flatMap((service) =>
    service.auth.policy === undefined
      ? []
      : service.listeners.map((listener) => ({
          apiVersion: LATTICE_API,
          kind: 'IAMAuthPolicy',
          metadata: {
            name: service.listeners.length > 1 ? `${service.name}-${listener.name}` : service.name,
          },
          spec: {
            targetRef: {
              group: 'gateway.networking.k8s.io',
              kind: 'HTTPRoute',
              name: service.listeners.length > 1 ? `${service.name}-${listener.name}` : service.name,
            },
            policy: JSON.stringify(service.auth.policy),
          },
        })),
  );
  return [gateway, ...targetGroupPolicies, ...routes, ...authPolicies];
}

/** The manifests as one multi-document YAML stream. */
export function gatewayApiYaml(plan: MigrationPlan): string {
  const header = `# meshwarden migrate plan: mesh ${plan.meshName} -> VPC Lattice service network ${plan.serviceNetwork.name}\n# For the AWS Gateway API Controller; backendRefs name Kubernetes Services, one per target group.\n`;
  return (
    header +
    gatewayApiManifests(plan)
      .map((m) => `---\n${stringify(m, { lineWidth: 0 })}`)
      .join('')
  );
}

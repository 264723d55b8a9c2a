import type { GuardDeps } from '../../../shared/deployments/deps';
import type { Deployment, RouteRecord } from '../../../shared/deployments/model';
import { ConflictError, ThrottledError } from '../../../shared/errors';
import type { AlarmStateChangeEvent } from '../../../shared/events/cloudwatch-alarm';
import { parsePolicy } from '../../../shared/policy/load';
import type {
  AlarmInfo,
  DomainEvent,
  LastKnownGood,
  MeshProvider,
  Notification,
  StepInvocation,
} from '../../../shared/ports';
import type { AppMeshApiCallEvent } from '../../../shared/providers/appmesh/cloudtrail';
import type { MeshResourceOf, RouteSpec } from '../../../shared/providers/appmesh/model';
import { loadEvent } from '../../support/sample-events';
import { MemoryApprovalStore } from '../approvals/support';

export const SELF_ROLE = 'arn:aws:iam::123456789012:role/meshwarden-functions';

/** A route spec with these weights, and the fields a rollback must keep. */
export function routeSpec(weights: Record<string, number>): RouteSpec {
  return {
    priority: 5,
    httpRoute: {
      match: { prefix: '/' },
      action: {
        weightedTargets: Object.entries(weights).map(([virtualNode, weight]) => ({
          virtualNode,
          weight,
          port: 8080,
        })),
      },
      retryPolicy: {
        maxRetries: 2,
        perRetryTimeout: { value: 2, unit: 's' },
        httpRetryEvents: ['server-error'],
      },
    },
  };
}

/** App Mesh routes in memory, counting calls; `throttleNext` makes the next N writes throttle. */
export class FakeMesh {
  readonly routes = new Map<string, MeshResourceOf<'route'>>();
  readonly calls: string[] = [];
  readonly tokens: string[] = [];
  throttleNext = 0;
  /** Runs once, just before the next write lands: a person's write racing meshwarden's. */
  beforeWrite: (() => void) | undefined;

  /**
   * A person's write: the route with these weights, its version one up; a route created again
   * after a delete is another resource (a new uid, version 1), as in App Mesh.
   */
  put(routeKey: string, weights: Record<string, number>, tags: Record<string, string> = {}): void {
    const [meshName, parentName, name] = routeKey.split('/') as [string, string, string];
    const existing = this.routes.get(routeKey)?.metadata;
    const version = (existing?.version ?? 0) + 1;
    this.routes.set(routeKey, {
      kind: 'route',
      meshName,
      parentName,
      name,
      spec: routeSpec(weights),
      tags,
      metadata: {
        arn: `arn:aws:appmesh:us-east-1:123456789012:mesh/${meshName}/virtualRouter/${parentName}/route/${name}`,
        uid: existing?.uid ?? crypto.randomUUID(),
        version,
        createdAt: '2026-03-10T09:00:00.000Z',
        lastUpdatedAt: '2026-03-10T09:00:00.000Z',
        meshOwner: '123456789012',
        resourceOwner: '123456789012',
      },
    });
  }

  weights(routeKey: string): Record<string, number> | undefined {
    const route = this.routes.get(routeKey);
    return route === undefined
      ? undefined
      : Object.fromEntries(
          (route.spec.httpRoute?.action.weightedTargets ?? []).map((t) => [t.virtualNode, t.weight]),
        );
  }

  private key(meshName: string, router: string | undefined, name: string): string {
    return `${meshName}/${router ?? ''}/${name}`;
  }

  provider(): MeshProvider {
    const unsupported = () => Promise.reject(new Error('not used by the guard'));
    return {
      readMesh: unsupported,
      describe: async (ref) => {
        this.calls.push('DescribeRoute', 'ListTagsForResource');
        return this.routes.get(this.key(ref.meshName, ref.parentName, ref.name)) as never;
      },
      create: unsupported,
      update: async (resource, options) => {
        this.calls.push('UpdateRoute');
        if (this.throttleNext > 0) {
          this.throttleNext--;
          throw new ThrottledError('Rate exceeded');
        }
        this.tokens.push(options.clientToken);
        const racing = this.beforeWrite;
        this.beforeWrite = undefined;
        racing?.();
        const key = this.key(resource.meshName, resource.parentName, resource.name);
        const existing = this.routes.get(key);
        if (existing === undefined || existing.metadata === undefined) throw new Error(`no route ${key}`);
        const metadata = { ...existing.metadata, version: existing.metadata.version + 1 };
        this.routes.set(key, { ...existing, spec: resource.spec as RouteSpec, metadata });
        return { ...resource, metadata };
      },
      delete: unsupported,
      listTags: unsupported,
      tagResource: unsupported,
      untagResource: unsupported,
    };
  }
}

/** A DeploymentStore in memory with the same versioned conditional writes. */
export class FakeStore {
  readonly records = new Map<string, RouteRecord>();
  readonly archived: Deployment[] = [];

  async get(routeKey: string) {
    return structuredClone(this.records.get(routeKey));
  }
  async list() {
    return [...this.records.values()].map((r) => structuredClone(r));
  }
  async save(record: RouteRecord) {
    const stored = this.records.get(record.routeKey);
    if ((stored?.version ?? 0) !== record.version)
      throw new ConflictError(`version ${record.version} is stale`);
    const next = { ...structuredClone(record), version: record.version + 1 };
    this.records.set(record.routeKey, next);
    return structuredClone(next);
  }
  async archive(_routeKey: string, deployment: Deployment) {
    this.archived.push(deployment);
  }
  async history() {
    return [...this.archived];
  }
}

export interface Harness {
  readonly deps: GuardDeps;
  readonly mesh: FakeMesh;
  readonly store: FakeStore;
  readonly published: DomainEvent[];
  readonly notified: Notification[];
  readonly scheduled: { step: StepInvocation; at: Date }[];
  readonly cancelled: string[];
  readonly failures: string[];
  readonly alarms: AlarmInfo[];
  readonly tags: Map<string, string>;
  /** `ensure` / `remove` of the recovery schedule, in order. */
  readonly recovery: string[];
  readonly lastKnownGood: Map<string, LastKnownGood>;
  /** The approvals meshwarden stored; an approval event counts only when a decision is stored here. */
  readonly approvals: MemoryApprovalStore;
  clock: Date;
}

/** The guard's deps over fakes; `policyYaml` is the `deployments:` section of mesh `prod`. */
export function harness(policyYaml = ''): Harness {
  const mesh = new FakeMesh();
  const store = new FakeStore();
  const h: Harness = {
    mesh,
    store,
    published: [],
    notified: [],
    scheduled: [],
    cancelled: [],
    failures: [],
    alarms: [],
    tags: new Map(),
    recovery: [],
    lastKnownGood: new Map(),
    approvals: new MemoryApprovalStore(),
    clock: new Date('2026-03-10T10:20:00.000Z'),
    deps: undefined as unknown as GuardDeps,
  };
  const policy = parsePolicy(
    `version: 1\nmeshes:\n  - mesh: prod\n    changeControl: { default: allow, onViolation: report }\n${policyYaml}`,
    'test.yaml',
  );
  const provider = mesh.provider();
  (h as { deps: GuardDeps }).deps = {
    meshes: provider,
    routes: {
      readRoute: async ({ meshName, virtualRouterName, routeName }) => {
        mesh.calls.push('DescribeRoute');
        const route = mesh.routes.get(`${meshName}/${virtualRouterName}/${routeName}`);
        if (route === undefined) return undefined;
        const { tags: _t, ...untagged } = route;
        return untagged;
      },
    },
    store,
    alarms: {
      describe: async (names) => h.alarms.filter((a) => names.includes(a.name) || names.includes(a.arn)),
      factsOf: async (arn) => ({
        routeTag: h.tags.get(arn),
        threshold: h.alarms.find((a) => a.arn === arn)?.threshold,
      }),
      taggedFor: async (routeKey) => h.alarms.filter((a) => h.tags.get(a.arn) === routeKey),
    },
    scheduler: {
      schedule: async (step, at) => {
        h.scheduled.push({ step, at });
      },
      cancel: async (token) => {
        h.cancelled.push(token);
      },
      ensureRecovery: async () => {
        h.recovery.push('ensure');
      },
      removeRecovery: async () => {
        h.recovery.push('remove');
      },
    },
    lastKnownGood: {
      get: async (key) => h.lastKnownGood.get(key),
      put: async (r) => void h.lastKnownGood.set(r.resourceKey, r),
      putIfAbsent: async (r) => {
        if (h.lastKnownGood.has(r.resourceKey)) return false;
        h.lastKnownGood.set(r.resourceKey, r);
        return true;
      },
      delete: async (key) => void h.lastKnownGood.delete(key),
    },
    publisher: { publish: async (events) => void h.published.push(...events) },
    notifier: { notify: async (n) => void h.notified.push(n) },
    policy,
    selfRoleArns: [SELF_ROLE],
    staticBindings: [],
    telemetry: { rolledBack: () => undefined, rollbackFailed: (routeKey) => void h.failures.push(routeKey) },
    approvals: { store: h.approvals, chat: undefined },
    retry: { attempts: 4, baseDelayMs: 1, sleep: async () => undefined },
    now: () => h.clock,
  };
  return h;
}

/**
 * App Mesh's answer to a route call as its CloudTrail record carries it
 * (`responseElements.route`): the route the call left, as `mesh` holds it when the record is
 * made. Null when the mesh holds no such route (a delete already landed).
 */
function answerOf(mesh: FakeMesh, routeKey: string): Record<string, unknown> | null {
  const route = mesh.routes.get(routeKey);
  if (route === undefined) return null;
  return {
    route: {
      meshName: route.meshName,
      virtualRouterName: route.parentName,
      routeName: route.name,
      spec: structuredClone(route.spec),
      metadata: { ...route.metadata },
      status: { status: 'ACTIVE' },
    },
  };
}

/**
 * A CloudTrail route event by a person (alice) or by meshwarden, for the call that just left
 * the route as `mesh` holds it: its record carries what that call wrote, as real records do,
 * whenever the event is delivered afterwards.
 */
export function routeEvent(
  mesh: FakeMesh,
  routeKey: string,
  options: { eventName?: string; self?: boolean; id?: string; time?: string } = {},
): AppMeshApiCallEvent {
  const event = loadEvent('appmesh/update-route') as unknown as AppMeshApiCallEvent;
  const [meshName, virtualRouterName, routeName] = routeKey.split('/');
  const roleArn = options.self ? SELF_ROLE : 'arn:aws:iam::123456789012:role/platform-deployer';
  const session = options.self ? 'meshwarden' : 'alice';
  const identity = event.detail.userIdentity as {
    arn: string;
    sessionContext: { sessionIssuer: { arn: string; userName: string } };
  };
  identity.arn = `arn:aws:sts::123456789012:assumed-role/${roleArn.split('/')[1]}/${session}`;
  identity.sessionContext.sessionIssuer.arn = roleArn;
  identity.sessionContext.sessionIssuer.userName = roleArn.split('/')[1] as string;
  const answer = answerOf(mesh, routeKey);
  const written = (answer?.route as { spec?: Record<string, unknown> } | undefined)?.spec;
  const eventName = options.eventName ?? 'UpdateRoute';
  return {
    ...event,
    id: options.id ?? crypto.randomUUID(),
    detail: {
      ...event.detail,
      eventName,
      eventTime: options.time ?? '2026-03-10T10:15:09Z',
      requestParameters: {
        meshName,
        virtualRouterName,
        routeName,
        ...(eventName === 'DeleteRoute' || written === undefined ? {} : { spec: written }),
      },
      responseElements: answer,
    },
  };
}

export const ALARM_ARN = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-v2-5xx-rate';

/** The documented metric alarm sample entering ALARM (alarm `web-v2-5xx-rate`, threshold 5). */
export function alarmEvent(
  options: { id?: string; timestamp?: string; name?: string } = {},
): AlarmStateChangeEvent {
  const event = loadEvent('cloudwatch/metric-alarm-to-alarm') as unknown as AlarmStateChangeEvent;
  const name = options.name ?? event.detail.alarmName;
  return {
    ...event,
    id: options.id ?? event.id,
    resources: [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`],
    detail: {
      ...event.detail,
      alarmName: name,
      state: {
        ...event.detail.state,
        ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
      },
    },
  };
}

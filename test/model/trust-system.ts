import { KMSClient } from '@aws-sdk/client-kms';
import { InProcessPendingKeyVault } from '../../infra/cli/in-process-key-vault';
/**
 * The real system a model-based run drives: the whole local runtime (every function, the
 * bus, Slack, the scheduler) with the demo seeded, and one fresh route per sequence so that
 * sequences share nothing but the process. Everything a check reads comes from the App Mesh
 * API, CloudWatch, the bus and meshwarden's audit log, never from meshwarden's own answers.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACMClient } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import {
  AppMeshClient,
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeRouteCommand,
  ListTagsForResourceCommand,
  type RouteSpec,
  TagResourceCommand,
  UpdateRouteCommand,
} from '@aws-sdk/client-app-mesh';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parse, stringify } from 'yaml';
import { createRootCa, DEMO } from '../../infra/local/demo/seed';
import { DEMO_POLICY_FILE, LOCAL_NAMES } from '../../infra/local/runtime';
import type { BusEvent } from '../../infra/local/types';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../shared/adapters/dynamodb/deployment-store';
import { DynamoLastKnownGoodStore } from '../../shared/adapters/dynamodb/last-known-good-store';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import type { RolloverDecisionDeps } from '../../shared/certificates/ca-rollover';
import { createRotationDeps } from '../../shared/certificates/wiring';
import { recordingOwnWrites } from '../../shared/change-control/own-writes';
import type { MeshSnapshot } from '../../shared/domain/snapshot';
import { MESHWARDEN_CLI_EVENT_SOURCE } from '../../shared/events/patterns';
import type { CompiledPolicy } from '../../shared/policy/compile';
import { loadPolicy } from '../../shared/policy/load';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/providers/appmesh';
import { startSeededLocalAws, type TestLocalAws } from '../support/local-aws';
import type { CREDENTIALS } from '../support/local-edge';

export type Who = keyof typeof CREDENTIALS;

/** Weight per virtual node, as the App Mesh API shows it. */
export type Weights = Record<string, number>;

/** The route one sequence plays on. */
export interface SequenceRoute {
  readonly seq: number;
  /** Routes named `seqp-N` shift in progressive steps with an approval before 100%. */
  readonly progressive: boolean;
  readonly meshName: string;
  readonly virtualRouterName: string;
  readonly routeName: string;
  /** `<mesh>/<router>/<route>`, the `meshwarden:route` tag value. */
  readonly routeKey: string;
  /** The resource key change control uses: `<mesh>/route/<router>/<route>`. */
  readonly resourceKey: string;
  readonly alarmName: string;
  readonly stable: string;
  readonly canary: string;
}

/** The route as the App Mesh API shows it now. */
export interface RouteView {
  readonly exists: boolean;
  readonly version: number;
  readonly uid: string;
  readonly weights: Weights;
  readonly spec: RouteSpec | undefined;
  readonly arn: string;
}

/** Progressive steps of the `seqp-*` routes: a one-minute bake, an approval before 100%. */
export const PROGRESSIVE = { steps: [10, 50, 100], bakeMinutes: 1 } as const;

/**
 * The demo policy, plus progressive delivery for the `seqp-*` routes: written to a file of
 * its own so the demo policy stays as users see it.
 */
function modelPolicyFile(): string {
  const policy = parse(readFileSync(DEMO_POLICY_FILE, 'utf8')) as { meshes: Record<string, unknown>[] };
  const mesh = policy.meshes[0];
  if (mesh === undefined) throw new Error('the demo policy governs no mesh');
  mesh.deployments = {
    routes: [
      {
        route: `${DEMO.mesh}/${DEMO.router}/seqp-*`,
        progressive: { ...PROGRESSIVE, onInsufficientData: 'wait', approvalBeforeLastStep: true },
      },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'meshwarden-trust-')), 'meshwarden.policy.yaml');
  writeFileSync(file, stringify(policy));
  return file;
}

/** A compliant route spec of the demo policy: retries, a timeout, two weighted targets. */
export function routeSpec(seq: number, weights: Weights): RouteSpec {
  return {
    httpRoute: {
      match: { prefix: `/seq-${seq}/` },
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
        httpRetryEvents: ['server-error', 'gateway-error'],
        tcpRetryEvents: ['connection-error'],
      },
      timeout: { perRequest: { value: 15, unit: 's' } },
    },
  };
}

/** The spec with other weights, everything else as it is. */
export function withWeights(spec: RouteSpec, weights: Weights): RouteSpec {
  const http = spec.httpRoute;
  if (http?.action === undefined) throw new Error('sequence routes are HTTP routes');
  return {
    ...spec,
    httpRoute: {
      ...http,
      action: {
        weightedTargets: http.action.weightedTargets?.map((t) => ({
          ...t,
          weight: weights[t.virtualNode ?? ''] ?? t.weight,
        })),
      },
    },
  };
}

function weightsOf(spec: RouteSpec | undefined): Weights {
  const targets = spec?.httpRoute?.action?.weightedTargets ?? [];
  return Object.fromEntries(targets.map((t) => [t.virtualNode ?? '?', t.weight ?? 0]));
}

/** Whether a call was meshwarden's own: its role is one of those the functions are told are theirs. */
function isMeshwarden(event: BusEvent, selfRoleArns: readonly string[]): boolean {
  const identity = event.detail.userIdentity as { arn?: string; sessionContext?: unknown } | undefined;
  const issuer = (identity?.sessionContext as { sessionIssuer?: { arn?: string } } | undefined)
    ?.sessionIssuer;
  return issuer?.arn !== undefined && selfRoleArns.includes(issuer.arn);
}

/**
 * The mesh's certificates and trusts as the test changed them. The mesh outlives a sequence
 * (sequences play on their own routes, but share the demo's nodes), so this does too.
 */
export interface CertificateState {
  /** The CA every trust holds now (also the one before a rollover finishes). */
  trustedCa: string;
  /** A rollover the test started and that has not completed or been aborted. */
  rollover?: { readonly rolloverId: string; readonly oldCa: string; readonly newCa: string };
  /** Listener certificate ARNs meshwarden replaced with new ones: nothing may bring them back. */
  readonly replacedCertificates: Set<string>;
  /** CAs a completed rollover removed, or an abort took back out: no trust may hold them again. */
  readonly droppedCas: Set<string>;
  /** Root CAs made so far, to name the next. */
  cas: number;
}

/** The demo's virtual nodes: what certificate commands pick from. */
export const CERTIFICATE_NODES = ['web-v1', 'web-v2', 'payments', 'frontend'] as const;

export class TrustSystem {
  /** Every event the bus saw, in order. */
  readonly events: BusEvent[] = [];
  private readonly meshClients = new Map<Who, AppMeshClient>();
  private nextSeq = 0;
  readonly certificates: CertificateState;
  readonly policy: CompiledPolicy;
  /** The CAs the stack is deployed with, as the operator named them. */
  private readonly caArns: string[];

  private constructor(
    readonly local: TestLocalAws,
    policyFile: string,
  ) {
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') this.events.push(a.event);
    });
    this.policy = loadPolicy(policyFile);
    this.caArns = [local.seed.caArn];
    this.certificates = {
      trustedCa: local.seed.caArn,
      replacedCertificates: new Set(),
      droppedCas: new Set(),
      cas: 1,
    };
  }

  static async start(): Promise<TrustSystem> {
    // Retried deliveries land in milliseconds, so a fault costs a sequence little time.
    const policyFile = modelPolicyFile();
    const local = await startSeededLocalAws({
      busBackoff: { baseDelayMs: 2, maxDelayMs: 20 },
      policyFile,
    });
    return new TrustSystem(local, policyFile);
  }

  /**
   * Certificate rotation's adapters as the function wires them (meshwarden's credentials, its
   * own writes recorded as last known good), or as the CLI does for a person (`admin`: a plain
   * provider, `meshwarden.cli` events).
   */
  certificateDeps(who: 'meshwarden' | 'admin'): RolloverDecisionDeps {
    // meshwarden's part is played by the rotation function's own role, as the function signs.
    const config =
      who === 'meshwarden'
        ? { ...this.local.clientConfig(), credentials: this.local.aws.functionCredentials('cert-rotation') }
        : this.local.clientConfig(who);
    const documents = createDocumentClient(config);
    const provider = createAppMeshProvider(createAppMeshClient({ ...config, maxAttempts: 8 }));
    return createRotationDeps({
      pca: new ACMPCAClient({ ...config, maxAttempts: 8 }),
      acm: new ACMClient({ ...config, maxAttempts: 8 }),
      secrets: new SecretsManagerClient({ ...config, maxAttempts: 8 }),
      documents,
      tableName: LOCAL_NAMES.table,
      // A person may not use the rotation role's key: the CLI keeps its keys in its process.
      pendingKeys:
        who === 'meshwarden'
          ? {
              kms: new KMSClient({ ...config, maxAttempts: 8 }),
              keyArn: this.local.aws.functionEnv.MESHWARDEN_PENDING_KEY_ARN ?? '',
            }
          : new InProcessPendingKeyVault(),
      meshes:
        who === 'meshwarden'
          ? recordingOwnWrites(
              provider,
              new DynamoLastKnownGoodStore(documents, LOCAL_NAMES.table, this.local.aws.accountId),
            )
          : provider,
      publisher: new EventBridgePublisher(
        new EventBridgeClient(config),
        LOCAL_NAMES.eventBus,
        ...(who === 'admin' ? [MESHWARDEN_CLI_EVENT_SOURCE] : []),
      ),
      notifier: { notify: async () => undefined },
    });
  }

  /** A new root CA in local ACM PCA. */
  async newCa(): Promise<string> {
    this.certificates.cas += 1;
    const arn = await createRootCa(
      new ACMPCAClient(this.local.clientConfig('admin')),
      `${DEMO.caCommonName} ${this.certificates.cas}`,
    );
    // The functions may use only the CAs the stack names: the operator adds each new one first.
    this.caArns.push(arn);
    await this.local.aws.deploy({ certificateAuthorityArns: [...this.caArns] });
    return arn;
  }

  /** The mesh as the App Mesh API shows it now. */
  readMesh(): Promise<MeshSnapshot> {
    return createAppMeshProvider(createAppMeshClient(this.local.clientConfig('admin'))).readMesh(DEMO.mesh);
  }

  close(): Promise<void> {
    return this.local.aws.close();
  }

  mesh(who: Who): AppMeshClient {
    let client = this.meshClients.get(who);
    if (client === undefined) {
      client = new AppMeshClient({ ...this.local.clientConfig(who), maxAttempts: 1 });
      this.meshClients.set(who, client);
    }
    return client;
  }

  cloudwatch(): CloudWatchClient {
    return new CloudWatchClient({ ...this.local.clientConfig('admin'), maxAttempts: 1 });
  }

  events_(who: Who): EventBridgeClient {
    return new EventBridgeClient({ ...this.local.clientConfig(who), maxAttempts: 1 });
  }

  /** Deliver everything put on the bus so far, and everything that caused. */
  drain(): Promise<void> {
    return this.local.aws.drain();
  }

  /** The scheduler's clock: only ever moves forward, from wall-clock time or past it. */
  private schedulerNow = 0;

  /**
   * Move the scheduler's clock on and fire what is due (e.g. the recovery schedule). The clock
   * never goes back: two ticks a few seconds apart must be two minutes apart for a schedule
   * `rate(1 minute)` to run twice, as it would in that much time.
   */
  async tick(seconds: number): Promise<void> {
    this.schedulerNow = Math.max(this.schedulerNow, Date.now()) + seconds * 1000;
    await this.local.aws.scheduler.tick(new Date(this.schedulerNow));
    await this.drain();
  }

  /** Throttle every App Mesh route write (people's and meshwarden's), or stop doing so. */
  setFaults(on: boolean): void {
    this.local.aws.faults.set(
      on
        ? [{ service: 'appmesh', operation: 'UpdateRoute', throttleRate: 1, errorRate: 0, latencyMs: 0 }]
        : [],
    );
  }

  /**
   * meshwarden's next publish on its bus fails once, as if its process died between the mesh
   * write and the publish: the delivery is retried and must not act twice.
   */
  failNextPublish(): void {
    this.local.aws.faults.set([
      { service: 'events', operation: 'PutEvents', throttleRate: 0, errorRate: 1, latencyMs: 0, times: 3 },
    ]);
  }

  /** A fresh route at 100/0 with its alarm in OK, created by the admin and seen by meshwarden. */
  async newRoute(progressive: boolean): Promise<SequenceRoute> {
    this.nextSeq += 1;
    const seq = this.nextSeq;
    const name = `${progressive ? 'seqp' : 'seq'}-${seq}`;
    const route: SequenceRoute = {
      seq,
      progressive,
      meshName: DEMO.mesh,
      virtualRouterName: DEMO.router,
      routeName: name,
      routeKey: `${DEMO.mesh}/${DEMO.router}/${name}`,
      resourceKey: `${DEMO.mesh}/route/${DEMO.router}/${name}`,
      alarmName: `${name}-5xx`,
      stable: DEMO.stableNode,
      canary: DEMO.canaryNode,
    };
    this.setFaults(false);
    await this.mesh('admin').send(
      new CreateRouteCommand({
        ...this.names(route),
        spec: routeSpec(seq, { [route.stable]: 100, [route.canary]: 0 }),
        tags: [{ key: 'team', value: 'web' }],
      }),
    );
    await this.cloudwatch().send(
      new PutMetricAlarmCommand({
        AlarmName: route.alarmName,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        Tags: [{ Key: 'meshwarden:route', Value: route.routeKey }],
      }),
    );
    await this.setAlarm(route, 'OK');
    await this.drain();
    return route;
  }

  /** Remove the sequence's route and alarm so later sequences read a small mesh. */
  async removeRoute(route: SequenceRoute): Promise<void> {
    this.setFaults(false);
    await this.setAlarm(route, 'OK');
    await this.cloudwatch().send(new DeleteAlarmsCommand({ AlarmNames: [route.alarmName] }));
    await this.mesh('admin')
      .send(new DeleteRouteCommand(this.names(route)))
      .catch(() => undefined);
    await this.drain();
  }

  names(route: SequenceRoute) {
    return {
      meshName: route.meshName,
      virtualRouterName: route.virtualRouterName,
      routeName: route.routeName,
    };
  }

  async read(route: SequenceRoute): Promise<RouteView> {
    try {
      const out = await this.mesh('admin').send(new DescribeRouteCommand(this.names(route)));
      const r = out.route;
      return {
        exists: true,
        version: r?.metadata?.version ?? 0,
        uid: r?.metadata?.uid ?? '',
        weights: weightsOf(r?.spec),
        spec: r?.spec,
        arn: r?.metadata?.arn ?? '',
      };
    } catch (error) {
      if ((error as { name?: string }).name === 'NotFoundException') {
        return { exists: false, version: 0, uid: '', weights: {}, spec: undefined, arn: '' };
      }
      throw error;
    }
  }

  /** A person's whole-spec write; false when App Mesh refused it (e.g. throttled). */
  async update(who: Who, route: SequenceRoute, spec: RouteSpec): Promise<boolean> {
    try {
      await this.mesh(who).send(new UpdateRouteCommand({ ...this.names(route), spec }));
      return true;
    } catch {
      return false;
    }
  }

  async tag(who: Who, route: SequenceRoute, key: string, value: string): Promise<boolean> {
    const view = await this.read(route);
    try {
      await this.mesh(who).send(new TagResourceCommand({ resourceArn: view.arn, tags: [{ key, value }] }));
      return true;
    } catch {
      return false;
    }
  }

  async tags(route: SequenceRoute): Promise<Record<string, string>> {
    const view = await this.read(route);
    const listed = await this.mesh('admin').send(new ListTagsForResourceCommand({ resourceArn: view.arn }));
    return Object.fromEntries((listed.tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
  }

  async setAlarm(route: SequenceRoute, state: StateValue): Promise<void> {
    await this.cloudwatch().send(
      new SetAlarmStateCommand({
        AlarmName: route.alarmName,
        StateValue: state,
        StateReason: `model: ${state}`,
      }),
    );
  }

  /** Put an event on the meshwarden bus as `who`; false when EventBridge refused it. */
  async putOnMeshwardenBus(who: Who, detailType: string, detail: unknown): Promise<boolean> {
    try {
      const out = await this.events_(who).send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: 'meshwarden',
              Source: 'meshwarden',
              DetailType: detailType,
              Detail: JSON.stringify(detail),
            },
          ],
        }),
      );
      return (out.FailedEntryCount ?? 0) === 0;
    } catch {
      return false;
    }
  }

  /** The status of the route's latest deployment in meshwarden's table, if it has one. */
  async deploymentStatus(route: SequenceRoute): Promise<string | undefined> {
    const store = new DynamoDbDeploymentStore(
      createDocumentClient(this.local.clientConfig('admin')),
      LOCAL_NAMES.table,
      this.local.aws.accountId,
    );
    return (await store.get(route.routeKey))?.deployment?.status;
  }

  /** Events since `from` (an index into `events`) about this sequence's route. */
  about(route: SequenceRoute, from = 0): BusEvent[] {
    const mention = new RegExp(`${route.routeName}(?![0-9])`);
    return this.events.slice(from).filter((e) => mention.test(JSON.stringify(e.detail)));
  }

  /** The mutating App Mesh calls people (not meshwarden) made on this route that succeeded. */
  peoplesWrites(route: SequenceRoute): BusEvent[] {
    return this.about(route).filter(
      (e) =>
        e.source === 'aws.appmesh' &&
        e.detail.readOnly !== true &&
        e.detail.errorCode === undefined &&
        !isMeshwarden(e, (this.local.aws.functionEnv.MESHWARDEN_SELF_ROLE_ARNS ?? '').split(',')),
    );
  }

  /** `GovernanceDecision` events for a CloudTrail event id. */
  decisionsFor(eventId: string): BusEvent[] {
    return this.events.filter(
      (e) => e['detail-type'] === 'GovernanceDecision' && e.detail.eventId === eventId,
    );
  }
}

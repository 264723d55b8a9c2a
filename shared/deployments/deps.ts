import type { RouteProviderName } from '../domain/weighted-route';
import type { CompiledPolicy } from '../policy/compile';
import type {
  AlarmSource,
  ApprovalStore,
  ChatApprovals,
  ChatNotifier,
  DeploymentStore,
  EventPublisher,
  LastKnownGoodStore,
  MeshProvider,
  RouteProvider,
  RouteReader,
  StepScheduler,
} from '../ports';
import type { StaticAlarmBinding } from './route-policy';

/** What the guard reports for operators to alarm on (Powertools Metrics in Lambda). */
export interface GuardTelemetry {
  /** A rollback was written (or found already done). */
  rolledBack(routeKey: string, handlerMs: number): void;
  /** A rollback could not be written after every retry: the event goes to the DLQ; people must act. */
  rollbackFailed(routeKey: string, error: Error): void;
}

/** How hard the guard retries a throttled rollback write itself, on top of the SDK's adaptive retry. */
export interface RetryOptions {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Everything the deployment guard's use cases reach the world through. */
export interface GuardDeps {
  /** Writes, and reads with tags (stable-target tag) when a deployment opens. */
  readonly meshes: MeshProvider;
  /** One-call route reads for the rollback path. */
  readonly routes: RouteReader;
  /**
   * The providers governed besides App Mesh (whose routes go through `routes` and `meshes`):
   * their routes are read and written through these, and their API calls tell which changed.
   */
  readonly providers?: Readonly<Partial<Record<Exclude<RouteProviderName, 'appmesh'>, RouteProvider>>>;
  readonly store: DeploymentStore;
  readonly alarms: AlarmSource;
  readonly scheduler: StepScheduler;
  readonly publisher: EventPublisher;
  readonly notifier: ChatNotifier;
  readonly policy: CompiledPolicy;
  /** IAM role ARNs whose App Mesh writes are meshwarden's own. */
  readonly selfRoleArns: readonly string[];
  /** Alarm bindings from the deployment's configuration (CDK `alarmBindings`), besides policy and tags. */
  readonly staticBindings: readonly StaticAlarmBinding[];
  /**
   * Last known good records: a self write recorded as an approved re-apply on a person's
   * behalf is that person's change (it opens or rebaselines a deployment like theirs).
   */
  readonly lastKnownGood: LastKnownGoodStore;
  /**
   * The approvals meshwarden stored: an approval event is checked against them, never trusted;
   * those whose deployment ended or rolled back are closed with the reason (in chat too, when
   * `chat` is there).
   */
  readonly approvals: { readonly store: ApprovalStore; readonly chat: ChatApprovals | undefined };
  readonly telemetry: GuardTelemetry;
  readonly retry: RetryOptions;
  readonly now: () => Date;
}

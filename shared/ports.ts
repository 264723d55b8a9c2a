/**
 * Ports: the only way use cases reach the outside world. Adapters in shared/adapters/
 * implement them; tests substitute fakes. Errors crossing a port are the domain errors of
 * shared/errors.ts (NotFoundError, ConflictError, BadRequestError, ThrottledError,
 * ForbiddenError, or MeshwardenError with the provider's error as `cause`).
 */
import type { MeshResourceOf, Tags } from './domain/mesh';
import type { ResourceKind, ResourceRef } from './domain/resource-key';
import type { MeshSnapshot } from './domain/snapshot';

/** Options of a mesh write. */
export interface MeshWriteOptions {
  /**
   * Idempotency token passed to the provider, so a retried write has one effect. Derive it
   * from the triggering event (App Mesh allows up to 36 letters, digits, hyphens, underscores).
   */
  readonly clientToken: string;
}

/**
 * A service mesh control plane (App Mesh today). One set of generic operations serves every
 * resource kind; the `kind` of the ref or resource selects the provider call.
 */
export interface MeshProvider {
  /**
   * Read every resource of a mesh, with metadata and tags. Throws NotFoundError when the mesh
   * does not exist. Resources deleted while the read runs are left out.
   */
  readMesh(meshName: string): Promise<MeshSnapshot>;

  /** Read one resource with metadata and tags, or undefined when it (or its mesh) does not exist. */
  describe<K extends ResourceKind>(ref: ResourceRef<K>): Promise<MeshResourceOf<K> | undefined>;

  /**
   * Create a resource with its spec and tags (any `metadata` on the input is ignored). Returns
   * the created resource with the provider's metadata. ConflictError when it exists already.
   */
  create<K extends ResourceKind>(
    resource: MeshResourceOf<K>,
    options: MeshWriteOptions,
  ): Promise<MeshResourceOf<K>>;

  /**
   * Replace the whole spec of a resource (the provider has no partial update: read, change,
   * write the whole spec). Tags are not touched; use tagResource/untagResource. Returns the
   * updated resource with new metadata and without tags.
   */
  update<K extends ResourceKind>(
    resource: MeshResourceOf<K>,
    options: MeshWriteOptions,
  ): Promise<MeshResourceOf<K>>;

  /** Delete a resource. NotFoundError when it does not exist; ConflictError while others use it. */
  delete(ref: ResourceRef): Promise<void>;

  /** Every tag of the resource with this ARN. */
  listTags(arn: string): Promise<Tags>;

  /** Add or overwrite tags on the resource with this ARN. */
  tagResource(arn: string, tags: Tags): Promise<void>;

  /** Remove the tags with these keys from the resource with this ARN. */
  untagResource(arn: string, tagKeys: readonly string[]): Promise<void>;
}

/**
 * What meshwarden tells the world: every decision is published as an event on its own bus
 * (`source: meshwarden`), so operators, dashboards and other meshwarden functions can react.
 */
export interface DomainEvent {
  /** The EventBridge `detail-type`, e.g. `GovernanceDecision`, `DeploymentRolledBack`. */
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  /** ARNs of the resources the event is about. */
  readonly resources?: readonly string[];
}

/** The port through which use cases publish their decisions. */
export interface EventPublisher {
  /** Publish all events or throw: a partial failure is an error, so the caller's retry re-publishes. */
  publish(events: readonly DomainEvent[]): Promise<void>;
}

/** Something meshwarden did or found that the people who run the mesh must hear about. */
export interface Notification {
  readonly meshName: string;
  readonly kind: 'revert' | 'hold' | 'report' | 'rollback' | 'deployment' | 'rotation' | 'audit';
  /** One line, e.g. "Rolled back prod/web-router/web-route". */
  readonly title: string;
  /** What happened and why, in plain words. */
  readonly text: string;
  /** Facts worth a glance: alarm, threshold, who, before/after. */
  readonly fields?: Readonly<Record<string, string>>;
}

/** The chat port for plain notifications (Slack in production; a logging notifier until it is configured). */
export interface ChatNotifier {
  notify(notification: Notification): Promise<void>;
}

/**
 * Ports: the only way use cases reach the outside world. Adapters in shared/adapters/
 * implement them; tests substitute fakes. Errors crossing a port are the domain errors of
 * shared/errors.ts (NotFoundError, ConflictError, BadRequestError, ThrottledError,
 * ForbiddenError, or MeshwardenError with the provider's error as `cause`).
 */
import type {
  Approval,
  ApprovalExecution,
  ApprovalStatus,
  ChatMessageRef,
  Decider,
} from './approvals/approval';
import type { ResourceKind, ResourceRef } from './domain/resource-key';
import type { MeshSnapshot } from './domain/snapshot';
import type { MeshResourceOf, Tags } from './providers/appmesh/model';

/** Options of a mesh write. */
export interface MeshWriteOptions {
  /**
   * Idempotency token passed to the provider, so a retried write has one effect. Derive it
   * from the triggering event (App Mesh allows up to 36 letters, digits, hyphens, underscores).
   */
  readonly clientToken: string;
  /**
   * Why meshwarden writes: recorded with the written state as its last known good (see
   * change-control/own-writes.ts). Absent for writes made on a person's behalf by the CLI.
   */
  readonly ownWrite?: OwnWrite;
  /**
   * With `ownWrite`: the spec the writer read and changed. Only the leaves it changed become
   * last known good; the rest of the resource is someone else's and keeps its own judgment.
   */
  readonly basedOn?: unknown;
}

/** Options of a tag write: `ownWrite` as for MeshWriteOptions (the tags become last known good). */
export interface TagWriteOptions {
  readonly ownWrite?: OwnWrite;
}

/** Why meshwarden itself wrote a mesh resource. */
export type OwnWritePurpose =
  | 'revert'
  | 'rollback'
  | 'step'
  | 'promote'
  | 'reapply'
  | 'rotation'
  | 'rollover';

/** What meshwarden records about one of its own writes. */
export interface OwnWrite {
  readonly purpose: OwnWritePurpose;
  /** The person the write acts for (the approved requester of a re-apply), when there is one. */
  readonly onBehalfOf?: { readonly arn: string; readonly label: string };
  /** The approval that allowed it. */
  readonly approvalId?: string;
  /** The event, schedule or command that caused it. */
  readonly cause: string;
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
  tagResource(arn: string, tags: Tags, options?: TagWriteOptions): Promise<void>;

  /** Remove the tags with these keys from the resource with this ARN. */
  untagResource(arn: string, tagKeys: readonly string[], options?: TagWriteOptions): Promise<void>;
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

// ---------------------------------------------------------------------------------------------
// Certificates (certificate rotation)

/** Where a certificate the mesh relies on is kept: an ACM certificate, or a Secrets Manager secret. */
export type CertificateLocation =
  | { readonly kind: 'acm'; readonly arn: string }
  | { readonly kind: 'secret'; readonly name: string };

/** What a certificate says about itself. Times are ISO-8601. */
export interface CertificateFacts {
  readonly subject: string;
  readonly sans: readonly string[];
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

/** A certificate as its store reports it. */
export interface StoredCertificate extends CertificateFacts {
  readonly location: CertificateLocation;
  /**
   * `acm-imported`: meshwarden may re-import into the same ARN. `acm-private`: ACM issued it
   * and holds its key, so it cannot be re-imported. `acm-amazon-issued`: a public certificate
   * ACM issued and renews itself. `secret`: a Secrets Manager bundle.
   */
  readonly origin: 'acm-imported' | 'acm-private' | 'acm-amazon-issued' | 'secret';
  /** The issuing CA when the store knows it (ACM private certificates, meshwarden's own tag). */
  readonly issuingCaArn?: string;
  /** ARNs of what uses it, as the store reports (ACM InUseBy). */
  readonly inUseBy: readonly string[];
  /**
   * ACM private certificates: ACM would renew it in place (RenewalEligibility ELIGIBLE: exported
   * or in use since it was issued or last renewed).
   */
  readonly renewalEligible?: boolean;
  /** Whether Envoy can load it, when the store knows; absent: judged by `origin`. */
  readonly servable?: boolean;
}

/** A certificate ready to deliver: PEM certificate, the chain above it, and its new private key. */
export interface CertificateBundle {
  readonly certificatePem: string;
  readonly chainPem: string;
  readonly privateKeyPem: string;
}

/** ACM certificates and certificate secrets: read what is there, deliver what was issued. */
export interface CertificateStore {
  /** The certificate at a location, or undefined when there is none. */
  describe(location: CertificateLocation): Promise<StoredCertificate | undefined>;
  /**
   * Put a new certificate at the same location: ACM re-import into the same ARN (listeners
   * keep their reference), or a new secret version that becomes AWSCURRENT (the old one
   * AWSPREVIOUS). `token` makes a retried secret write one version.
   */
  deliver(
    location: CertificateLocation,
    bundle: CertificateBundle,
    /** `issuingCaArn`: set when the issuer changed, so the store records the new one (ACM's tag). */
    options: { readonly token: string; readonly issuingCaArn?: string },
  ): Promise<{ readonly versionId?: string }>;
  /** Import as a new ACM certificate, for a reference that must change (an ACM-issued one). */
  importNew(bundle: CertificateBundle, options: { readonly issuingCaArn: string }): Promise<string>;
}

/** An ACM certificate's state as ACM reports it (DescribeCertificate). Times are ISO-8601. */
export interface AcmCertificateState {
  readonly arn: string;
  readonly type: 'PRIVATE' | 'IMPORTED' | 'AMAZON_ISSUED';
  /** PENDING_VALIDATION, ISSUED, FAILED, EXPIRED, REVOKED, ... */
  readonly status: string;
  readonly failureReason?: string;
  readonly certificateAuthorityArn?: string;
  readonly serial?: string;
  readonly notAfter?: string;
  /** The last managed renewal: PENDING_AUTO_RENEWAL, SUCCESS or FAILED, and when it last changed. */
  readonly renewal?: { readonly status: string; readonly updatedAt: string; readonly reason?: string };
  readonly inUseBy: readonly string[];
}

/** What RequestCertificate needs for a private certificate. */
export interface PrivateCertificateRequest {
  readonly caArn: string;
  /** The first name is the domain name, every name is a subject alternative name. */
  readonly names: readonly string[];
  readonly keyAlgorithm: string;
  /** Up to 32 word characters; ACM answers the same ARN for the same token within an hour. */
  readonly idempotencyToken: string;
}

/**
 * ACM private certificates: issued by AWS Private CA through ACM, their key held by ACM. They
 * are what an App Mesh listener serves: Envoy fetches them with ExportCertificate, which ACM
 * refuses for imported certificates.
 */
export interface AcmPrivateCertificates {
  /** DescribeCertificate, or undefined when there is no such certificate. */
  state(arn: string): Promise<AcmCertificateState | undefined>;
  /** RenewCertificate: ACM issues a new certificate from the same CA under the same ARN, asynchronously. */
  renew(arn: string): Promise<void>;
  /** RequestCertificate with CertificateAuthorityArn: a new private certificate; its ARN. */
  request(request: PrivateCertificateRequest): Promise<string>;
  /** GetCertificate: the certificate and its chain, or undefined while ACM is still issuing it. */
  fetch(arn: string): Promise<{ certificatePem: string; chainPem: string } | undefined>;
  /** DeleteCertificate: `in-use` when ACM refuses because something uses it. */
  remove(arn: string): Promise<'deleted' | 'in-use' | 'not-found'>;
}

/** A private CA's state and certificate. */
export interface CertificateAuthorityState {
  readonly arn: string;
  /** ACTIVE is the only state that issues. */
  readonly status: string;
  /** The ACM PCA signing algorithm, e.g. SHA256WITHECDSA. */
  readonly signingAlgorithm: string;
  readonly certificatePem: string;
  readonly chainPem?: string;
  /** ISO-8601 end of the CA certificate's validity. */
  readonly notAfter: string;
}

/** What to sign. `idempotencyToken` makes a retried issue one certificate (ACM PCA keeps it 5 minutes). */
export interface IssueCertificateRequest {
  readonly caArn: string;
  readonly csrPem: string;
  readonly signingAlgorithm: string;
  readonly templateArn: string;
  readonly validityDays: number;
  readonly idempotencyToken: string;
}

/** The private CAs of the account and region, to resolve the policy's CA references against. */
export interface CertificateAuthorityCatalog {
  /** ARNs of every CA that is not deleted. */
  listCertificateAuthorities(): Promise<string[]>;
}

/** A private CA (AWS Private CA). */
export interface CertificateAuthority {
  /** State and certificate of a CA; NotFoundError when there is none. */
  describe(caArn: string): Promise<CertificateAuthorityState>;
  /** Ask for a certificate; returns its ARN. BadRequestError for a rejected CSR or a CA that cannot issue. */
  issue(request: IssueCertificateRequest): Promise<string>;
  /** The issued certificate and its chain, or undefined while the CA is still signing. */
  fetch(
    caArn: string,
    certificateArn: string,
  ): Promise<{ certificatePem: string; chainPem: string } | undefined>;
}

/** A record kept with optimistic concurrency: `version` counts writes. */
export interface VersionedRecord {
  readonly version: number;
}

/**
 * Rotation and rollover records. Every write is conditional on the version read, so two runs
 * never both advance a step, and a crash leaves the last completed step on record.
 */
/** One pending private key: the rotation it was made for, and that rotation's record key. */
export interface PendingKeyRef {
  readonly recordKey: string;
  readonly rotationId: string;
}

/**
 * Where a new private key waits, sealed, from its creation until its certificate is delivered
 * or its rotation ends otherwise. Only the rotation can open it; it is gone by itself after
 * `expiresAt`, so a rotation that stalls does not keep it.
 */
export interface PendingKeyVault {
  keep(ref: PendingKeyRef, privateKeyPem: string, expiresAt: Date): Promise<void>;
  /** The key, or undefined when it is gone (discarded or expired). BadRequestError when it cannot be opened. */
  open(ref: PendingKeyRef): Promise<string | undefined>;
  /** Delete it; nothing happens when it is already gone. */
  discard(ref: PendingKeyRef): Promise<void>;
}

export interface RotationStore {
  get<R extends VersionedRecord>(key: string): Promise<R | undefined>;
  /** Write `record` (its version must be the read one + 1, or 1 for a new record); ConflictError when another write came first. */
  put<R extends VersionedRecord>(key: string, record: R): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Mesh change control

/** The last spec of a resource that meshwarden saw allowed and compliant: what a revert restores. */
export interface LastKnownGood {
  readonly resourceKey: string;
  /** The whole resource (ref, spec, tags) as it was read. */
  readonly resource: import('./providers/appmesh/model').MeshResource;
  readonly version: number;
  /** The CloudTrail event id that was judged, or `audit:<time>` when the periodic audit recorded it. */
  readonly eventId: string;
  readonly recordedAt: string;
  /**
   * `event`: a judged change was kept; `audit`: the periodic audit found it compliant;
   * `own-write`: meshwarden wrote it (revert, rollback, step, approved re-apply, rotation).
   */
  readonly source: 'event' | 'audit' | 'own-write';
  /** Set when `source` is `own-write`. */
  readonly ownWrite?: OwnWrite;
}

/** Where last known good specs live (`LKG#` items). */
export interface LastKnownGoodStore {
  get(resourceKey: string): Promise<LastKnownGood | undefined>;
  /** Store it unless a record of a higher version is there already. */
  put(record: LastKnownGood): Promise<void>;
  /** Store it only when the resource has no record yet; true when it was stored. */
  putIfAbsent(record: LastKnownGood): Promise<boolean>;
  delete(resourceKey: string): Promise<void>;
}

/** One incarnation's version: App Mesh restarts versions at 1 when a resource is recreated (new uid). */
export interface JudgedVersion {
  readonly uid: string;
  readonly version: number;
}

/** The highest resource version already judged, per resource (`JUDGED#` items), for out-of-order events. */
export interface JudgedVersionStore {
  get(resourceKey: string): Promise<JudgedVersion | undefined>;
  /** Record it unless a higher version of the same incarnation (uid) is recorded. */
  record(resourceKey: string, judged: JudgedVersion, eventId: string): Promise<void>;
}

/** The last known good a decision leaves: a record to store, or the resource's to forget. */
export type LastKnownGoodChange = { readonly put: LastKnownGood } | { readonly delete: string };

/** One decision's state writes, landing together or not at all. */
export interface DecisionWrites {
  /** The audit record as it stands after the effect. */
  readonly audit: AuditRecord;
  readonly lastKnownGood?: LastKnownGoodChange;
  readonly judged?: {
    readonly resourceKey: string;
    readonly version: JudgedVersion;
    readonly eventId: string;
  };
}

/**
 * Writes a decision's audit record, last known good and judged version in one step (a DynamoDB
 * transaction): the record is never without the state it describes, and one request does the
 * work of several.
 */
export interface DecisionCommitter {
  /**
   * False when the step was refused as a whole: a last known good or judged version newer than
   * these, or a value too large for one step. Nothing was written then, and the caller writes
   * through the stores one by one, whose own rules settle what is kept.
   */
  commit(writes: DecisionWrites): Promise<boolean>;
}

/** How far a decision got: written `pending` before the effect, completed after it. */
export type AuditOutcome = 'pending' | 'applied' | 'no-effect' | 'failed';

/** One audited decision (`AUDIT#` items). `decision` is the GovernanceDecision event detail. */
export interface AuditRecord {
  /** The account of the mesh (set by the audit log, which keeps one account's records). */
  readonly account?: string;
  readonly meshName: string;
  readonly eventId: string;
  readonly eventTime: string;
  readonly decision: Readonly<Record<string, unknown>>;
  readonly outcome: AuditOutcome;
  readonly error?: string;
  /** True once the GovernanceDecision event (and any ApprovalRequested) was published. */
  readonly published: boolean;
  /** The ApprovalRequested detail of a hold, kept so a retry publishes the same request. */
  readonly approval?: Readonly<Record<string, unknown>>;
}

/** The audit trail of change-control decisions. */
export interface AuditLog {
  get(meshName: string, eventTime: string, eventId: string): Promise<AuditRecord | undefined>;
  put(record: AuditRecord): Promise<void>;
  /** Newest first. */
  list(meshName: string, limit: number): Promise<AuditRecord[]>;
}

/** A page of decisions to read, newest first; every filter is optional. */
export interface AuditPageQuery {
  /** Whose decisions: the reader's own account unless another is named. */
  readonly account?: string;
  /** Only this mesh; all `meshes` otherwise. */
  readonly meshName?: string;
  /** The meshes a caller may read, when no mesh is named. */
  readonly meshes: readonly string[];
  readonly resourceKey?: string;
  /** A principal ARN or its readable label. */
  readonly principal?: string;
  /** ISO-8601 bounds on the event time, both inclusive. */
  readonly since?: string;
  readonly until?: string;
  readonly limit: number;
  /** Where the previous page ended (opaque, from `AuditPage.cursor`). */
  readonly cursor?: string;
}

export interface AuditPage {
  readonly records: readonly AuditRecord[];
  /** Absent on the last page. */
  readonly cursor?: string;
}

/** Reading the audit trail page by page (the HTTP API). */
export interface AuditReader {
  page(query: AuditPageQuery): Promise<AuditPage>;
}

/** OIDC web identity sessions learnt from AssumeRoleWithWebIdentity (`WEBID#` items). */
export interface WebIdentitySessionStore {
  put(session: import('./events/sts-web-identity').WebIdentitySession, expiresAt: Date): Promise<void>;
  /** The session with this assumed-role ARN, unless it expired before `at`. */
  get(
    assumedRoleArn: string,
    at: Date,
  ): Promise<import('./events/sts-web-identity').WebIdentitySession | undefined>;
}

/** Who issued ACM certificates: certificate ARN -> issuing ACM Private CA ARN (for `tls.allowed-ca`). */
export interface CertificateIssuers {
  /** Issuers of the certificates that exist and were issued by a private CA; others are left out. */
  issuersOf(certificateArns: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

// ---------------------------------------------------------------------------------------------
// Slack approvals

/** A decision to record: the first one for an approval wins. */
export interface DecisionToRecord {
  readonly status: Exclude<ApprovalStatus, 'pending'>;
  readonly decidedAt: string;
  /** Absent on expiry. */
  readonly decidedBy?: Decider;
  /** The Slack interaction that decided (absent on expiry). */
  readonly click?: string;
}

/** What recording a decision found. */
export type RecordDecisionResult =
  | { readonly outcome: 'recorded'; readonly approval: Approval }
  | { readonly outcome: 'already-decided'; readonly approval: Approval }
  | { readonly outcome: 'expired'; readonly approval: Approval }
  | { readonly outcome: 'not-found' };

/** Pending approvals and their decisions (DynamoDB in production). */
export interface ApprovalStore {
  /** Store a new pending approval; false when one with this id exists already (a redelivery). */
  create(approval: Approval): Promise<boolean>;
  get(approvalId: string): Promise<Approval | undefined>;
  attachMessage(approvalId: string, message: ChatMessageRef): Promise<void>;
  /**
   * Record a decision with a conditional write: only a pending approval whose expiry is after
   * `now` can be approved or rejected, and only a pending one can expire. Concurrent clicks:
   * exactly one gets `recorded`.
   */
  recordDecision(approvalId: string, decision: DecisionToRecord, now: Date): Promise<RecordDecisionResult>;
  /** Note that `ApprovalDecided` went out, so the sweep stops re-publishing it. */
  markPublished(approvalId: string): Promise<void>;
  recordExecution(approvalId: string, execution: ApprovalExecution): Promise<void>;
  /** Approvals still pending, or decided but not yet published: what the expiry sweep looks at. */
  listOpen(): Promise<Approval[]>;
}

/** The chat side of approvals: the request message with its buttons, and answers to clicks. */
export interface ChatApprovals {
  /** Post the request (what, where, who, why, diff, expiry, Approve/Reject) in `channel`. */
  postApprovalRequest(channel: string, approval: Approval): Promise<ChatMessageRef>;
  /** Re-render the request message for the approval's current state (decided, expired, applied). */
  updateApprovalMessage(approval: Approval): Promise<void>;
  /** A reply in the request's thread, seen by the channel. */
  postThreadReply(message: ChatMessageRef, text: string): Promise<void>;
  /** A message only `userId` sees, in `channel`. */
  postEphemeral(channel: string, userId: string, text: string): Promise<void>;
  /** The email on a user's chat profile, or undefined when the profile shows none. */
  userEmail(userId: string): Promise<string | undefined>;
}

// ---------------------------------------------------------------------------------------------
// Deployment guard

/** One CloudWatch alarm (metric or composite) as the deployment guard needs it. */
export interface AlarmInfo {
  readonly name: string;
  readonly arn: string;
  readonly type: 'metric' | 'composite';
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly stateReason: string;
  /** Metric alarms only. */
  readonly threshold: number | undefined;
}

/** What the guard learns about an alarm beyond its state change event (cached by adapters). */
export interface AlarmFacts {
  /** The `meshwarden:route` tag: `<mesh>/<virtual-router>/<route>`. */
  readonly routeTag: string | undefined;
  readonly threshold: number | undefined;
}

/** CloudWatch alarms: their state, and which route their tag binds them to. */
export interface AlarmSource {
  /** Current state of the alarms with these names (ARNs are accepted too); unknown names are left out. */
  describe(namesOrArns: readonly string[]): Promise<AlarmInfo[]>;
  /** Tag binding and threshold of one alarm; cached, as the rollback path must be fast. */
  factsOf(alarmArn: string): Promise<AlarmFacts>;
  /** Every alarm whose `meshwarden:route` tag names this route. */
  taggedFor(routeKey: string): Promise<AlarmInfo[]>;
}

/** An alarm as listed with its route binding: what the policy's alarm references resolve against. */
export interface ListedAlarm {
  readonly name: string;
  readonly arn: string;
  /** The `meshwarden:route` tag, when the alarm has one. */
  readonly routeTag: string | undefined;
}

/** Every CloudWatch alarm there is (metric and composite), with its route tag. */
export interface AlarmCatalog {
  listAlarms(): Promise<ListedAlarm[]>;
}

/** The weighted route, read with one call (no tags): the rollback path reads and writes, nothing more. */
export interface RouteReader {
  readRoute(ref: {
    readonly meshName: string;
    readonly virtualRouterName: string;
    readonly routeName: string;
  }): Promise<MeshResourceOf<'route'> | undefined>;
}

/**
 * Weighted routes on one provider, as the deployment guard reads and writes them: one call to
 * read a route's weighted targets, one to write new weights. A write keeps everything of the
 * route as read but the weights (every provider's update replaces the whole rule or spec), and
 * marks the write as meshwarden's own where the provider supports it (`options.ownWrite`).
 */
export interface WeightedRoutes {
  /**
   * The route as it is now, with one call; undefined when it (or what holds it) is gone. With
   * `tags`, its tags too (one more call), for the stable-target tag when a deployment opens.
   */
  read(
    ref: import('./domain/weighted-route').RouteRef,
    options?: { readonly tags?: boolean },
  ): Promise<import('./domain/weighted-route').WeightedRoute | undefined> /**
   * Write `weights` onto `read` (targets not named get 0), keeping the rest of it. The
   * `clientToken` makes a retried write one where the provider takes one.
   */;
  writeWeights(
    read: import('./domain/weighted-route').WeightedRoute,
    weights: import('./domain/weighted-route').Weights,
    options: MeshWriteOptions,
  ): Promise<import('./domain/weighted-route').WeightedRouteWrite>;
}

/**
 * A route one provider API call changed, as its CloudTrail record and the provider tell. A
 * deleted route has no names left to read: `covers` says which recorded route ARNs the delete
 * took (a rule, every rule of a deleted listener or service). `written`: the weights the call
 * wrote, as the provider's answer in the record says (undefined when it does not say); never
 * recorded, only compared with the route as read, to tell whether a later write replaced it.
 */
export type ChangedRoute =
  | {
      readonly operation: 'create' | 'update';
      readonly ref: import('./domain/weighted-route').RouteRef;
      readonly written?: import('./domain/weighted-route').Weights;
    }
  | { readonly operation: 'delete'; readonly covers: (routeArn: string) => boolean };

/** A provider the guard governs besides App Mesh: its routes, and what its API calls changed. */
export interface RouteProvider extends WeightedRoutes {
  /**
   * The governed routes a successful API call of this provider changed (its CloudTrail
   * record's detail, validated by the provider's schema); names are resolved from the ids the
   * record carries. Empty when the call changed no governed weighted route.
   */
  routesChangedBy(detail: unknown): Promise<ChangedRoute[]>;
}

/** Where the guard keeps one record per route (the latest deployment) and finished deployments. */
export interface DeploymentStore {
  get(routeKey: string): Promise<import('./deployments/model').RouteRecord | undefined>;
  /** Every route record. */
  list(): Promise<import('./deployments/model').RouteRecord[]>;
  /**
   * Write the record if the stored version is still `record.version` (0: not stored yet), and
   * return it with the next version. ConflictError when someone else wrote first.
   */
  save(record: import('./deployments/model').RouteRecord): Promise<import('./deployments/model').RouteRecord>;
  /** Keep a finished deployment when a newer one replaces it on the route record. */
  archive(routeKey: string, deployment: import('./deployments/model').Deployment): Promise<void>;
  /** Finished deployments of a route, newest first. */
  history(routeKey: string, limit: number): Promise<import('./deployments/model').Deployment[]>;
}

/** One scheduled step check of a progressive deployment. */
export interface StepInvocation {
  /** The account of the route; meshwarden's own account when absent. */
  readonly account?: string;
  readonly routeKey: string;
  readonly deploymentId: string;
  readonly stepIndex: number;
  /** Unique per schedule; a step whose token is not the deployment's `next.token` is stale. */
  readonly token: string;
}

/** One-time schedules that invoke the guard for a step (EventBridge Scheduler `at()`). */
export interface StepScheduler {
  schedule(step: StepInvocation, at: Date): Promise<void>;
  /** Remove a schedule that has not fired; nothing when it is gone already. */
  cancel(token: string): Promise<void>;
  /**
   * Make sure the one-minute recovery schedule exists (nothing when it does): it invokes the
   * guard every minute while a rollback is unfinished.
   */
  ensureRecovery(): Promise<void>;
  /** Delete the recovery schedule; nothing when it is gone already. */
  removeRecovery(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Mesh state cache (change control)

/**
 * The last read state of each governed mesh, one entry per resource, so judging one event
 * reads the cache plus the changed resource instead of the whole mesh. Writes are conditional
 * on the resource's incarnation (`uid`, `createdAt`) and `version`: an older state never
 * replaces a newer one, whatever order events arrive in.
 */
export interface MeshStateStore {
  /** Every cached resource of the mesh (all pages); empty when the cache is cold. */
  load(meshName: string): Promise<import('./providers/appmesh/model').MeshResource[]>;
  /** Cache a resource's state unless a newer state of it is cached already. */
  put(resource: import('./providers/appmesh/model').MeshResource): Promise<void>;
  /**
   * Forget a deleted resource. With `uid`, only that incarnation is forgotten (a recreated
   * resource cached meanwhile stays).
   */
  remove(ref: ResourceRef, uid?: string): Promise<void>;
  /** Fill a cold cache with a whole mesh read (batched writes, unconditional). */
  fill(snapshot: MeshSnapshot): Promise<void>;
  /**
   * Make the cache equal a whole mesh read: write what differs (conditionally), forget
   * resources the read did not find. Returns how many items were written and removed.
   */
  refresh(snapshot: MeshSnapshot): Promise<{ readonly written: number; readonly removed: number }>;
}

/** A mesh's audited snapshot as stored and verified, with the changes recorded since. */
export interface StoredMeshSnapshot {
  /** When the whole read behind it began. */
  readonly takenAt: string;
  /** Every resource of the mesh as the audit read it (the mesh resource among them). */
  readonly resources: readonly import('./providers/appmesh/model').MeshResource[];
  /** Resource key -> when change control last recorded a change of it (ISO time). */
  readonly changes: ReadonlyMap<string, string>;
}

/**
 * The snapshot the scheduled audit leaves of each governed mesh, so the first event on a cold
 * mesh state cache reads one partition instead of the whole mesh. Every judged change marks its
 * resource, so a reader knows which resources moved on since the snapshot was taken.
 */
export interface MeshSnapshotStore {
  /** Replace the mesh's snapshot with a whole read (the audit). */
  save(snapshot: MeshSnapshot): Promise<void>;
  /** The stored snapshot if it is complete and intact; undefined when absent or not verifiable. */
  load(meshName: string): Promise<StoredMeshSnapshot | undefined>;
  /** Record that `ref` changed at `at` (marks only move forward). */
  markChanged(ref: ResourceRef, at: Date): Promise<void>;
}

import type { PolicyDocument } from './iam/policy-document';

/**
 * Contracts between the local AWS edge endpoint, the emulated services and the local
 * runtime (event bus, functions, Slack). Every emulated service is a `LocalService`; the
 * edge routes each request to it by the SigV4 signing name and records what it did.
 */

/** A CloudTrail `userIdentity` block, shaped as CloudTrail writes it. */
export type CloudTrailUserIdentity = Record<string, unknown> & {
  type: string;
  arn?: string;
  accountId?: string;
};

/** Who signed a request: resolved from the access key id by the identities file. */
export interface CallerIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
  /** The caller ARN as sts:GetCallerIdentity returns it. */
  readonly arn: string;
  /** The unique id as sts:GetCallerIdentity returns it (`AROA...:session` for a role session). */
  readonly userId: string;
  /** A short label for logs and timelines, e.g. `dev-alice (OIDC)`. */
  readonly label: string;
  readonly userIdentity: CloudTrailUserIdentity;
  /**
   * The caller's identity-based IAM policies; undefined allows everything (an identity
   * listed without `policies`).
   */
  readonly policies?: readonly PolicyDocument[];
  /** `aws:PrincipalArn`: the role behind a role session; the caller ARN otherwise. */
  readonly principalArn?: string;
  /** Session tags (`aws:PrincipalTag/<key>`). */
  readonly principalTags?: Readonly<Record<string, string>>;
}

/** One HTTP request, after the edge has authenticated it. Header names are lower-case. */
export interface LocalRequest {
  readonly service: string;
  readonly region: string;
  readonly method: string;
  /** Path without the query string, percent-decoded per segment is left to the service. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly caller: CallerIdentity;
  readonly requestId: string;
}

/**
 * What a call did, for CloudTrail emulation. Services set it on every response (success or
 * error) once they know the operation; the edge emits `AWS API Call via CloudTrail` for
 * mutating calls of the services that CloudTrail records.
 */
export interface ApiCallRecord {
  readonly eventName: string;
  readonly readOnly: boolean;
  readonly requestParameters?: unknown;
  readonly responseElements?: unknown;
}

export interface LocalResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  readonly apiCall?: ApiCallRecord;
  /** Set on error responses: the AWS error code and message (also used for CloudTrail). */
  readonly error?: { readonly code: string; readonly message: string };
}

/** An event as it travels on the local bus: the EventBridge envelope. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

/** An entry as PutEvents takes it, before the bus stamps id, time, account and region. */
export interface BusEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  readonly resources?: readonly string[];
  readonly eventBusName?: string;
  readonly time?: Date;
  /**
   * The account the event happened in, when not the bus's own: events a member account
   * forwards to the central bus keep their account, as EventBridge keeps it across accounts.
   */
  readonly account?: string;
}

/** What every emulated service may use from the runtime. */
export interface LocalServiceContext {
  readonly region: string;
  readonly accountId: string;
  /** The clock; tests may move it. */
  now(): Date;
  /** Put events on a local bus (default bus unless the entry names another). Returns the event ids. */
  putEvents(entries: readonly BusEntry[]): Promise<string[]>;
  /** Invoke a local function by name or Lambda ARN, asynchronously (at least once, with retries). */
  invokeFunction(nameOrArn: string, payload: unknown): Promise<void>;
  /** Directory for this service's persisted state, or undefined when running in memory only. */
  readonly dataDir: string | undefined;
}

export interface LocalService {
  /** The SigV4 signing name the edge routes by, e.g. `appmesh`, `monitoring`, `acm-pca`. */
  readonly signingName: string;
  handle(req: LocalRequest): Promise<LocalResponse>;
  /** Flush persisted state and stop timers. */
  close?(): Promise<void>;
}

/** Optional capability: name the operation of a request before it runs (for fault injection). */
export interface OperationResolver {
  operationOf(req: LocalRequest): string | undefined;
}

/**
 * Fakes and builders for the approvals use cases: an in-memory store with the same
 * conditional semantics as the DynamoDB one, a chat that remembers what it was asked, a
 * publisher, a policy with an approvals section, and signed Slack callbacks.
 */
import type { Approval, ApprovalExecution, ChatMessageRef } from '../../../shared/approvals/approval';
import type { DecideDeps } from '../../../shared/approvals/decide';
import { computeSlackSignature } from '../../../shared/events/slack-signature';
import { parsePolicy } from '../../../shared/policy/load';
import type {
  ApprovalStore,
  ChatApprovals,
  DecisionToRecord,
  DomainEvent,
  EventPublisher,
  RecordDecisionResult,
} from '../../../shared/ports';
import { loadEvent } from '../../support/sample-events';

export const SIGNING_SECRET = 'unit-test-signing-secret';
export const NOW = new Date('2026-03-10T10:16:05.000Z');
export const APPROVAL_ID = 'hold-3f9c1a2b';

export class MemoryApprovalStore implements ApprovalStore {
  readonly items = new Map<string, Approval>();

  async create(approval: Approval): Promise<boolean> {
    if (this.items.has(approval.approvalId)) return false;
    this.items.set(approval.approvalId, structuredClone(approval));
    return true;
  }
  async get(id: string): Promise<Approval | undefined> {
    const found = this.items.get(id);
    return found === undefined ? undefined : structuredClone(found);
  }
  async attachMessage(id: string, message: ChatMessageRef): Promise<void> {
    this.patch(id, { message });
  }
  async recordDecision(id: string, decision: DecisionToRecord, now: Date): Promise<RecordDecisionResult> {
    const current = this.items.get(id);
    if (current === undefined) return { outcome: 'not-found' };
    if (current.status !== 'pending')
      return { outcome: 'already-decided', approval: structuredClone(current) };
    if (decision.status !== 'expired' && Date.parse(current.expiresAt) <= now.getTime()) {
      return { outcome: 'expired', approval: structuredClone(current) };
    }
    const next: Approval = {
      ...current,
      status: decision.status,
      decidedAt: decision.decidedAt,
      ...(decision.decidedBy === undefined ? {} : { decidedBy: decision.decidedBy }),
      ...(decision.click === undefined ? {} : { decidedByClick: decision.click }),
    };
    this.items.set(id, next);
    return { outcome: 'recorded', approval: structuredClone(next) };
  }
  async markPublished(id: string): Promise<void> {
    this.patch(id, { published: true });
  }
  async recordExecution(id: string, execution: ApprovalExecution): Promise<void> {
    this.patch(id, { execution });
  }
  async listOpen(): Promise<Approval[]> {
    return [...this.items.values()].filter((a) => a.published !== true).map((a) => structuredClone(a));
  }
  private patch(id: string, members: Partial<Approval>): void {
    const current = this.items.get(id);
    if (current === undefined) throw new Error(`no approval ${id}`);
    this.items.set(id, { ...current, ...members });
  }
}

export class RecordingChat implements ChatApprovals {
  readonly posted: { channel: string; approval: Approval }[] = [];
  readonly updated: Approval[] = [];
  readonly replies: { message: ChatMessageRef; text: string }[] = [];
  readonly ephemeral: { channel: string; userId: string; text: string }[] = [];
  emails: Record<string, string> = {};
  usersInfoFails = false;

  async postApprovalRequest(channel: string, approval: Approval): Promise<ChatMessageRef> {
    this.posted.push({ channel, approval });
    return { channel, ts: `1773137702.00${this.posted.length}` };
  }
  async updateApprovalMessage(approval: Approval): Promise<void> {
    this.updated.push(approval);
  }
  async postThreadReply(message: ChatMessageRef, text: string): Promise<void> {
    this.replies.push({ message, text });
  }
  async postEphemeral(channel: string, userId: string, text: string): Promise<void> {
    this.ephemeral.push({ channel, userId, text });
  }
  async userEmail(userId: string): Promise<string | undefined> {
    if (this.usersInfoFails) throw new Error('users.info: ratelimited');
    return this.emails[userId];
  }
}

export class RecordingPublisher implements EventPublisher {
  readonly events: DomainEvent[] = [];
  failures = 0;
  async publish(events: readonly DomainEvent[]): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('PutEvents throttled');
    }
    this.events.push(...events);
  }
}

/** A policy whose mesh `prod` has an approvals section; `extra` lines are appended to it. */
export function approvalsPolicy(extra = '') {
  return parsePolicy(
    `version: 1
meshes:
  - mesh: prod
    changeControl: { default: deny, onViolation: hold }
    approvals:
      slack: { channel: C0APPROVALS, notificationsChannel: C0MESHOPS01 }
      expiresAfterMinutes: 60
      approvers:
        U0PLATFORM1:
          identity: priya
          email: priya@acme.example
          groups: [platform-leads]
          awsPrincipals: ['arn:aws:sts::000000000000:assumed-role/PlatformAdmin/priya*']
        U0DEV00001: { identity: alice, email: alice@acme.example, groups: [developers] }
        U0ONCALL01: { identity: omar, email: omar@acme.example, groups: [on-call] }
      approve:
        reapply-change: [platform-leads]
        promote-deployment: [platform-leads, on-call, developers]
${extra}`,
    'approvals-test.policy.yaml',
  );
}

/** A silent logger that keeps what was logged. */
export function recordingLog() {
  const lines: { level: string; message: string }[] = [];
  const at =
    (level: string) =>
    (message: unknown, ..._extra: unknown[]) => {
      lines.push({ level, message: String(message) });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A pending reapply-change approval for prod/route/web-router/web-route, asked by bob. */
export function pendingApproval(overrides: Partial<Approval> = {}): Approval {
  return {
    approvalId: APPROVAL_ID,
    meshName: 'prod',
    action: {
      type: 'reapply-change',
      resourceKey: 'prod/route/web-router/web-route',
      operation: 'UpdateRoute',
      proposed: { kind: 'route', spec: { httpRoute: { match: { prefix: '/' } } } },
    },
    title: 'UpdateRoute prod/web-router/web-route',
    reason: 'bob may change nothing (bob-needs-approval)',
    requestedBy: { arn: 'arn:aws:iam::000000000000:user/bob', label: 'bob' },
    diff: '- web-v1 90\n+ web-v1 50',
    requestedAt: '2026-03-10T10:00:00.000Z',
    expiresAt: '2026-03-10T11:00:00.000Z',
    status: 'pending',
    message: { channel: 'C0APPROVALS', ts: '1773137702.004900' },
    ...overrides,
  };
}

/** The sample block_actions payload, clicked by `user` on `actionId` for `approvalId`. */
export function clickPayload(
  options: { user?: string; actionId?: string; approvalId?: string; triggerId?: string } = {},
): Record<string, unknown> {
  const payload = loadEvent('slack/payloads/block-actions-approve') as Record<string, unknown>;
  const action = (payload.actions as Record<string, unknown>[])[0] ?? {};
  return {
    ...payload,
    user: { id: options.user ?? 'U0PLATFORM1', username: 'priya', name: 'priya', team_id: 'T0LOCAL001' },
    channel: { id: 'C0APPROVALS', name: 'mesh-approvals' },
    trigger_id: options.triggerId ?? (payload.trigger_id as string),
    actions: [
      {
        ...action,
        action_id: options.actionId ?? 'meshwarden.approve',
        value: options.approvalId ?? APPROVAL_ID,
      },
    ],
  };
}

/** The raw form body Slack posts. */
export function formBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** An API Gateway event for a raw body, signed (or not) as told. */
export function callbackEvent(
  rawBody: string,
  options: {
    timestamp?: string;
    signature?: string;
    secret?: string;
    base64?: boolean;
    headers?: Record<string, string>;
  } = {},
): Record<string, unknown> {
  const sample = loadEvent('slack/block-actions-approve-base64') as Record<string, unknown>;
  const timestamp = options.timestamp ?? String(Math.floor(NOW.getTime() / 1000));
  const signature =
    options.signature ?? computeSlackSignature(options.secret ?? SIGNING_SECRET, timestamp, rawBody);
  const base64 = options.base64 ?? true;
  return {
    ...sample,
    headers: {
      ...(sample.headers as Record<string, string>),
      'content-length': String(Buffer.byteLength(rawBody)),
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
      ...options.headers,
    },
    body: base64 ? Buffer.from(rawBody).toString('base64') : rawBody,
    isBase64Encoded: base64,
  };
}

/** Everything the callback use case needs, all fakes, clock at NOW. */
export function decideFixture(options: { policyExtra?: string; approval?: Approval | null } = {}) {
  const store = new MemoryApprovalStore();
  const chat = new RecordingChat();
  chat.emails = {
    U0PLATFORM1: 'priya@acme.example',
    U0DEV00001: 'alice@acme.example',
    U0ONCALL01: 'omar@acme.example',
  };
  const publisher = new RecordingPublisher();
  const log = recordingLog();
  const clock = { now: NOW };
  if (options.approval !== null) void store.create(options.approval ?? pendingApproval());
  const deps: DecideDeps = {
    store,
    chat,
    publisher,
    policy: approvalsPolicy(options.policyExtra),
    signingSecrets: async () => ({ signingSecret: SIGNING_SECRET }),
    now: () => clock.now,
    log,
  };
  return { deps, store, chat, publisher, log, clock };
}

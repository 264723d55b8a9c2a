import type { LocalApiCall, LocalAws } from '../../../infra/local/runtime';

/**
 * What a handler run changed in local AWS, read from every call the edge answered and from
 * local Slack: mesh writes, state-table writes other than idempotency bookkeeping, events put
 * on a bus, schedules, certificates, secrets, Slack messages.
 */
export interface Effects {
  /** `service:Operation` of each mutating call, with the table key for DynamoDB writes. */
  readonly writes: string[];
  /** Events put on any local bus (CloudTrail records of writes, meshwarden's own events). */
  readonly busEvents: string[];
  /** Whether a message was posted or updated in a local Slack channel. */
  readonly slackChanged: boolean;
  /** Whether an ephemeral answer was shown to someone (a courtesy reply, not a decision). */
  readonly slackEphemeral: boolean;
}

const DYNAMODB_WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);
const READ_PREFIX = /^(Describe|List|Get|BatchGet|Query|Scan)/;

/** Idempotency records live under `IDEMPOTENCY#<function>`: bookkeeping, not an effect. */
function isIdempotencyBookkeeping(call: LocalApiCall): boolean {
  let input: { Item?: { pk?: { S?: string } }; Key?: { pk?: { S?: string } } };
  try {
    input = JSON.parse(call.request.body.toString('utf8')) as typeof input;
  } catch {
    return false;
  }
  const pk = input.Item?.pk?.S ?? input.Key?.pk?.S ?? '';
  return pk.startsWith('IDEMPOTENCY#');
}

function describeWrite(call: LocalApiCall): string | undefined {
  const { request, response, operation } = call;
  const name = operation ?? response.apiCall?.eventName ?? `${request.method} ${request.path}`;
  if (request.service === 'dynamodb') {
    if (!DYNAMODB_WRITES.has(name) || isIdempotencyBookkeeping(call)) return undefined;
    return `dynamodb:${name} ${request.body.toString('utf8').slice(0, 200)}`;
  }
  if (request.service === 'sts' || request.service === 'monitoring') return undefined;
  const readOnly = response.apiCall?.readOnly ?? (READ_PREFIX.test(name) || request.method === 'GET');
  return readOnly ? undefined : `${request.service}:${name} ${request.path}`;
}

/** What local Slack shows in its channels: messages with their edit history, and ephemeral ones. */
function slackSnapshot(aws: LocalAws): { messages: string; ephemeral: string } {
  const channels = aws.slackConfig.channels.map((c) => aws.slack.store.messagesIn(c.id));
  return {
    messages: JSON.stringify(channels.map((c) => c.messages)),
    ephemeral: JSON.stringify(channels.map((c) => c.ephemeral)),
  };
}

/** Record the effects of whatever runs until `stop()` is called. */
export function recordEffects(aws: LocalAws): { stop(): Effects } {
  const writes: string[] = [];
  const busEvents: string[] = [];
  const unsubscribeBus = aws.bus.onActivity((activity) => {
    if (activity.kind === 'event')
      busEvents.push(`${activity.busName}: ${activity.event.source} ${activity.event['detail-type']}`);
  });
  const slackBefore = slackSnapshot(aws);
  const unsubscribe = aws.onApiCall((call) => {
    const write = describeWrite(call);
    // A refused call changed nothing; CloudTrail records it, but it is no effect.
    if (write !== undefined && call.response.status < 300) writes.push(write);
  });
  return {
    stop: () => {
      unsubscribe();
      unsubscribeBus();
      const slackAfter = slackSnapshot(aws);
      return {
        writes,
        busEvents,
        slackChanged: slackAfter.messages !== slackBefore.messages,
        slackEphemeral: slackAfter.ephemeral !== slackBefore.ephemeral,
      };
    },
  };
}

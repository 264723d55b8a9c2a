import { randomBytes, randomInt } from 'node:crypto';
import { computeSlackSignature } from '../../../shared/events/slack-signature';
import type { SlackUserConfig } from './slack-config';
import type { Block, EphemeralMessage, SlackStore, StoredMessage } from './slack-store';
import { publicMessage } from './web-api';

/**
 * Pressing a button in the local workspace: build the `block_actions` payload Slack sends to
 * the app's Interactivity Request URL, sign it with the signing secret, and POST it there.
 */

/** A button press: who pressed which button on which message. */
export interface Press {
  readonly channel: string;
  readonly ts: string;
  readonly action_id: string;
  readonly user: string;
}

/** What the app's callback answered. */
export interface PressResult {
  readonly status: number;
  readonly body: string;
}

/** A press that cannot happen (unknown message, button or user), with the reason. */
export class PressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PressError';
  }
}

interface FoundButton {
  readonly block_id: string;
  readonly element: Record<string, unknown>;
}

/** Buttons sit in `actions` blocks (elements) and as a `section` accessory. */
function buttonsOf(blocks: readonly Block[] | undefined): FoundButton[] {
  const found: FoundButton[] = [];
  for (const block of blocks ?? []) {
    const blockId = typeof block.block_id === 'string' ? block.block_id : '';
    const candidates = [...(Array.isArray(block.elements) ? block.elements : []), block.accessory];
    for (const element of candidates) {
      if (
        element !== null &&
        typeof element === 'object' &&
        (element as { type?: unknown }).type === 'button'
      ) {
        found.push({ block_id: blockId, element: element as Record<string, unknown> });
      }
    }
  }
  return found;
}

/** A Slack-looking trigger id: `<digits>.<digits>.<hex>`. */
function triggerId(): string {
  return `${randomInt(1e9, 1e10)}.${randomInt(1e9, 1e10)}.${randomBytes(16).toString('hex')}`;
}

/** Build the block_actions payload for a press; issues the response_url it carries. */
export function buildBlockActions(store: SlackStore, press: Press, baseUrl: string): Record<string, unknown> {
  const channel = store.channel(press.channel);
  if (channel === undefined) throw new PressError(`No channel ${press.channel}`);
  const user: SlackUserConfig | undefined = store.user(press.user);
  if (user === undefined) throw new PressError(`No user ${press.user} in the local workspace`);
  const message: StoredMessage | undefined = store.message(channel.id, press.ts);
  const ephemeral: EphemeralMessage | undefined =
    message === undefined ? store.ephemeralMessage(channel.id, press.ts) : undefined;
  if (message === undefined && ephemeral === undefined)
    throw new PressError(`No message ${press.ts} in #${channel.name}`);
  if (ephemeral !== undefined && ephemeral.user !== user.id) {
    throw new PressError(
      `Ephemeral message ${press.ts} is shown to ${ephemeral.user} only, not to ${user.id}`,
    );
  }
  const blocks = message?.blocks ?? ephemeral?.blocks;
  const buttons = buttonsOf(blocks);
  const button = buttons.find((b) => b.element.action_id === press.action_id);
  if (button === undefined) {
    const known = buttons.map((b) => String(b.element.action_id)).join(', ') || 'none';
    throw new PressError(
      `Message ${press.ts} has no button with action_id ${press.action_id} (buttons: ${known})`,
    );
  }
  const { config } = store;
  const responseUrl = store.issueResponseUrl({
    channel: channel.id,
    ts: press.ts,
    user: user.id,
    ephemeral: ephemeral !== undefined,
  });
  const action: Record<string, unknown> = {
    action_id: press.action_id,
    block_id: button.block_id,
    text: button.element.text,
    ...(button.element.value === undefined ? {} : { value: button.element.value }),
    ...(button.element.style === undefined ? {} : { style: button.element.style }),
    type: 'button',
    action_ts: store.nextTs(),
  };
  return {
    type: 'block_actions',
    user: { id: user.id, username: user.name, name: user.name, team_id: config.team.id },
    api_app_id: config.appId,
    token: config.verificationToken,
    container: {
      type: 'message',
      message_ts: press.ts,
      channel_id: channel.id,
      is_ephemeral: ephemeral !== undefined,
    },
    trigger_id: triggerId(),
    team: { id: config.team.id, domain: config.team.domain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel.id, name: channel.name },
    ...(message === undefined ? {} : { message: publicMessage(message) }),
    state: { values: {} },
    response_url: `${baseUrl}/_local/response/${responseUrl.id}`,
    actions: [action],
  };
}

/** Form-encode, sign and POST a payload to the callback URL; returns what the callback answered. */
export async function deliverInteraction(
  payload: Record<string, unknown>,
  callbackUrl: string,
  signingSecret: string,
  now: Date,
): Promise<PressResult> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const response = await fetch(callbackUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': computeSlackSignature(signingSecret, timestamp, body),
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}

/**
 * Press a button on a running local Slack (for tests and the CLI): `slackUrl` is the server's
 * base URL, e.g. `http://127.0.0.1:4567`. Resolves with the app callback's answer.
 */
export async function pressButton(slackUrl: string, press: Press): Promise<PressResult> {
  const response = await fetch(`${slackUrl.replace(/\/$/, '')}/_local/press`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(press),
  });
  const answer = (await response.json()) as { ok?: boolean; error?: string; callback?: PressResult };
  if (!response.ok || answer.ok !== true || answer.callback === undefined) {
    throw new PressError(answer.error ?? `local Slack answered HTTP ${response.status}`);
  }
  return answer.callback;
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pressButton } from '../../../infra/local/slack/block-actions';
import { DEFAULT_SLACK_CONFIG } from '../../../infra/local/slack/slack-config';
import { LocalSlackServer } from '../../../infra/local/slack/slack-server';

const TOKEN = DEFAULT_SLACK_CONFIG.botToken;
const SECRET = DEFAULT_SLACK_CONFIG.signingSecret;
const APPROVALS = 'C0APPROVALS';

const approvalBlocks = [
  { type: 'section', block_id: 'summary', text: { type: 'mrkdwn', text: '*Shift 100% to green?*' } },
  {
    type: 'actions',
    block_id: 'decision',
    elements: [
      {
        type: 'button',
        action_id: 'approve',
        text: { type: 'plain_text', text: 'Approve' },
        value: 'req-42',
        style: 'primary',
      },
      {
        type: 'button',
        action_id: 'reject',
        text: { type: 'plain_text', text: 'Reject' },
        value: 'req-42',
        style: 'danger',
      },
    ],
  },
];

/** What the test's callback server received, checked with its own HMAC code. */
interface Received {
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  signatureValid: boolean;
  payload: Record<string, unknown>;
}

function verifySignature(secret: string, timestamp: string, rawBody: string, signature: string): boolean {
  const expected = Buffer.from(
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Web API errors come back as thrown errors carrying Slack's answer in `data`. */
const slackErrorOf = (call: Promise<unknown>): Promise<unknown> =>
  call.then(
    () => ({ data: { error: 'expected the call to fail' } }),
    (error: unknown) => (error as { data?: unknown }).data,
  );

describe('local Slack', () => {
  let dataDir: string;
  let slack: LocalSlackServer;
  let slackUrl: string;
  let client: WebClient;
  let callback: Server;
  const received: Received[] = [];
  let callbackAnswer: (payload: Record<string, unknown>) => Promise<unknown> = async () => ({});

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'slack-'));
    slack = new LocalSlackServer({ dataDir });
    slackUrl = `http://127.0.0.1:${await slack.listen(0)}`;
    client = new WebClient(TOKEN, { slackApiUrl: `${slackUrl}/api/`, retryConfig: { retries: 0 } });

    callback = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const timestamp = String(req.headers['x-slack-request-timestamp'] ?? '');
        const signature = String(req.headers['x-slack-signature'] ?? '');
        const payload = JSON.parse(new URLSearchParams(rawBody).get('payload') ?? '{}') as Record<
          string,
          unknown
        >;
        received.push({
          headers: req.headers,
          rawBody,
          signatureValid: verifySignature(SECRET, timestamp, rawBody, signature),
          payload,
        });
        const answer = await callbackAnswer(payload);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    slack.setCallbackUrl(`http://127.0.0.1:${(callback.address() as AddressInfo).port}/slack/interactions`);
  });
  afterAll(async () => {
    await slack.close();
    await new Promise<void>((resolve) => callback.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    received.length = 0;
    callbackAnswer = async () => ({});
  });

  it('answers auth.test for the bot token', async () => {
    const out = await client.auth.test();

    expect(out).toMatchObject({
      ok: true,
      team_id: 'T0LOCAL001',
      user_id: 'U0MESHBOT1',
      bot_id: 'B0MESHBOT1',
      user: 'meshwarden',
      url: 'https://acme-local.slack.com/',
    });
  });

  it('refuses a wrong token with invalid_auth and a missing one with not_authed', async () => {
    // Prepare
    const wrong = new WebClient('xoxb-wrong', {
      slackApiUrl: `${slackUrl}/api/`,
      retryConfig: { retries: 0 },
    });
    const none = new WebClient(undefined, { slackApiUrl: `${slackUrl}/api/`, retryConfig: { retries: 0 } });

    // Act
    const invalid = await slackErrorOf(wrong.chat.postMessage({ channel: APPROVALS, text: 'x' }));
    const missing = await slackErrorOf(none.auth.test());

    // Assess
    expect(invalid).toMatchObject({ ok: false, error: 'invalid_auth' });
    expect(missing).toMatchObject({ ok: false, error: 'not_authed' });
  });

  it('posts a message with blocks and shows it on the local channel', async () => {
    // Act
    const posted = await client.chat.postMessage({
      channel: '#mesh-approvals',
      text: 'Approval needed',
      blocks: approvalBlocks,
    });
    const local = (await (await fetch(`${slackUrl}/_local/channels/mesh-approvals/messages`)).json()) as {
      messages: { ts: string; text: string; blocks: unknown[] }[];
    };

    // Assess
    expect(posted).toMatchObject({
      ok: true,
      channel: APPROVALS,
      message: { text: 'Approval needed', bot_id: 'B0MESHBOT1' },
    });
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(local.messages.at(-1)).toMatchObject({
      ts: posted.ts,
      text: 'Approval needed',
      blocks: approvalBlocks,
    });
  });

  it('posts a threaded reply and refuses an unknown channel or an empty message', async () => {
    // Prepare
    const parent = await client.chat.postMessage({ channel: APPROVALS, text: 'parent' });

    // Act
    const reply = await client.chat.postMessage({
      channel: APPROVALS,
      text: 'reply',
      thread_ts: parent.ts as string,
    });
    const unknown = await slackErrorOf(client.chat.postMessage({ channel: 'C0NOPE0000', text: 'x' }));
    const empty = await slackErrorOf(client.chat.postMessage({ channel: APPROVALS, text: '' }));
    const badBlocks = await slackErrorOf(
      client.apiCall('chat.postMessage', { channel: APPROVALS, blocks: '[not json' }),
    );

    // Assess
    expect(reply.message?.thread_ts).toBe(parent.ts);
    expect(unknown).toMatchObject({ ok: false, error: 'channel_not_found' });
    expect(empty).toMatchObject({ ok: false, error: 'no_text' });
    expect(badBlocks).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });

  it('updates a message, keeping its edit history', async () => {
    // Prepare
    const posted = await client.chat.postMessage({ channel: APPROVALS, text: 'v1', blocks: approvalBlocks });

    // Act
    const updated = await client.chat.update({
      channel: APPROVALS,
      ts: posted.ts as string,
      text: 'v2 approved',
      blocks: [],
    });
    const missing = await slackErrorOf(client.chat.update({ channel: APPROVALS, ts: '1.000001', text: 'x' }));
    const local = (await (await fetch(`${slackUrl}/_local/channels/${APPROVALS}/messages`)).json()) as {
      messages: {
        ts: string;
        text: string;
        blocks?: unknown[];
        history: { text: string }[];
        edited?: unknown;
      }[];
    };

    // Assess
    expect(updated).toMatchObject({ ok: true, channel: APPROVALS, ts: posted.ts, text: 'v2 approved' });
    expect(missing).toMatchObject({ ok: false, error: 'message_not_found' });
    const stored = local.messages.find((m) => m.ts === posted.ts);
    expect(stored).toMatchObject({
      text: 'v2 approved',
      blocks: [],
      history: [{ text: 'v1' }],
      edited: { user: 'U0MESHBOT1' },
    });
  });

  it('posts an ephemeral message to one user', async () => {
    // Act
    const out = await client.chat.postEphemeral({
      channel: APPROVALS,
      user: 'U0DEV00001',
      text: 'Only you can see this',
    });
    const notAUser = await slackErrorOf(
      client.chat.postEphemeral({ channel: APPROVALS, user: 'U0NOBODY00', text: 'x' }),
    );
    const local = (await (await fetch(`${slackUrl}/_local/channels/${APPROVALS}/messages`)).json()) as {
      ephemeral: { ts: string; user: string; text: string }[];
    };

    // Assess
    expect(out).toMatchObject({ ok: true });
    expect(out.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(notAUser).toMatchObject({ ok: false, error: 'user_not_in_channel' });
    expect(local.ephemeral).toContainEqual(
      expect.objectContaining({ ts: out.message_ts, user: 'U0DEV00001' }),
    );
  });

  it('looks users up by id and by email', async () => {
    // Act
    const info = await client.users.info({ user: 'U0PLATFORM1' });
    const bot = await client.users.info({ user: 'U0MESHBOT1' });
    const byEmail = await client.users.lookupByEmail({ email: 'OMAR@acme.example' });
    const unknownUser = await slackErrorOf(client.users.info({ user: 'U0NOBODY00' }));
    const unknownEmail = await slackErrorOf(client.users.lookupByEmail({ email: 'nobody@acme.example' }));

    // Assess
    expect(info.user).toMatchObject({
      id: 'U0PLATFORM1',
      name: 'priya',
      real_name: 'Priya Raman',
      is_admin: true,
      is_bot: false,
      profile: { email: 'priya@acme.example', real_name: 'Priya Raman' },
    });
    expect(bot.user).toMatchObject({ id: 'U0MESHBOT1', is_bot: true });
    expect(byEmail.user).toMatchObject({ id: 'U0ONCALL01', name: 'omar' });
    expect(unknownUser).toMatchObject({ ok: false, error: 'user_not_found' });
    expect(unknownEmail).toMatchObject({ ok: false, error: 'users_not_found' });
  });

  it('accepts JSON bodies as well as form bodies', async () => {
    // Act
    const response = await fetch(`${slackUrl}/api/chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: APPROVALS, text: 'from JSON', blocks: approvalBlocks }),
    });
    const out = (await response.json()) as { ok: boolean; message: { blocks: unknown[] } };
    const broken = await fetch(`${slackUrl}/api/auth.test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{not json',
    });

    // Assess
    expect(out).toMatchObject({ ok: true, message: { blocks: approvalBlocks } });
    expect(await broken.json()).toEqual({ ok: false, error: 'invalid_json' });
  });

  it('presses a button: a signed block_actions payload reaches the callback, whose answer comes back', async () => {
    // Prepare
    const posted = await client.chat.postMessage({
      channel: APPROVALS,
      text: 'Approval needed',
      blocks: approvalBlocks,
    });
    callbackAnswer = async () => ({ accepted: true });

    // Act
    const result = await pressButton(slackUrl, {
      channel: APPROVALS,
      ts: posted.ts as string,
      action_id: 'approve',
      user: 'U0PLATFORM1',
    });

    // Assess
    expect(result).toEqual({ status: 200, body: '{"accepted":true}' });
    expect(received).toHaveLength(1);
    const [call] = received;
    expect(call?.signatureValid).toBe(true);
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Math.abs(Number(call?.headers['x-slack-request-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(call?.payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0PLATFORM1', username: 'priya', name: 'priya', team_id: 'T0LOCAL001' },
      api_app_id: 'A0MESHWARDEN',
      token: 'local-verification-token',
      container: { type: 'message', message_ts: posted.ts, channel_id: APPROVALS, is_ephemeral: false },
      team: { id: 'T0LOCAL001', domain: 'acme-local' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: APPROVALS, name: 'mesh-approvals' },
      message: { ts: posted.ts, text: 'Approval needed', blocks: approvalBlocks },
      state: { values: {} },
      actions: [
        {
          action_id: 'approve',
          block_id: 'decision',
          text: { type: 'plain_text', text: 'Approve' },
          value: 'req-42',
          style: 'primary',
          type: 'button',
        },
      ],
    });
    expect(call?.payload.trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
    expect(String(call?.payload.response_url)).toMatch(new RegExp(`^${slackUrl}/_local/response/[0-9a-f]+$`));
  });

  it('applies what the app sends to the response_url: replace the original, or follow up ephemerally', async () => {
    // Prepare
    const posted = await client.chat.postMessage({
      channel: APPROVALS,
      text: 'Approval needed',
      blocks: approvalBlocks,
    });
    callbackAnswer = async (payload) => {
      const responseUrl = String(payload.response_url);
      await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ replace_original: true, text: 'Approved by priya', blocks: [] }),
      });
      await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', text: 'Thanks, recorded.' }),
      });
      return {};
    };

    // Act
    await pressButton(slackUrl, {
      channel: APPROVALS,
      ts: posted.ts as string,
      action_id: 'approve',
      user: 'U0PLATFORM1',
    });
    const local = (await (await fetch(`${slackUrl}/_local/channels/${APPROVALS}/messages`)).json()) as {
      messages: { ts: string; text: string; blocks?: unknown[]; history: { text: string }[] }[];
      ephemeral: { user: string; text: string }[];
    };

    // Assess
    expect(local.messages.find((m) => m.ts === posted.ts)).toMatchObject({
      text: 'Approved by priya',
      blocks: [],
      history: [{ text: 'Approval needed' }],
    });
    expect(local.ephemeral.at(-1)).toMatchObject({ user: 'U0PLATFORM1', text: 'Thanks, recorded.' });
  });

  it('refuses presses that cannot happen, naming why', async () => {
    // Prepare
    const posted = await client.chat.postMessage({
      channel: APPROVALS,
      text: 'Approval needed',
      blocks: approvalBlocks,
    });
    const ts = posted.ts as string;

    // Act
    const results = await Promise.all(
      [
        { channel: APPROVALS, ts, action_id: 'escalate', user: 'U0PLATFORM1' },
        { channel: APPROVALS, ts, action_id: 'approve', user: 'U0STRANGER' },
        { channel: APPROVALS, ts: '1.000001', action_id: 'approve', user: 'U0PLATFORM1' },
      ].map((press) => pressButton(slackUrl, press).then(String, (error: Error) => error.message)),
    );

    // Assess
    expect(results[0]).toMatch(/no button with action_id escalate \(buttons: approve, reject\)/);
    expect(results[1]).toMatch(/No user U0STRANGER/);
    expect(results[2]).toMatch(/No message 1\.000001/);
    expect(received).toEqual([]);
  });

  it('renders the workspace as a plain page with the messages and their buttons', async () => {
    // Prepare
    await client.chat.postMessage({ channel: APPROVALS, text: 'Page &lt;check&gt; <script>x</script>' });
    await client.chat.postMessage({ channel: APPROVALS, text: 'Fallback only', blocks: approvalBlocks });

    // Act
    const page = await (await fetch(`${slackUrl}/`)).text();

    // Assess
    expect(page).toContain('#mesh-approvals');
    expect(page).toContain('Page &#60;check&#62;');
    expect(page).not.toContain('<script>');
    expect(page).toContain('<button type="submit">Approve</button>');
    // As in Slack, a message with blocks shows them; its text is the notification fallback.
    expect(page).not.toContain('Fallback only');
  });

  it('presses a button from the page form and redirects back with what the app answered', async () => {
    // Prepare
    const posted = await client.chat.postMessage({
      channel: APPROVALS,
      text: 'Approval needed',
      blocks: approvalBlocks,
    });
    callbackAnswer = async () => ({});

    // Act
    const response = await fetch(`${slackUrl}/_local/press`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        channel: APPROVALS,
        ts: posted.ts as string,
        action_id: 'reject',
        user: 'U0ONCALL01',
      }).toString(),
      redirect: 'manual',
    });

    // Assess
    expect(response.status).toBe(303);
    expect(decodeURIComponent(response.headers.get('location') ?? '')).toBe(
      '/?notice=Pressed reject as U0ONCALL01: the app answered HTTP 200',
    );
    expect(received.map((r) => [r.signatureValid, (r.payload.user as { id: string }).id])).toEqual([
      [true, 'U0ONCALL01'],
    ]);
  });

  it('keeps messages across a restart when given a data directory', async () => {
    // Prepare
    const posted = await client.chat.postMessage({ channel: APPROVALS, text: 'persisted' });
    const restarted = new LocalSlackServer({ dataDir });

    // Act
    const { messages } = restarted.store.messagesIn(APPROVALS);

    // Assess
    expect(messages.map((m) => m.ts)).toContain(posted.ts);
  });
});

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BodyTooLargeError, close, listen, readBody } from '../http-server';
import {
  buildBlockActions,
  deliverInteraction,
  type Press,
  PressError,
  type PressResult,
} from './block-actions';
import { renderWorkspace } from './html-page';
import { DEFAULT_SLACK_CONFIG, type SlackConfig } from './slack-config';
import { type Block, SlackStore } from './slack-store';
import { callMethod, readArgs, tokenOf } from './web-api';

/**
 * Local Slack: a Slack Web API subset at `/api/<method>` (point `@slack/web-api` at it with
 * `slackApiUrl: 'http://127.0.0.1:4567/api/'`), a page showing the workspace at `/`, and the
 * local-only routes a person or a test uses to look and to press buttons:
 *
 * - `GET  /_local/channels/{channel}/messages`: the channel's messages and ephemeral messages
 * - `POST /_local/press` `{channel, ts, action_id, user}`: press a button, signed callback to the app
 * - `POST /_local/response/{id}`: the response_url handed to the app with each press
 */

export const DEFAULT_SLACK_PORT = 4567;
const MAX_BODY_BYTES = 1024 * 1024;

export interface LocalSlackOptions {
  readonly config?: SlackConfig;
  /** Directory for `slack.json`; in memory only when absent. */
  readonly dataDir?: string;
  readonly now?: () => Date;
}

interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

const json = (status: number, value: unknown): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(value),
});

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

export class LocalSlackServer {
  readonly store: SlackStore;
  private readonly server: Server;
  private readonly now: () => Date;
  private callbackUrl: string | undefined;
  private baseUrl = `http://127.0.0.1:${DEFAULT_SLACK_PORT}`;

  constructor(options: LocalSlackOptions = {}) {
    const config = options.config ?? DEFAULT_SLACK_CONFIG;
    this.now = options.now ?? (() => new Date());
    this.store = new SlackStore(config, options.dataDir, this.now);
    this.callbackUrl = config.callbackUrl;
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (!res.headersSent) send(res, json(500, { ok: false, error: 'internal_error', detail: message }));
        else res.destroy();
      });
    });
  }

  /** Start listening on loopback; returns the bound port (0 picks a free one). */
  async listen(port = DEFAULT_SLACK_PORT, host = '127.0.0.1'): Promise<number> {
    const bound = await listen(this.server, port, host);
    this.baseUrl = `http://${host}:${bound}`;
    return bound;
  }

  /** The server's base URL, e.g. `http://127.0.0.1:4567`. */
  get url(): string {
    return this.baseUrl;
  }

  /** Where presses go: the app's Interactivity Request URL (known once the local API is up). */
  setCallbackUrl(url: string): void {
    this.callbackUrl = url;
  }

  close(): Promise<void> {
    return close(this.server);
  }

  /** Press a button: build, sign and deliver the block_actions payload. */
  async press(press: Press): Promise<PressResult> {
    if (this.callbackUrl === undefined)
      throw new PressError('No callback URL is configured for button presses');
    const payload = buildBlockActions(this.store, press, this.baseUrl);
    return deliverInteraction(payload, this.callbackUrl, this.store.config.signingSecret, this.now());
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body: string;
    try {
      body = (await readBody(req, MAX_BODY_BYTES)).toString('utf8');
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      return send(res, json(413, { ok: false, error: 'request_too_large' }));
    }
    const contentType = req.headers['content-type'] ?? '';
    const method = req.method ?? 'GET';
    const path = url.pathname;

    const api = /^\/api\/([\w.]+)$/.exec(path);
    if (api !== null) {
      const args = readArgs(url.searchParams, contentType, body);
      if (args === undefined) return send(res, json(200, { ok: false, error: 'invalid_json' }));
      return send(
        res,
        json(200, callMethod(api[1] as string, args, tokenOf(req.headers.authorization, args), this.store)),
      );
    }
    const channelMessages = /^\/_local\/channels\/([^/]+)\/messages$/.exec(path);
    if (channelMessages !== null && method === 'GET') {
      const channel = this.store.channel(decodeURIComponent(channelMessages[1] as string));
      if (channel === undefined) return send(res, json(404, { ok: false, error: 'channel_not_found' }));
      return send(res, json(200, { ok: true, channel, ...this.store.messagesIn(channel.id) }));
    }
    if (path === '/_local/press' && method === 'POST')
      return send(res, await this.handlePress(contentType, body));
    const response = /^\/_local\/response\/([0-9a-f]+)$/.exec(path);
    if (response !== null && method === 'POST')
      return send(res, this.handleResponseUrl(response[1] as string, body));
    if (path === '/' && method === 'GET') {
      const notice = url.searchParams.get('notice') ?? undefined;
      return send(res, {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: renderWorkspace(this.store.config, (c) => this.store.messagesIn(c), notice),
      });
    }
    send(res, json(404, { ok: false, error: 'unknown_route', detail: `${method} ${path}` }));
  }

  /** A press from a test or the CLI (JSON, answered in JSON) or from the page's form (redirected back). */
  private async handlePress(contentType: string, body: string): Promise<Reply> {
    const fromForm = contentType.startsWith('application/x-www-form-urlencoded');
    const args = readArgs(new URLSearchParams(), contentType, body);
    const field = (name: string) => (typeof args?.[name] === 'string' ? (args[name] as string) : '');
    const press: Press = {
      channel: field('channel'),
      ts: field('ts'),
      action_id: field('action_id'),
      user: field('user'),
    };
    const missing = Object.entries(press)
      .filter(([, v]) => v === '')
      .map(([k]) => k);
    let reply: Reply;
    if (missing.length > 0) {
      reply = json(400, { ok: false, error: `missing ${missing.join(', ')}` });
    } else {
      try {
        reply = json(200, { ok: true, callback: await this.press(press) });
      } catch (error) {
        if (
          !(error instanceof PressError) &&
          !(error instanceof TypeError) &&
          !(error instanceof DOMException)
        )
          throw error;
        // fetch reports an unreachable callback as a TypeError, a timeout as a DOMException.
        const status = error instanceof PressError ? 400 : 502;
        reply = json(status, { ok: false, error: error.message });
      }
    }
    if (!fromForm) return reply;
    const outcome = JSON.parse(reply.body) as { ok: boolean; error?: string; callback?: PressResult };
    const notice = outcome.ok
      ? `Pressed ${press.action_id} as ${press.user}: the app answered HTTP ${outcome.callback?.status}`
      : `Press failed: ${outcome.error}`;
    return { status: 303, headers: { location: `/?notice=${encodeURIComponent(notice)}` }, body: '' };
  }

  /**
   * The app answering an interaction through its response_url: replace or delete the original
   * message, or post a follow-up (ephemeral to the presser unless `response_type: in_channel`).
   */
  private handleResponseUrl(id: string, body: string): Reply {
    const target = this.store.responseUrl(id);
    if (target === undefined) return json(404, { ok: false, error: 'unknown_response_url' });
    const args = readArgs(new URLSearchParams(), 'application/json', body);
    if (args === undefined) return json(400, { ok: false, error: 'invalid_json' });
    let blocks: Block[] | undefined;
    if (args.blocks !== undefined) {
      if (!Array.isArray(args.blocks)) return json(400, { ok: false, error: 'invalid_blocks' });
      blocks = args.blocks as Block[];
    }
    const text = typeof args.text === 'string' ? args.text : undefined;
    const original = target.ephemeral
      ? this.store.ephemeralMessage(target.channel, target.ts)
      : this.store.message(target.channel, target.ts);
    if (isTrue(args.delete_original)) {
      if (original === undefined) return json(404, { ok: false, error: 'message_not_found' });
      this.store.remove(original);
      return json(200, { ok: true });
    }
    if (isTrue(args.replace_original)) {
      if (original === undefined) return json(404, { ok: false, error: 'message_not_found' });
      this.store.update(
        original,
        { ...(text === undefined ? {} : { text }), ...(blocks === undefined ? { blocks: [] } : { blocks }) },
        target.user,
      );
      return json(200, { ok: true });
    }
    if ((text === undefined || text === '') && (blocks === undefined || blocks.length === 0)) {
      return json(400, { ok: false, error: 'no_text' });
    }
    const content = { text: text ?? '', ...(blocks === undefined ? {} : { blocks }) };
    const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
    if (args.response_type === 'in_channel') this.store.post(target.channel, content, threadTs);
    else this.store.postEphemeral(target.channel, target.user, content, threadTs);
    return json(200, { ok: true });
  }
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { 'content-length': Buffer.byteLength(reply.body), ...reply.headers });
  res.end(reply.body);
}

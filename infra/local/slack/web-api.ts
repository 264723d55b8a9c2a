import type { SlackUserConfig } from './slack-config';
import type { Block, SlackStore, StoredMessage } from './slack-store';

/**
 * The Slack Web API methods local Slack serves, in Slack's response shapes: every answer is
 * HTTP 200 with `ok`, and a failure is `{ ok: false, error: "<code>" }` with Slack's codes.
 */

/** Arguments of a Web API call, after form or JSON decoding. */
export type SlackArgs = Record<string, unknown>;

type Answer = Record<string, unknown> & { ok: boolean };

const fail = (error: string, extra: Record<string, unknown> = {}): Answer => ({ ok: false, error, ...extra });

/**
 * Read a call's arguments the way Slack does: query string, then the body, form-encoded
 * (nested values as JSON strings, as @slack/web-api sends them) or JSON.
 */
export function readArgs(query: URLSearchParams, contentType: string, body: string): SlackArgs | undefined {
  const args: SlackArgs = Object.fromEntries(query);
  if (body.trim() === '') return args;
  if (contentType.startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
      return { ...args, ...(parsed as SlackArgs) };
    } catch {
      return undefined;
    }
  }
  return { ...args, ...Object.fromEntries(new URLSearchParams(body)) };
}

/** The token of a call: the Authorization header wins over a `token` argument. */
export function tokenOf(authorization: string | undefined, args: SlackArgs): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (bearer !== null) return bearer[1];
  return typeof args.token === 'string' && args.token !== '' ? args.token : undefined;
}

function text(args: SlackArgs, name: string): string | undefined {
  const value = args[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Blocks arrive as an array (JSON body) or a JSON string (form body); anything else is invalid. */
function blocksOf(args: SlackArgs): { blocks?: Block[]; invalid: boolean } {
  let value = args.blocks;
  if (value === undefined) return { invalid: false };
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { invalid: true };
    }
  }
  if (
    !Array.isArray(value) ||
    value.some((b) => b === null || typeof b !== 'object' || typeof b.type !== 'string')
  ) {
    return { invalid: true };
  }
  return { blocks: value as Block[], invalid: false };
}

/** The message object as chat.postMessage and chat.update return it (local fields left out). */
export function publicMessage(m: StoredMessage): Record<string, unknown> {
  return {
    type: m.type,
    user: m.user,
    bot_id: m.bot_id,
    app_id: m.app_id,
    text: m.text,
    ts: m.ts,
    team: m.team,
    ...(m.blocks === undefined ? {} : { blocks: m.blocks }),
    ...(m.thread_ts === undefined ? {} : { thread_ts: m.thread_ts }),
    ...(m.edited === undefined ? {} : { edited: m.edited }),
  };
}

/** A user object as users.info and users.lookupByEmail return it. */
export function publicUser(u: SlackUserConfig, teamId: string, isBot = false): Record<string, unknown> {
  return {
    id: u.id,
    team_id: teamId,
    name: u.name,
    deleted: false,
    real_name: u.real_name,
    tz: 'Etc/UTC',
    tz_label: 'Coordinated Universal Time',
    tz_offset: 0,
    profile: {
      title: u.title,
      real_name: u.real_name,
      real_name_normalized: u.real_name,
      display_name: u.name,
      display_name_normalized: u.name,
      email: u.email,
      team: teamId,
    },
    is_admin: u.is_admin,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: isBot,
    is_app_user: false,
    updated: 0,
  };
}

type Method = (args: SlackArgs, store: SlackStore) => Answer;

const METHODS: Readonly<Record<string, Method>> = {
  'auth.test': (_args, store) => {
    const { config } = store;
    return {
      ok: true,
      url: `https://${config.team.domain}.slack.com/`,
      team: config.team.name,
      user: config.botName,
      team_id: config.team.id,
      user_id: config.botUserId,
      bot_id: config.botId,
      is_enterprise_install: false,
    };
  },

  'chat.postMessage': (args, store) => {
    const channel = store.channel(text(args, 'channel') ?? '');
    if (channel === undefined) return fail('channel_not_found');
    const { blocks, invalid } = blocksOf(args);
    if (invalid) return fail('invalid_blocks');
    const body = text(args, 'text');
    if ((body === undefined || body === '') && (blocks === undefined || blocks.length === 0))
      return fail('no_text');
    const threadTs = text(args, 'thread_ts');
    if (threadTs !== undefined && store.message(channel.id, threadTs) === undefined)
      return fail('thread_not_found');
    const message = store.post(
      channel.id,
      { text: body ?? '', ...(blocks === undefined ? {} : { blocks }) },
      threadTs,
    );
    return { ok: true, channel: channel.id, ts: message.ts, message: publicMessage(message) };
  },

  'chat.update': (args, store) => {
    const channel = store.channel(text(args, 'channel') ?? '');
    if (channel === undefined) return fail('channel_not_found');
    const message = store.message(channel.id, text(args, 'ts') ?? '');
    if (message === undefined) return fail('message_not_found');
    if (message.user !== store.config.botUserId) return fail('cant_update_message');
    const { blocks, invalid } = blocksOf(args);
    if (invalid) return fail('invalid_blocks');
    const body = text(args, 'text');
    if (body === undefined && blocks === undefined) return fail('no_text');
    store.update(
      message,
      { ...(body === undefined ? {} : { text: body }), ...(blocks === undefined ? {} : { blocks }) },
      store.config.botUserId,
    );
    return {
      ok: true,
      channel: channel.id,
      ts: message.ts,
      text: message.text,
      message: publicMessage(message),
    };
  },

  'chat.postEphemeral': (args, store) => {
    const channel = store.channel(text(args, 'channel') ?? '');
    if (channel === undefined) return fail('channel_not_found');
    const user = store.user(text(args, 'user') ?? '');
    if (user === undefined) return fail('user_not_in_channel');
    const { blocks, invalid } = blocksOf(args);
    if (invalid) return fail('invalid_blocks');
    const body = text(args, 'text');
    if ((body === undefined || body === '') && (blocks === undefined || blocks.length === 0))
      return fail('no_text');
    const message = store.postEphemeral(
      channel.id,
      user.id,
      { text: body ?? '', ...(blocks === undefined ? {} : { blocks }) },
      text(args, 'thread_ts'),
    );
    return { ok: true, message_ts: message.ts };
  },

  'users.info': (args, store) => {
    const id = text(args, 'user') ?? '';
    const { config } = store;
    if (id === config.botUserId) {
      const bot = {
        id,
        name: config.botName,
        real_name: config.botName,
        email: `${config.botName}@bots.local`,
        is_admin: false,
        title: '',
      };
      return { ok: true, user: publicUser(bot, config.team.id, true) };
    }
    const user = store.user(id);
    return user === undefined ? fail('user_not_found') : { ok: true, user: publicUser(user, config.team.id) };
  },

  'users.lookupByEmail': (args, store) => {
    const email = (text(args, 'email') ?? '').toLowerCase();
    const user = store.config.users.find((u) => u.email.toLowerCase() === email);
    return user === undefined
      ? fail('users_not_found')
      : { ok: true, user: publicUser(user, store.config.team.id) };
  },
};

/** Answer one Web API call, checking the bot token first as Slack does. */
export function callMethod(
  method: string,
  args: SlackArgs,
  token: string | undefined,
  store: SlackStore,
): Answer {
  if (token === undefined) return fail('not_authed');
  if (token !== store.config.botToken) return fail('invalid_auth');
  const handler = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
  if (handler === undefined) return fail('unknown_method', { req_method: method });
  return handler(args, store);
}

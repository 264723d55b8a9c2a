import { randomBytes } from 'node:crypto';
import { StateFile } from '../state-file';
import type { SlackChannelConfig, SlackConfig, SlackUserConfig } from './slack-config';

/**
 * What the local Slack workspace holds: channels, messages with their blocks and edit history,
 * ephemeral messages, and the response URLs handed out with button presses. In memory, and
 * in `slack.json` in the data directory when there is one.
 */

/** A Block Kit block as posted; only `type`, `block_id` and `elements` are read here. */
export type Block = Record<string, unknown>;

/** An earlier version of a message, kept so a person can see how it changed. */
export interface MessageRevision {
  readonly text: string;
  readonly blocks?: Block[];
  /** When it was replaced, as a Slack ts. */
  readonly replacedAt: string;
}

export interface StoredMessage {
  readonly type: 'message';
  readonly channel: string;
  readonly ts: string;
  /** The author: the bot user for everything the app posts. */
  readonly user: string;
  readonly bot_id: string;
  readonly app_id: string;
  readonly team: string;
  text: string;
  blocks?: Block[];
  readonly thread_ts?: string;
  edited?: { user: string; ts: string };
  deleted?: boolean;
  history: MessageRevision[];
}

export interface EphemeralMessage {
  readonly channel: string;
  readonly ts: string;
  /** The only person who sees it. */
  readonly user: string;
  text: string;
  blocks?: Block[];
  readonly thread_ts?: string;
  deleted?: boolean;
  history: MessageRevision[];
}

/** A response_url: lets the app answer one interaction by editing or following up its message. */
export interface ResponseUrl {
  readonly id: string;
  readonly channel: string;
  readonly ts: string;
  readonly user: string;
  readonly ephemeral: boolean;
}

interface SlackState {
  messages: StoredMessage[];
  ephemeral: EphemeralMessage[];
  responseUrls: ResponseUrl[];
  lastTs: string;
}

/** Content of a message as the Web API and response URLs take it. */
export interface MessageContent {
  readonly text: string;
  readonly blocks?: Block[];
}

function randomBlockId(): string {
  return randomBytes(4).toString('base64url').slice(0, 5);
}

/** Slack gives every block without a block_id one of its own; interactions then carry it. */
function withBlockIds(blocks: Block[] | undefined): Block[] | undefined {
  return blocks?.map((b) => (typeof b.block_id === 'string' ? b : { ...b, block_id: randomBlockId() }));
}

export class SlackStore {
  private readonly file: StateFile<SlackState>;
  private readonly state: SlackState;

  constructor(
    readonly config: SlackConfig,
    dataDir: string | undefined,
    private readonly now: () => Date,
  ) {
    this.file = new StateFile<SlackState>(dataDir, 'slack', () => ({
      messages: [],
      ephemeral: [],
      responseUrls: [],
      lastTs: '0.000000',
    }));
    this.state = this.file.load();
  }

  /** A new message timestamp: `seconds.microseconds`, strictly increasing like Slack's. */
  nextTs(): string {
    const micros = BigInt(this.now().getTime()) * 1000n;
    const [sec = '0', frac = '0'] = this.state.lastTs.split('.');
    const last = BigInt(sec) * 1_000_000n + BigInt(frac);
    const next = micros > last ? micros : last + 1n;
    const ts = `${next / 1_000_000n}.${String(next % 1_000_000n).padStart(6, '0')}`;
    this.state.lastTs = ts;
    return ts;
  }

  /** Find a channel by id, name, or `#name`. */
  channel(ref: string): SlackChannelConfig | undefined {
    const name = ref.startsWith('#') ? ref.slice(1) : ref;
    return this.config.channels.find((c) => c.id === ref || c.name === name);
  }

  user(id: string): SlackUserConfig | undefined {
    return this.config.users.find((u) => u.id === id);
  }

  post(channel: string, content: MessageContent, threadTs?: string): StoredMessage {
    const blocks = withBlockIds(content.blocks);
    const message: StoredMessage = {
      type: 'message',
      channel,
      ts: this.nextTs(),
      user: this.config.botUserId,
      bot_id: this.config.botId,
      app_id: this.config.appId,
      team: this.config.team.id,
      text: content.text,
      ...(blocks === undefined ? {} : { blocks }),
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      history: [],
    };
    this.state.messages.push(message);
    this.save();
    return message;
  }

  postEphemeral(channel: string, user: string, content: MessageContent, threadTs?: string): EphemeralMessage {
    const blocks = withBlockIds(content.blocks);
    const message: EphemeralMessage = {
      channel,
      ts: this.nextTs(),
      user,
      text: content.text,
      ...(blocks === undefined ? {} : { blocks }),
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      history: [],
    };
    this.state.ephemeral.push(message);
    this.save();
    return message;
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.state.messages.find((m) => m.channel === channel && m.ts === ts && m.deleted !== true);
  }

  ephemeralMessage(channel: string, ts: string): EphemeralMessage | undefined {
    return this.state.ephemeral.find((m) => m.channel === channel && m.ts === ts && m.deleted !== true);
  }

  /**
   * Replace a message's content, keeping the old one in its history. Blocks left out keep
   * the previous blocks, as chat.update does; an empty array removes them.
   */
  update(
    message: StoredMessage | EphemeralMessage,
    content: { text?: string; blocks?: Block[] },
    editor: string,
  ): void {
    const replacedAt = this.nextTs();
    message.history.push({
      text: message.text,
      ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
      replacedAt,
    });
    if (content.text !== undefined) message.text = content.text;
    if (content.blocks !== undefined) message.blocks = withBlockIds(content.blocks);
    if ('bot_id' in message) message.edited = { user: editor, ts: replacedAt };
    this.save();
  }

  remove(message: StoredMessage | EphemeralMessage): void {
    message.deleted = true;
    this.save();
  }

  messagesIn(channel: string): { messages: StoredMessage[]; ephemeral: EphemeralMessage[] } {
    return {
      messages: this.state.messages.filter((m) => m.channel === channel),
      ephemeral: this.state.ephemeral.filter((m) => m.channel === channel),
    };
  }

  issueResponseUrl(target: Omit<ResponseUrl, 'id'>): ResponseUrl {
    const url: ResponseUrl = { id: randomBytes(12).toString('hex'), ...target };
    this.state.responseUrls.push(url);
    this.save();
    return url;
  }

  responseUrl(id: string): ResponseUrl | undefined {
    return this.state.responseUrls.find((r) => r.id === id);
  }

  private save(): void {
    this.file.save(this.state);
  }
}

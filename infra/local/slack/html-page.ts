import { escapeHtml, renderMrkdwn, type UserNames } from './mrkdwn';
import type { SlackConfig } from './slack-config';
import type { Block, EphemeralMessage, StoredMessage } from './slack-store';

/**
 * The page a person opens at the local Slack root: each channel with its messages, their
 * text and buttons, edit history and ephemeral messages. Pressing a button there posts the
 * same `/_local/press` a test would. Deliberately plain HTML with no script. As in Slack, a
 * message with blocks shows its blocks; its `text` is only the notification fallback.
 */

/** A text object (or a bare string) as Slack shows it: mrkdwn unless it says plain_text. */
function renderText(value: unknown, users: UserNames): string {
  const text = textOf(value);
  if (text === '') return '';
  const plain =
    value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'plain_text';
  return plain ? escapeHtml(text) : renderMrkdwn(text, users);
}

const TEXT_STYLE = ' style="white-space:pre-wrap"';

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { text?: unknown }).text === 'string') {
    return (value as { text: string }).text;
  }
  return '';
}

function renderButton(
  button: Record<string, unknown>,
  channel: string,
  ts: string,
  users: SlackConfig['users'],
): string {
  const actionId = typeof button.action_id === 'string' ? button.action_id : '';
  const options = users
    .map((u) => `<option value="${escapeHtml(u.id)}">${escapeHtml(u.name)}</option>`)
    .join('');
  return (
    `<form method="post" action="/_local/press" style="display:inline">` +
    `<input type="hidden" name="channel" value="${escapeHtml(channel)}">` +
    `<input type="hidden" name="ts" value="${escapeHtml(ts)}">` +
    `<input type="hidden" name="action_id" value="${escapeHtml(actionId)}">` +
    `<select name="user">${options}</select> ` +
    `<button type="submit">${escapeHtml(textOf(button.text) || actionId)}</button> <small>${escapeHtml(actionId)}</small></form>`
  );
}

function renderBlocks(
  blocks: readonly Block[] | undefined,
  channel: string,
  ts: string,
  users: SlackConfig['users'],
): string {
  const names = userNames(users);
  return (blocks ?? [])
    .map((block) => {
      const parts: string[] = [];
      const blockText = renderText(block.text, names);
      if (blockText !== '') parts.push(`<div${TEXT_STYLE}>${blockText}</div>`);
      const fields = Array.isArray(block.fields)
        ? block.fields.map((f) => renderText(f, names)).filter((t) => t !== '')
        : [];
      if (fields.length > 0) parts.push(fields.map((f) => `<div${TEXT_STYLE}>${f}</div>`).join(''));
      if (Array.isArray(block.elements)) {
        for (const element of block.elements) {
          if (
            element !== null &&
            typeof element === 'object' &&
            (element as { type?: unknown }).type === 'button'
          ) {
            parts.push(renderButton(element as Record<string, unknown>, channel, ts, users));
          } else {
            const t = renderText(element, names);
            if (t !== '') parts.push(`<small>${t}</small>`);
          }
        }
      }
      const accessory = block.accessory;
      if (
        accessory !== null &&
        typeof accessory === 'object' &&
        (accessory as { type?: unknown }).type === 'button'
      ) {
        parts.push(renderButton(accessory as Record<string, unknown>, channel, ts, users));
      }
      return parts.join('\n');
    })
    .join('\n');
}

function userNames(users: SlackConfig['users']): UserNames {
  return (id) => users.find((u) => u.id === id)?.name;
}

function renderMessage(m: StoredMessage | EphemeralMessage, config: SlackConfig): string {
  const ephemeral = !('bot_id' in m);
  const header =
    `<b>${ephemeral ? `only visible to ${escapeHtml(m.user)}` : escapeHtml(config.botName)}</b> ` +
    `<small>ts ${escapeHtml(m.ts)}${m.thread_ts === undefined ? '' : `, in thread ${escapeHtml(m.thread_ts)}`}` +
    `${m.history.length > 0 ? `, edited ${m.history.length}x` : ''}${m.deleted === true ? ', deleted' : ''}</small>`;
  const names = userNames(config.users);
  // Earlier versions of an updated message, folded away: the message itself shows once.
  const history = m.history
    .map(
      (h) =>
        `<li><small>before ${escapeHtml(h.replacedAt)}:</small> <span${TEXT_STYLE}>${renderMrkdwn(h.text, names)}</span></li>`,
    )
    .join('');
  const body =
    m.blocks !== undefined && m.blocks.length > 0
      ? renderBlocks(m.blocks, m.channel, m.ts, config.users)
      : `<div${TEXT_STYLE}>${renderMrkdwn(m.text, names)}</div>`;
  return (
    `<li${m.deleted === true ? ' style="opacity:.5"' : ''}>${header}${body}` +
    `${history === '' ? '' : `<details><summary><small>earlier versions</small></summary><ul>${history}</ul></details>`}</li>`
  );
}

/** Render the whole workspace. */
export function renderWorkspace(
  config: SlackConfig,
  messagesIn: (channel: string) => { messages: StoredMessage[]; ephemeral: EphemeralMessage[] },
  notice: string | undefined,
): string {
  const channels = config.channels
    .map((c) => {
      const { messages, ephemeral } = messagesIn(c.id);
      const all = [...messages, ...ephemeral].sort((a, b) => a.ts.localeCompare(b.ts));
      const items = all.map((m) => renderMessage(m, config)).join('\n');
      return `<h2>#${escapeHtml(c.name)} <small>${escapeHtml(c.id)}</small></h2><ul>${items || '<li><i>no messages</i></li>'}</ul>`;
    })
    .join('\n');
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>local Slack: ${escapeHtml(config.team.name)}</title></head>` +
    `<body><h1>${escapeHtml(config.team.name)} <small>(local Slack)</small></h1>` +
    `${notice === undefined ? '' : `<p><b>${escapeHtml(notice)}</b></p>`}${channels}</body></html>`
  );
}

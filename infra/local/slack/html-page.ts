import type { SlackConfig } from './slack-config';
import type { Block, EphemeralMessage, StoredMessage } from './slack-store';

/**
 * The page a person opens at the local Slack root: each channel with its messages, their
 * text and buttons, edit history and ephemeral messages. Pressing a button there posts the
 * same `/_local/press` a test would. Deliberately plain HTML with no script.
 */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

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
  return (blocks ?? [])
    .map((block) => {
      const parts: string[] = [];
      const blockText = textOf(block.text);
      if (blockText !== '') parts.push(`<pre>${escapeHtml(blockText)}</pre>`);
      const fields = Array.isArray(block.fields) ? block.fields.map(textOf).filter((t) => t !== '') : [];
      if (fields.length > 0) parts.push(`<pre>${escapeHtml(fields.join('\n'))}</pre>`);
      if (Array.isArray(block.elements)) {
        for (const element of block.elements) {
          if (
            element !== null &&
            typeof element === 'object' &&
            (element as { type?: unknown }).type === 'button'
          ) {
            parts.push(renderButton(element as Record<string, unknown>, channel, ts, users));
          } else {
            const t = textOf(element);
            if (t !== '') parts.push(`<small>${escapeHtml(t)}</small>`);
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

function renderMessage(m: StoredMessage | EphemeralMessage, config: SlackConfig): string {
  const ephemeral = !('bot_id' in m);
  const header =
    `<b>${ephemeral ? `only visible to ${escapeHtml(m.user)}` : escapeHtml(config.botName)}</b> ` +
    `<small>ts ${escapeHtml(m.ts)}${m.thread_ts === undefined ? '' : `, in thread ${escapeHtml(m.thread_ts)}`}` +
    `${m.history.length > 0 ? `, edited ${m.history.length}x` : ''}${m.deleted === true ? ', deleted' : ''}</small>`;
  const history = m.history
    .map((h) => `<li><small>before ${escapeHtml(h.replacedAt)}:</small> ${escapeHtml(h.text)}</li>`)
    .join('');
  return (
    `<li${m.deleted === true ? ' style="opacity:.5"' : ''}>${header}<div>${escapeHtml(m.text)}</div>` +
    `${renderBlocks(m.blocks, m.channel, m.ts, config.users)}${history === '' ? '' : `<ul>${history}</ul>`}</li>`
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

/**
 * Slack's mrkdwn as HTML, for the local Slack page: `*bold*`, `_italic_`, `~strike~`,
 * `` `code` ``, ```` ```blocks``` ````, `<url|text>` links, `<@U123>` mentions, `<#C123|name>`,
 * `<!here>`, `<!date^…|fallback>` and the `&lt;` `&gt;` `&amp;` escapes Slack's text carries.
 *
 * Message text is untrusted (anything that can post to Slack writes it), so nothing of it
 * reaches the page unescaped: the special parts are cut out first and rendered on their own,
 * the rest is escaped whole before any tag is added, and a link keeps its href only for
 * http(s) and mailto.
 */

import { MONTHS, WEEKDAYS } from '../calendar-names';

/** Escape for HTML text and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Slack escapes these three in message text; everything else is literal. */
function unescapeSlack(text: string): string {
  return text.replace(/&(lt|gt|amp);/g, (_, name: string) =>
    name === 'lt' ? '<' : name === 'gt' ? '>' : '&',
  );
}

/** Who a user id is, for `<@U123>`; the id itself when unknown. */
export type UserNames = (id: string) => string | undefined;

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/**
 * `<!date^1700000000^{date_short} {time}|fallback>`: Slack shows the time in the reader's
 * time zone; the local page has no reader's zone to go by and shows UTC, saying so.
 */
function renderDate(seconds: string, format: string, fallback: string): string {
  const date = new Date(Number(seconds) * 1000);
  if (!/^\d{1,12}$/.test(seconds) || Number.isNaN(date.getTime())) return fallback;
  const month = MONTHS[date.getUTCMonth()] ?? '';
  const day = date.getUTCDate();
  const year = date.getUTCFullYear();
  const hh = String(date.getUTCHours()).padStart(2, '0');
  const mm = String(date.getUTCMinutes()).padStart(2, '0');
  const ss = String(date.getUTCSeconds()).padStart(2, '0');
  const tokens: Readonly<Record<string, string>> = {
    date_num: `${year}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    date: `${month} ${ordinal(day)}, ${year}`,
    date_short: `${month.slice(0, 3)} ${day}, ${year}`,
    date_long: `${WEEKDAYS[date.getUTCDay()] ?? ''}, ${month} ${ordinal(day)}, ${year}`,
    date_pretty: `${month} ${ordinal(day)}, ${year}`,
    date_short_pretty: `${month.slice(0, 3)} ${day}, ${year}`,
    date_long_pretty: `${WEEKDAYS[date.getUTCDay()] ?? ''}, ${month} ${ordinal(day)}, ${year}`,
    time: `${hh}:${mm} UTC`,
    time_secs: `${hh}:${mm}:${ss} UTC`,
  };
  let unknown = false;
  const text = format.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = tokens[name];
    if (value === undefined) unknown = true;
    return value ?? whole;
  });
  return unknown ? fallback : text;
}

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

/** One `<…>` part: its HTML. */
function renderSpecial(inner: string, users: UserNames): string {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : unescapeSlack(inner.slice(bar + 1));
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `<b>@${escapeHtml(label ?? users(id) ?? id)}</b>`;
  }
  if (target.startsWith('#')) return `<b>#${escapeHtml(label ?? target.slice(1))}</b>`;
  if (target.startsWith('!')) {
    const [command = '', ...args] = target.slice(1).split('^');
    if (command === 'date') return escapeHtml(renderDate(args[0] ?? '', args[1] ?? '', label ?? ''));
    if (command === 'here' || command === 'channel' || command === 'everyone') return `<b>@${command}</b>`;
    if (command === 'subteam') return `<b>${escapeHtml(label ?? `@${args[0] ?? 'team'}`)}</b>`;
    return escapeHtml(label ?? `<${unescapeSlack(inner)}>`);
  }
  const url = unescapeSlack(target);
  if (!SAFE_URL.test(url)) return escapeHtml(label ?? url);
  return `<a href="${escapeHtml(url)}" rel="noopener noreferrer">${escapeHtml(label ?? url)}</a>`;
}

/** `*bold*`, `_italic_`, `~strike~` on text already escaped: the markers survive escaping. */
function emphasis(html: string): string {
  const mark = (text: string, marker: string, tag: string): string => {
    const m = marker === '*' ? '\\*' : marker;
    const pattern = new RegExp(`(^|[^\\w${m}])${m}(?=\\S)([^${m}\\n]*?\\S)${m}(?![\\w${m}])`, 'g');
    return text.replace(pattern, `$1<${tag}>$2</${tag}>`);
  };
  return mark(mark(mark(html, '*', 'b'), '_', 'i'), '~', 's');
}

/** Stands for a part rendered on its own; NUL never reaches the page from the text itself. */
const HOLE = '\u0000';

/** Render a mrkdwn text as HTML (inline; line breaks are kept by the page's `white-space`). */
export function renderMrkdwn(text: string, users: UserNames = () => undefined): string {
  const parts: string[] = [];
  const hole = (html: string): string => {
    parts.push(html);
    return `${HOLE}${parts.length - 1}${HOLE}`;
  };
  const cut = text
    .replaceAll(HOLE, '')
    .replace(
      /```([\s\S]*?)```|`([^`\n]+)`|<([^<>\n]+)>/g,
      (_, block?: string, code?: string, special?: string) =>
        block !== undefined
          ? hole(`<pre>${escapeHtml(unescapeSlack(block.replace(/^\n/, '')))}</pre>`)
          : code !== undefined
            ? hole(`<code>${escapeHtml(unescapeSlack(code))}</code>`)
            : hole(renderSpecial(special ?? '', users)),
    );
  return emphasis(escapeHtml(unescapeSlack(cut))).replace(
    new RegExp(`${HOLE}(\\d+)${HOLE}`, 'g'),
    (_, index: string) => parts[Number(index)] ?? '',
  );
}

import { describe, expect, it } from 'vitest';
import { renderWorkspace } from '../../../infra/local/slack/html-page';
import { renderMrkdwn } from '../../../infra/local/slack/mrkdwn';
import { DEFAULT_SLACK_CONFIG } from '../../../infra/local/slack/slack-config';
import { SlackStore } from '../../../infra/local/slack/slack-store';

const names = (id: string) => (id === 'U123' ? 'priya' : undefined);

describe("Slack's mrkdwn on the local Slack page", () => {
  it.each([
    ['*bold* and _italic_ and ~gone~', '<b>bold</b> and <i>italic</i> and <s>gone</s>'],
    ['run `npm start` now', 'run <code>npm start</code> now'],
    ['```\nline 1\n*not bold*\n```', '<pre>line 1\n*not bold*\n</pre>'],
    [
      'see <https://example.com/a?b=1&amp;c=2|the docs>',
      'see <a href="https://example.com/a?b=1&#38;c=2" rel="noopener noreferrer">the docs</a>',
    ],
    [
      '<https://example.com>',
      '<a href="https://example.com" rel="noopener noreferrer">https://example.com</a>',
    ],
    ['asked by <@U123>, cc <@U999>', 'asked by <b>@priya</b>, cc <b>@U999</b>'],
    ['in <#C0MESHOPS01|mesh-ops> <!here>', 'in <b>#mesh-ops</b> <b>@here</b>'],
    ['expires <!date^1700000000^{date_short} {time}|Nov 14>', 'expires Nov 14, 2023 22:13 UTC'],
    ['<!date^1700000000^{nonsense}|14 Nov 2023>', '14 Nov 2023'],
    ['weights 90 &lt; 100 &amp;&amp; 10 &gt; 0', 'weights 90 &#60; 100 &#38;&#38; 10 &#62; 0'],
    [
      '*bold <https://x.example|link>*',
      '<b>bold <a href="https://x.example" rel="noopener noreferrer">link</a></b>',
    ],
    ['snake_case_name and 2*3*4', 'snake_case_name and 2*3*4'],
  ])('renders %j', (text, html) => {
    expect(renderMrkdwn(text, names)).toBe(html);
  });

  it.each([
    '<script>alert(1)</script>',
    '&lt;script&gt;alert(1)&lt;/script&gt;',
    '<javascript:alert(1)|click me>',
    '<https://x.example/" onmouseover="alert(1)|x>',
    '*<img src=x onerror=alert(1)>*',
    '`<img src=x onerror=alert(1)>`',
    '```<iframe src="https://evil.example"></iframe>```',
    '<@U1"><script>alert(1)</script>|x>',
    '<!date^1^{date}|<b onclick=alert(1)>>',
    '_\u0000<svg onload=alert(1)>\u00000\u0000_',
  ])('lets no markup through from %j', (text) => {
    const html = renderMrkdwn(text, names);

    // Every tag in the output is one the renderer writes, and links only go to http(s).
    const tags = html.match(/<[^>]*>/g) ?? [];
    for (const tag of tags)
      expect(tag).toMatch(
        /^<\/?(b|i|s|code|pre)>$|^<a href="https?:\/\/[^"]*" rel="noopener noreferrer">$|^<\/a>$/,
      );
    expect(html).not.toMatch(/<(script|img|iframe|svg)/i);
    expect(html).not.toContain('javascript:alert(1)"');
  });
});

describe('the local Slack page', () => {
  function page(store: SlackStore): string {
    return renderWorkspace(store.config, (c) => store.messagesIn(c), undefined);
  }

  it('shows a message with blocks once: its blocks, not also its fallback text', () => {
    const store = new SlackStore(DEFAULT_SLACK_CONFIG, undefined, () => new Date('2026-12-06T03:00:00Z'));
    const channel = DEFAULT_SLACK_CONFIG.channels[0]?.id ?? '';
    store.post(channel, {
      text: 'Rolled back prod/web-router/web-route',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Rolled back prod/web-router/web-route' } },
        { type: 'section', text: { type: 'mrkdwn', text: '*alarm* web-5xx-rate' } },
      ],
    });

    const html = page(store);

    expect(html.split('Rolled back prod/web-router/web-route')).toHaveLength(2);
    expect(html).toContain('<b>alarm</b> web-5xx-rate');
  });

  it('shows an updated message once, its earlier version folded away', () => {
    const store = new SlackStore(DEFAULT_SLACK_CONFIG, undefined, () => new Date('2026-12-06T03:00:00Z'));
    const channel = DEFAULT_SLACK_CONFIG.channels[0]?.id ?? '';
    const message = store.post(channel, { text: 'Approval *pending*' });
    store.update(message, { text: 'Approval *approved* by <@U0PLATFORM1>' }, 'U0PLATFORM1');

    const html = page(store);

    expect(html.split('Approval <b>approved</b> by <b>@priya</b>')).toHaveLength(2);
    expect(html).toMatch(
      /<details><summary>.*earlier versions.*<\/summary><ul><li>.*Approval <b>pending<\/b>/,
    );
    expect(html.match(/<li(?: style="[^"]*")?><b>meshwarden<\/b>/g)).toHaveLength(1);
  });
});

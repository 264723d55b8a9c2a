import { describe, expect, it } from 'vitest';
import { DEFAULT_SLACK_CONFIG, parseSlackConfig } from '../../../infra/local/slack/slack-config';
import { SlackStore } from '../../../infra/local/slack/slack-store';
import { callMethod, readArgs, tokenOf } from '../../../infra/local/slack/web-api';

describe('local Slack Web API pieces', () => {
  it('reads form bodies with JSON-encoded blocks and JSON bodies alike', () => {
    const form = readArgs(
      new URLSearchParams('channel=C1'),
      'application/x-www-form-urlencoded',
      'text=hi&blocks=%5B%5D',
    );
    const json = readArgs(
      new URLSearchParams(),
      'application/json; charset=utf-8',
      '{"channel":"C1","blocks":[]}',
    );

    expect(form).toEqual({ channel: 'C1', text: 'hi', blocks: '[]' });
    expect(json).toEqual({ channel: 'C1', blocks: [] });
  });

  it.each(['[1,2]', 'null', '{oops'])('refuses the JSON body %s', (body) => {
    expect(readArgs(new URLSearchParams(), 'application/json', body)).toBeUndefined();
  });

  it('takes the token from the Authorization header before a token argument', () => {
    expect(tokenOf('Bearer xoxb-a', { token: 'xoxb-b' })).toBe('xoxb-a');
    expect(tokenOf(undefined, { token: 'xoxb-b' })).toBe('xoxb-b');
    expect(tokenOf('Basic abc', {})).toBeUndefined();
  });

  it('answers unknown_method for a method it does not serve, only once authenticated', () => {
    const store = new SlackStore(DEFAULT_SLACK_CONFIG, undefined, () => new Date());

    expect(callMethod('conversations.list', {}, DEFAULT_SLACK_CONFIG.botToken, store)).toEqual({
      ok: false,
      error: 'unknown_method',
      req_method: 'conversations.list',
    });
    expect(callMethod('conversations.list', {}, 'xoxb-wrong', store)).toEqual({
      ok: false,
      error: 'invalid_auth',
    });
  });

  it('hands out strictly increasing message timestamps even within one millisecond', () => {
    const store = new SlackStore(DEFAULT_SLACK_CONFIG, undefined, () => new Date(1_800_000_000_123));

    const stamps = [store.nextTs(), store.nextTs(), store.nextTs()];

    expect(stamps).toEqual(['1800000000.123000', '1800000000.123001', '1800000000.123002']);
  });

  it('gives blocks without a block_id one, as Slack does', () => {
    const store = new SlackStore(DEFAULT_SLACK_CONFIG, undefined, () => new Date());

    const message = store.post('C0APPROVALS', {
      text: 't',
      blocks: [{ type: 'divider' }, { type: 'divider', block_id: 'mine' }],
    });

    expect(message.blocks?.[0]?.block_id).toMatch(/^[\w-]{5}$/);
    expect(message.blocks?.[1]?.block_id).toBe('mine');
  });

  it('fills a partial configuration with the demo defaults and names a bad field', () => {
    const config = parseSlackConfig({ callbackUrl: 'http://127.0.0.1:3000/slack' });

    expect(config.users.map((u) => u.name)).toEqual(['priya', 'alice', 'omar']);
    expect(config.callbackUrl).toBe('http://127.0.0.1:3000/slack');
    expect(() => parseSlackConfig({ botToken: 'xoxp-user-token' })).toThrow(
      /botToken: a bot token starts with xoxb-/,
    );
    expect(() =>
      parseSlackConfig({ users: [{ id: 'bad', name: 'x', real_name: 'X', email: 'x@y.z' }] }),
    ).toThrow(/users\[0\]\.id/);
  });
});

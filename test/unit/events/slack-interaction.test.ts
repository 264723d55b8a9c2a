import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSlackSamples, SLACK_TEST_SIGNING_SECRET } from '../../../events/slack/build-slack-samples';
import {
  decodeSlackInteraction,
  parseSlackBlockActions,
  parseSlackInteractionRequest,
} from '../../../shared/events/slack-interaction';
import { computeSlackSignature } from '../../../shared/events/slack-signature';
import { EVENTS_DIR, loadEvent } from '../../support/sample-events';
import { pathsOf, refusalOf } from './refusal';

describe('computeSlackSignature', () => {
  it("reproduces the example in Slack's request verification guide", () => {
    // Prepare: Slack's documented secret, timestamp and slash-command body.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

    // Act
    const signature = computeSlackSignature('8f742231b10e8888abcd99yyyzzz85a5', '1531420618', body);

    // Assess
    expect(signature).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });
});

describe('Slack callback samples', () => {
  it('are exactly what the generator builds (no drift)', () => {
    // Act
    const built = buildSlackSamples();

    // Assess
    for (const [file, event] of Object.entries(built)) {
      expect(JSON.parse(readFileSync(join(EVENTS_DIR, 'slack', file), 'utf8'))).toEqual(event);
    }
  });

  it.each(['slack/block-actions-approve-base64', 'slack/block-actions-approve-plain'] as const)(
    '%s decodes to the approve click, signed over the raw body',
    (name) => {
      // Prepare
      const request = parseSlackInteractionRequest(loadEvent(name));

      // Act
      const { rawBody, payload } = decodeSlackInteraction(request);

      // Assess
      expect(payload).toEqual(loadEvent('slack/payloads/block-actions-approve'));
      expect(
        computeSlackSignature(
          SLACK_TEST_SIGNING_SECRET,
          request.headers['x-slack-request-timestamp'],
          rawBody,
        ),
      ).toBe(request.headers['x-slack-signature']);
      expect(rawBody.byteLength).toBe(Number(request.headers['content-length']));
    },
  );
});

describe('parseSlackInteractionRequest', () => {
  it('refuses a request without the Slack signature header, naming it', () => {
    // Prepare
    const event = loadEvent('slack/block-actions-approve-plain');
    const { 'x-slack-signature': _signature, ...headers } = event.headers;

    // Act
    const error = refusalOf(() => parseSlackInteractionRequest({ ...event, headers }));

    // Assess
    expect(pathsOf(error)).toEqual(['headers.x-slack-signature']);
  });

  it('refuses a malformed signature and timestamp', () => {
    // Prepare
    const event = loadEvent('slack/block-actions-approve-plain');
    const headers = { ...event.headers, 'x-slack-signature': 'v1=abc', 'x-slack-request-timestamp': 'now' };

    // Act
    const error = refusalOf(() => parseSlackInteractionRequest({ ...event, headers }));

    // Assess
    expect(pathsOf(error).sort()).toEqual(['headers.x-slack-request-timestamp', 'headers.x-slack-signature']);
  });

  it('refuses a payload format 1.0 event and a missing body', () => {
    // Prepare
    const { body: _body, ...event } = { ...loadEvent('slack/block-actions-approve-plain'), version: '1.0' };

    // Act
    const error = refusalOf(() => parseSlackInteractionRequest(event));

    // Assess
    expect(pathsOf(error).sort()).toEqual(['body', 'version']);
  });
});

describe('decodeSlackInteraction', () => {
  function requestWithBody(body: string) {
    return parseSlackInteractionRequest({ ...loadEvent('slack/block-actions-approve-plain'), body });
  }

  it('refuses a body without a payload field', () => {
    // Act
    const error = refusalOf(() => decodeSlackInteraction(requestWithBody('token=abc&type=block_actions')));

    // Assess
    expect(pathsOf(error)).toEqual(['body.payload']);
  });

  it('refuses a payload that is not JSON', () => {
    // Act
    const error = refusalOf(() => decodeSlackInteraction(requestWithBody('payload=%7B%22type%22%3A')));

    // Assess
    expect(pathsOf(error)).toEqual(['body.payload']);
    expect(error.message).toContain('payload is not JSON');
  });

  it('refuses a payload of another interaction type', () => {
    // Prepare
    const payload = { ...loadEvent('slack/payloads/block-actions-approve'), type: 'view_submission' };

    // Act
    const error = refusalOf(() =>
      decodeSlackInteraction(
        requestWithBody(new URLSearchParams({ payload: JSON.stringify(payload) }).toString()),
      ),
    );

    // Assess
    expect(pathsOf(error)).toEqual(['type']);
  });
});

describe('parseSlackBlockActions', () => {
  it('refuses a click without actions or user id, naming both', () => {
    // Prepare
    const payload = {
      ...loadEvent('slack/payloads/block-actions-approve'),
      actions: [],
      user: { username: 'dana' },
    };

    // Act
    const error = refusalOf(() => parseSlackBlockActions(payload));

    // Assess
    expect(pathsOf(error).sort()).toEqual(['actions', 'user.id']);
  });

  it('refuses an action without action_id, naming its index', () => {
    // Prepare
    const payload = loadEvent('slack/payloads/block-actions-approve');
    const [first] = payload.actions;
    const { action_id: _id, ...action } = first ?? { action_id: '' };

    // Act
    const error = refusalOf(() => parseSlackBlockActions({ ...payload, actions: [action] }));

    // Assess
    expect(pathsOf(error)).toEqual(['actions[0].action_id']);
  });
});

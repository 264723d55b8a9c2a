import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLACK_SAMPLE_TIMESTAMP, SLACK_TEST_SIGNING_SECRET } from '../../../events/slack/build-slack-samples';
import { verifySlackRequest } from '../../../shared/approvals/verify-slack-request';
import { computeSlackSignature } from '../../../shared/events/slack-signature';
import { loadEvent } from '../../support/sample-events';

const NOW_S = 1_773_137_765;
const now = new Date(NOW_S * 1000);
const secrets = { signingSecret: 'property-signing-secret' };

function headersFor(timestamp: string, signature: string) {
  return { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature };
}

describe('verifySlackRequest', () => {
  it("accepts Slack's real sample (base64 body, the documented test secret) at its own time", () => {
    // Prepare
    const event = loadEvent('slack/block-actions-approve-base64') as {
      headers: Record<string, string>;
      body: string;
    };
    // Act
    const result = verifySlackRequest(
      event.headers,
      Buffer.from(event.body, 'base64'),
      { signingSecret: SLACK_TEST_SIGNING_SECRET },
      new Date(Number(SLACK_SAMPLE_TIMESTAMP) * 1000 + 412),
    );
    // Assess
    expect(result).toEqual({ ok: true, secret: 'current' });
  });

  it('accepts exactly 5 minutes either way and refuses one second more, naming which', () => {
    const body = Buffer.from('payload=%7B%7D');
    const at = (ts: number) =>
      verifySlackRequest(
        headersFor(String(ts), computeSlackSignature(secrets.signingSecret, String(ts), body)),
        body,
        secrets,
        now,
      );
    expect(at(NOW_S - 300).ok).toBe(true);
    expect(at(NOW_S + 300).ok).toBe(true);
    expect(at(NOW_S - 301)).toEqual({ ok: false, failure: 'stale-timestamp' });
    expect(at(NOW_S + 301)).toEqual({ ok: false, failure: 'future-timestamp' });
  });

  it('says which header is missing or malformed', () => {
    const body = Buffer.from('x');
    expect(verifySlackRequest({}, body, secrets, now)).toEqual({ ok: false, failure: 'missing-headers' });
    expect(verifySlackRequest(headersFor(String(NOW_S), 'v0=XYZ'), body, secrets, now)).toEqual({
      ok: false,
      failure: 'malformed-signature',
    });
    expect(verifySlackRequest(headersFor('-1', `v0=${'0'.repeat(64)}`), body, secrets, now)).toEqual({
      ok: false,
      failure: 'malformed-timestamp',
    });
  });

  it('property: any change to body, timestamp or signature is refused', () => {
    const signed = fc.record({
      body: fc.uint8Array({ minLength: 0, maxLength: 512 }),
      skew: fc.integer({ min: -300, max: 300 }),
    });
    const change = fc.oneof(
      fc.record({
        part: fc.constant('body' as const),
        at: fc.nat(),
        flip: fc.integer({ min: 1, max: 255 }),
        append: fc.boolean(),
      }),
      fc.record({
        part: fc.constant('timestamp' as const),
        delta: fc.integer({ min: -300, max: 300 }).filter((d) => d !== 0),
      }),
      fc.record({
        part: fc.constant('signature' as const),
        at: fc.nat(),
        flip: fc.integer({ min: 1, max: 15 }),
      }),
    );
    fc.assert(
      fc.property(signed, change, ({ body, skew }, c) => {
        const raw = Buffer.from(body);
        const timestamp = String(NOW_S + skew);
        const signature = computeSlackSignature(secrets.signingSecret, timestamp, raw);
        // Untouched, it verifies: the property below is about the change alone.
        expect(verifySlackRequest(headersFor(timestamp, signature), raw, secrets, now).ok).toBe(true);
        let nextBody = raw;
        let nextTimestamp = timestamp;
        let nextSignature = signature;
        if (c.part === 'body') {
          if (c.append || raw.length === 0) nextBody = Buffer.concat([raw, Buffer.from([c.flip])]);
          else {
            nextBody = Buffer.from(raw);
            const i = c.at % raw.length;
            nextBody[i] = (nextBody[i] ?? 0) ^ c.flip;
          }
        } else if (c.part === 'timestamp') {
          nextTimestamp = String(NOW_S + skew + c.delta);
        } else {
          const hex = signature.slice(3).split('');
          const i = c.at % hex.length;
          hex[i] = (Number.parseInt(hex[i] ?? '0', 16) ^ c.flip).toString(16);
          nextSignature = `v0=${hex.join('')}`;
        }
        expect(verifySlackRequest(headersFor(nextTimestamp, nextSignature), nextBody, secrets, now).ok).toBe(
          false,
        );
      }),
      { numRuns: 500 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { handleSlackCallback, MAX_SLACK_BODY_BYTES } from '../../../shared/approvals/decide';
import { computeSlackSignature } from '../../../shared/events/slack-signature';
import {
  APPROVAL_ID,
  callbackEvent,
  clickPayload,
  decideFixture,
  formBody,
  NOW,
  pendingApproval,
  SIGNING_SECRET,
} from './support';

/** Nothing recorded, nothing published: the approval is as it was. */
function expectNothingDone(fixture: ReturnType<typeof decideFixture>): void {
  expect(fixture.publisher.events).toEqual([]);
  expect(fixture.store.items.get(APPROVAL_ID)?.status ?? 'absent').not.toMatch(/approved|rejected/);
}

describe('Slack callback: a signed click by an allowed approver', () => {
  it('records the decision, publishes ApprovalDecided once and answers 200', async () => {
    // Prepare
    const fixture = decideFixture();
    // Act
    const result = await handleSlackCallback(fixture.deps, callbackEvent(formBody(clickPayload())));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(fixture.store.items.get(APPROVAL_ID)).toMatchObject({
      status: 'approved',
      decidedBy: { slackUserId: 'U0PLATFORM1', identity: 'priya' },
      published: true,
    });
    expect(fixture.publisher.events).toEqual([
      {
        detailType: 'ApprovalDecided',
        detail: expect.objectContaining({
          approvalId: APPROVAL_ID,
          decision: 'approved',
          decidedAt: NOW.toISOString(),
        }),
      },
    ]);
  });

  it('accepts a plain (not base64) body, and Reject records a rejection', async () => {
    const fixture = decideFixture();
    const result = await handleSlackCallback(
      fixture.deps,
      callbackEvent(formBody(clickPayload({ actionId: 'meshwarden.reject' })), { base64: false }),
    );
    expect(result.statusCode).toBe(200);
    expect(fixture.store.items.get(APPROVAL_ID)?.status).toBe('rejected');
  });

  it('lets a second approver see who decided first, and changes nothing', async () => {
    // Prepare
    const fixture = decideFixture();
    await handleSlackCallback(fixture.deps, callbackEvent(formBody(clickPayload())));
    // Act: another person, another click
    const second = await handleSlackCallback(
      fixture.deps,
      callbackEvent(
        formBody(clickPayload({ user: 'U0ONCALL01', actionId: 'meshwarden.reject', triggerId: '1.2.other' })),
      ),
    );
    // Assess
    expect(second.statusCode).toBe(200);
    expect(fixture.store.items.get(APPROVAL_ID)?.status).toBe('approved');
    expect(fixture.publisher.events).toHaveLength(1);
    expect(fixture.chat.ephemeral).toEqual([
      {
        channel: 'C0APPROVALS',
        userId: 'U0ONCALL01',
        text: expect.stringMatching(
          /^Already approved by <@U0PLATFORM1> \(priya\) at 2026-03-10 10:16:05 UTC/,
        ),
      },
    ]);
  });

  it('answers a Slack retry of the same click (X-Slack-Retry-Num) with 200 and publishes nothing again', async () => {
    const fixture = decideFixture();
    const body = formBody(clickPayload());
    await handleSlackCallback(fixture.deps, callbackEvent(body));
    const retry = await handleSlackCallback(
      fixture.deps,
      callbackEvent(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } }),
    );
    expect(retry.statusCode).toBe(200);
    expect(fixture.publisher.events).toHaveLength(1);
    expect(fixture.chat.ephemeral).toEqual([]);
  });

  it('replay of a signed click within the window: idempotent 200, no second effect', async () => {
    const fixture = decideFixture();
    const event = callbackEvent(formBody(clickPayload()));
    await handleSlackCallback(fixture.deps, event);
    fixture.clock.now = new Date(NOW.getTime() + 60_000);
    const replay = await handleSlackCallback(fixture.deps, structuredClone(event));
    expect(replay.statusCode).toBe(200);
    expect(fixture.publisher.events).toHaveLength(1);
  });

  it('when publishing fails, still answers 200 and the retry of the click publishes', async () => {
    const fixture = decideFixture();
    fixture.publisher.failures = 1;
    const body = formBody(clickPayload());
    const first = await handleSlackCallback(fixture.deps, callbackEvent(body));
    expect(first.statusCode).toBe(200);
    expect(fixture.store.items.get(APPROVAL_ID)).toMatchObject({ status: 'approved' });
    expect(fixture.store.items.get(APPROVAL_ID)?.published).toBeUndefined();
    await handleSlackCallback(fixture.deps, callbackEvent(body, { headers: { 'x-slack-retry-num': '1' } }));
    expect(fixture.publisher.events).toHaveLength(1);
    expect(fixture.store.items.get(APPROVAL_ID)?.published).toBe(true);
  });
});

describe('Slack callback: bad input is refused and nothing is executed', () => {
  const body = formBody(clickPayload());

  it.each([
    ['bad signature', callbackEvent(body, { secret: 'not-the-signing-secret' })],
    ['signature of another format', callbackEvent(body, { signature: 'v1=abc' })],
    [
      'timestamp not a number',
      callbackEvent(body, { timestamp: 'yesterday', signature: 'v0='.padEnd(67, '0') }),
    ],
    [
      'stale timestamp (5 min 1 s old)',
      callbackEvent(body, { timestamp: String(NOW.getTime() / 1000 - 301) }),
    ],
    [
      'future timestamp (5 min 1 s ahead)',
      callbackEvent(body, { timestamp: String(NOW.getTime() / 1000 + 301) }),
    ],
  ])('%s: 401', async (_case, event) => {
    const fixture = decideFixture();
    const result = await handleSlackCallback(fixture.deps, event);
    expect(result.statusCode).toBe(401);
    expectNothingDone(fixture);
    expect(fixture.chat.ephemeral).toEqual([]);
  });

  it.each(['x-slack-signature', 'x-slack-request-timestamp'])('missing %s: 401', async (header) => {
    const fixture = decideFixture();
    const event = callbackEvent(body);
    delete (event.headers as Record<string, string>)[header];
    const result = await handleSlackCallback(fixture.deps, event);
    expect(result.statusCode).toBe(401);
    expectNothingDone(fixture);
  });

  it('tampered body (another user put in after signing): 401', async () => {
    const fixture = decideFixture();
    const signed = callbackEvent(body);
    const tampered = formBody(clickPayload({ user: 'U0DEV00001' }));
    const result = await handleSlackCallback(fixture.deps, {
      ...signed,
      body: Buffer.from(tampered).toString('base64'),
    });
    expect(result.statusCode).toBe(401);
    expectNothingDone(fixture);
  });

  it('signature made with the previous signing secret: accepted during its grace period only', async () => {
    const during = decideFixture();
    const previous = {
      signingSecret: 'the-new-signing-secret',
      previousSigningSecret: SIGNING_SECRET,
      previousSigningSecretValidUntil: new Date(NOW.getTime() + 3600_000).toISOString(),
    };
    during.deps = { ...during.deps, signingSecrets: async () => previous };
    expect((await handleSlackCallback(during.deps, callbackEvent(body))).statusCode).toBe(200);

    const after = decideFixture();
    after.deps = {
      ...after.deps,
      signingSecrets: async () => ({
        ...previous,
        previousSigningSecretValidUntil: new Date(NOW.getTime() - 1).toISOString(),
      }),
    };
    expect((await handleSlackCallback(after.deps, callbackEvent(body))).statusCode).toBe(401);
    expectNothingDone(after);
  });

  it.each([
    ['payload not JSON', 'payload=%7Bnot-json'],
    ['no payload field', 'token=abc'],
    ['payload not block_actions', formBody({ type: 'view_submission', user: { id: 'U0PLATFORM1' } })],
  ])('malformed payload (%s): 400 naming the problem', async (_case, raw) => {
    const fixture = decideFixture();
    const result = await handleSlackCallback(fixture.deps, callbackEvent(raw));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '{}').message).toMatch(/payload/);
    expectNothingDone(fixture);
  });

  it('unknown action: 400', async () => {
    const fixture = decideFixture();
    const result = await handleSlackCallback(
      fixture.deps,
      callbackEvent(formBody(clickPayload({ actionId: 'meshwarden.delete-everything' }))),
    );
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '{}').message).toMatch(/unknown action "meshwarden.delete-everything"/);
    expectNothingDone(fixture);
  });

  it('button without a valid approval id: 400', async () => {
    const fixture = decideFixture();
    const result = await handleSlackCallback(
      fixture.deps,
      callbackEvent(formBody(clickPayload({ approvalId: '../../etc/passwd' }))),
    );
    expect(result.statusCode).toBe(400);
    expectNothingDone(fixture);
  });

  it('unknown approval: 200 with an ephemeral explanation', async () => {
    const fixture = decideFixture({ approval: null });
    const result = await handleSlackCallback(fixture.deps, callbackEvent(body));
    expect(result.statusCode).toBe(200);
    expect(fixture.chat.ephemeral[0]?.text).toMatch(/knows no approval hold-3f9c1a2b/);
    expect(fixture.publisher.events).toEqual([]);
    expect(fixture.store.items.size).toBe(0);
  });

  it('expired approval: 200 with an ephemeral saying when it expired and that nothing was applied', async () => {
    const fixture = decideFixture({ approval: pendingApproval({ expiresAt: '2026-03-10T10:16:00.000Z' }) });
    const result = await handleSlackCallback(fixture.deps, callbackEvent(body));
    expect(result.statusCode).toBe(200);
    expect(fixture.chat.ephemeral[0]?.text).toMatch(
      /expired at 2026-03-10 10:16:00 UTC .*nothing was applied/,
    );
    expectNothingDone(fixture);
    expect(fixture.store.items.get(APPROVAL_ID)?.status).toBe('pending');
  });

  it.each([
    ['not an approver', 'U0NOBODY01', /not an approver/],
    [
      'in no group allowed for reapply-change',
      'U0ONCALL01',
      /may not decide reapply-change requests.*platform-leads may/,
    ],
  ])(
    'unauthorized user (%s): 200 + ephemeral "not allowed", nothing recorded',
    async (_case, user, message) => {
      const fixture = decideFixture();
      const result = await handleSlackCallback(fixture.deps, callbackEvent(formBody(clickPayload({ user }))));
      expect(result.statusCode).toBe(200);
      expect(fixture.chat.ephemeral).toEqual([
        { channel: 'C0APPROVALS', userId: user, text: expect.stringMatching(message) },
      ]);
      expectNothingDone(fixture);
      expect(fixture.store.items.get(APPROVAL_ID)?.status).toBe('pending');
    },
  );

  it('self-approval: refused the same way; allowed when the policy says so', async () => {
    const own = pendingApproval({
      requestedBy: {
        arn: 'arn:aws:sts::000000000000:assumed-role/PlatformAdmin/priya-laptop',
        label: 'PlatformAdmin/priya-laptop',
      },
    });
    const refused = decideFixture({ approval: own });
    const result = await handleSlackCallback(refused.deps, callbackEvent(body));
    expect(result.statusCode).toBe(200);
    expect(refused.chat.ephemeral[0]?.text).toMatch(/approve your own request/);
    expectNothingDone(refused);

    const allowed = decideFixture({ approval: own, policyExtra: '      allowSelfApproval: true' });
    await handleSlackCallback(allowed.deps, callbackEvent(body));
    expect(allowed.store.items.get(APPROVAL_ID)?.status).toBe('approved');
  });

  it('email match required: a profile with another email is refused, users.info failing refuses too', async () => {
    const mismatch = decideFixture({ policyExtra: '      requireEmailMatch: true' });
    mismatch.chat.emails.U0PLATFORM1 = 'mallory@evil.example';
    await handleSlackCallback(mismatch.deps, callbackEvent(body));
    expect(mismatch.chat.ephemeral[0]?.text).toMatch(/email does not match/);
    expectNothingDone(mismatch);

    const failing = decideFixture({ policyExtra: '      requireEmailMatch: true' });
    failing.chat.usersInfoFails = true;
    const result = await handleSlackCallback(failing.deps, callbackEvent(body));
    expect(result.statusCode).toBe(200);
    expect(failing.chat.ephemeral[0]?.text).toMatch(/could not check your Slack profile/);
    expectNothingDone(failing);

    const matching = decideFixture({ policyExtra: '      requireEmailMatch: true' });
    matching.chat.emails.U0PLATFORM1 = 'Priya@ACME.example';
    await handleSlackCallback(matching.deps, callbackEvent(body));
    expect(matching.store.items.get(APPROVAL_ID)?.status).toBe('approved');
  });

  it('oversized body: 413 before the signature is even read', async () => {
    const fixture = decideFixture();
    let secretsRead = 0;
    fixture.deps = {
      ...fixture.deps,
      signingSecrets: async () => {
        secretsRead++;
        return { signingSecret: SIGNING_SECRET };
      },
    };
    const huge = `payload=${'a'.repeat(MAX_SLACK_BODY_BYTES)}`;
    const timestamp = String(NOW.getTime() / 1000);
    const event = callbackEvent(huge, { signature: computeSlackSignature(SIGNING_SECRET, timestamp, huge) });
    const result = await handleSlackCallback(fixture.deps, event);
    expect(result.statusCode).toBe(413);
    expect(secretsRead).toBe(0);
    expectNothingDone(fixture);
  });

  it('not an API Gateway request at all: 400', async () => {
    const fixture = decideFixture();
    const result = await handleSlackCallback(fixture.deps, { hello: 'world' });
    expect(result.statusCode).toBe(400);
    expectNothingDone(fixture);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/function-catalog';
import { startSeededLocalAws, type TestLocalAws } from '../support/local-aws';
import { invokeFuzzed } from './support/harness';
import { fresh, promoteDecided, sample } from './support/inputs';
import { applyMutations } from './support/mutations';

/**
 * What the fuzzing found, each shrunk counterexample replayed as a plain test through the
 * handler in the local runtime: it is refused with a ValidationError or BadRequestError, and
 * nothing changes in local AWS (idempotency bookkeeping aside).
 */
describe('fuzz regressions, end to end', () => {
  let local: TestLocalAws;
  const NO_EFFECT = { writes: [], busEvents: [], slackChanged: false, slackEphemeral: false };
  const megabyte = 1024 * 1024;

  beforeAll(async () => {
    local = await startSeededLocalAws({
      functions: FUNCTIONS.filter((f) =>
        ['approval-executor', 'cert-rotation', 'deployment-guard', 'mesh-change'].includes(f.name),
      ),
    });
  });
  afterAll(() => local.aws.close());

  it('approval-executor refuses an event without an id as invalid, not as an idempotency failure', async () => {
    // Prepare: shrunk counterexamples `""` and `[]` (random JSON).
    for (const eventText of ['""', '[]', '{}']) {
      // Act
      const outcome = await invokeFuzzed(local.aws, 'approval-executor', eventText);

      // Assess
      expect(outcome.kind, eventText).toBe('refused');
      expect(outcome.effects).toEqual(NO_EFFECT);
    }
  });

  it('cert-rotation refuses an event whose id is nested 10,000 deep (the logger crashed on it)', async () => {
    // Prepare: shrunk counterexample [acm/approaching-expiration, deep 10,000 at id].
    const text = applyMutations(sample('acm/approaching-expiration')(), [
      { kind: 'deep', at: 1, depth: 10_000, shape: 'array' },
    ]);

    // Act
    const outcome = await invokeFuzzed(local.aws, 'cert-rotation', text);

    // Assess
    expect(outcome.kind).toBe('refused');
    expect(outcome.effects).toEqual(NO_EFFECT);
  });

  it('approval-executor refuses a detail-type nested 10,000 deep', async () => {
    // Prepare: shrunk counterexample [ApprovalRequested, deep at detail-type].
    const text = applyMutations(promoteDecided(), [{ kind: 'deep', at: 2, depth: 10_000, shape: 'array' }]);

    // Act
    const outcome = await invokeFuzzed(local.aws, 'approval-executor', text);

    // Assess
    expect(outcome.kind).toBe('refused');
    expect(outcome.effects).toEqual(NO_EFFECT);
  });

  it('deployment-guard refuses an ApprovalDecided whose routeKey is 1 MB (it failed as a DynamoDB key)', async () => {
    // Prepare
    const event = promoteDecided() as { detail: { action: { routeKey: string } } };
    event.detail.action.routeKey = 'x'.repeat(megabyte);

    // Act
    const outcome = await invokeFuzzed(local.aws, 'deployment-guard', JSON.stringify(event));

    // Assess
    expect(outcome.kind).toBe('refused');
    expect(outcome.effects).toEqual(NO_EFFECT);
  });

  it('mesh-change refuses a 1 MB eventID or errorCode (each failed in DynamoDB)', async () => {
    // Prepare: shrunk counterexamples of two hunts.
    const cases: [string, (detail: Record<string, unknown>) => void][] = [
      ['appmesh/update-route', (d) => Object.assign(d, { eventID: 'x'.repeat(megabyte) })],
      ['appmesh/update-route-access-denied', (d) => Object.assign(d, { errorCode: 'x'.repeat(megabyte) })],
    ];
    for (const [name, bend] of cases) {
      const event = fresh(sample(name as 'appmesh/update-route')()) as { detail: Record<string, unknown> };
      bend(event.detail);

      // Act
      const outcome = await invokeFuzzed(local.aws, 'mesh-change', JSON.stringify(event));

      // Assess
      expect(outcome.kind, name).toBe('refused');
      expect(outcome.effects, name).toEqual(NO_EFFECT);
    }
  });

  it('mesh-change refuses a route call whose virtual router is a lone surrogate (it failed as a URIError)', async () => {
    // Prepare: shrunk counterexample of seed 506548921 [update-route, virtualRouterName "\uD800"].
    const event = fresh(sample('appmesh/update-route')()) as {
      detail: { requestParameters: Record<string, unknown> };
    };
    event.detail.requestParameters.virtualRouterName = '\uD800';

    // Act
    const outcome = await invokeFuzzed(local.aws, 'mesh-change', JSON.stringify(event));

    // Assess
    expect(outcome.kind).toBe('refused');
    expect(outcome.effects).toEqual(NO_EFFECT);
  });

  it('deployment-guard ignores a route change in a mesh it does not govern (its role may not read it)', async () => {
    // Prepare: shrunk counterexample of seed 506548921 [update-route, meshName truncated to "p"].
    const event = fresh(sample('appmesh/update-route')()) as {
      detail: { requestParameters: Record<string, unknown> };
    };
    event.detail.requestParameters.meshName = 'p';

    // Act
    const outcome = await invokeFuzzed(local.aws, 'deployment-guard', JSON.stringify(event));

    // Assess
    expect(outcome.kind).toBe('result');
    expect(outcome.effects).toEqual(NO_EFFECT);
  });

  it('mesh-change reports a call whose caller ARN is 8 MB as unjudgeable, the ARN left out (it failed in DynamoDB)', async () => {
    // Prepare: shrunk counterexample [update-route-oidc, huge-string at detail.userIdentity.arn]. A
    // caller it cannot read is no reason to drop the call: it is reported, with bounded parts only.
    const event = fresh(sample('appmesh/update-route-oidc')()) as { detail: { userIdentity: object } };
    Object.assign(event.detail.userIdentity, { arn: `arn:${'x'.repeat(8 * megabyte)}` });

    const published: unknown[] = [];
    const unsubscribe = local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event' && activity.event['detail-type'] === 'GovernanceDecision') {
        published.push(activity.event.detail);
      }
    });

    // Act
    const outcome = await invokeFuzzed(local.aws, 'mesh-change', JSON.stringify(event));
    unsubscribe();

    // Assess: audited and published as unjudgeable; nothing written to the mesh.
    expect(outcome.kind).toBe('result');
    expect(outcome.effects.writes.filter((w) => w.startsWith('appmesh:'))).toEqual([]);
    expect(published).toEqual([
      expect.objectContaining({
        changeControl: 'unjudgeable',
        action: 'report',
        principal: expect.objectContaining({ arn: '(unknown)' }),
      }),
    ]);
  });
});

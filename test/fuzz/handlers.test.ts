import { randomUUID } from 'node:crypto';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/function-catalog';
import { STEP_INPUT_KIND } from '../../shared/adapters/scheduler/step-scheduler';
import { startSeededLocalAws, type TestLocalAws } from '../support/local-aws';
import { loadEvent, type SampleName } from '../support/sample-events';
import { assertClearAndEffectFree, invokeFuzzed, RunTally } from './support/harness';
import { anyJson, applyMutations, fuzzParameters, mutations } from './support/mutations';

/**
 * Fuzzing of every EventBridge- and Scheduler-invoked handler in the local runtime `npm start`
 * uses: random JSON, and valid inputs bent by mutations. Each handler answers or refuses with a
 * ValidationError/BadRequestError in bounded time, and a refusal has no effect in local AWS.
 */

const RUNS_RANDOM = 25;
const RUNS_MUTATED = 40;

/** A fresh event id per run, so idempotency never answers from a previous run's record. */
function fresh(event: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(event);
  copy.id = randomUUID();
  const detail = copy.detail as Record<string, unknown> | undefined;
  if (detail !== undefined && typeof detail === 'object' && 'eventID' in detail)
    detail.eventID = randomUUID();
  return copy;
}

const sample = (name: SampleName) => () => fresh(loadEvent(name) as Record<string, unknown>);

function meshwardenEvent(detailType: string, detail: Record<string, unknown>): () => Record<string, unknown> {
  return () => ({
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'meshwarden',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  });
}

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

const approvalRequested = meshwardenEvent('ApprovalRequested', {
  approvalId: 'fuzz-request',
  meshName: 'prod',
  action: {
    type: 'promote-deployment',
    routeKey: 'prod/web-router/web-route',
    deploymentId: 'd-fuzz',
    toWeight: 100,
  },
  title: 'Promote web-route to 100%',
  reason: 'deployment gate',
  requestedBy: { arn: 'arn:aws:iam::000000000000:user/bob', label: 'bob' },
  diff: 'web-v2 10 -> 100',
  expiresAt: inAnHour(),
});

/** Decided as expired, on actions that name nothing that exists: accepted, harmless. */
const approvalDecided = (action: Record<string, unknown>) =>
  meshwardenEvent('ApprovalDecided', {
    approvalId: 'fuzz-decided',
    meshName: 'prod',
    action,
    decision: 'expired',
    decidedAt: new Date().toISOString(),
  });

const promoteDecided = approvalDecided({
  type: 'promote-deployment',
  routeKey: 'prod/web-router/web-route',
  deploymentId: 'd-fuzz',
  toWeight: 100,
});
const rolloverDecided = approvalDecided({
  type: 'finish-ca-rollover',
  rolloverId: 'r-fuzz',
  oldCaArn: 'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/old',
  newCaArn: 'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/new',
});

const stepInput = () => ({
  kind: STEP_INPUT_KIND,
  id: randomUUID(),
  scheduledAt: new Date().toISOString(),
  routeKey: 'prod/web-router/web-route',
  deploymentId: 'd-fuzz',
  stepIndex: 1,
  token: '0123456789abcdef01234567',
});

/** Valid inputs of each handler (one per trigger it has), which the mutations bend. */
const BASES: Record<string, readonly (() => Record<string, unknown>)[]> = {
  'mesh-change': [
    sample('appmesh/update-route'),
    sample('appmesh/update-route-oidc'),
    sample('appmesh/create-virtual-node'),
    sample('appmesh/delete-virtual-service'),
    sample('appmesh/update-route-access-denied'),
    sample('sts/assume-role-with-web-identity'),
  ],
  'mesh-audit': [sample('scheduler/daily-audit')],
  'deployment-guard': [
    sample('appmesh/update-route'),
    sample('cloudwatch/metric-alarm-to-alarm'),
    sample('cloudwatch/composite-alarm-to-alarm'),
    promoteDecided,
    stepInput,
  ],
  'approval-executor': [approvalRequested, promoteDecided, sample('scheduler/daily-audit')],
  'cert-rotation': [sample('acm/approaching-expiration'), rolloverDecided, sample('scheduler/daily-audit')],
};

/** Random JSON, and envelopes whose source and detail-type pass each handler's first dispatch. */
const randomInput = fc.oneof(
  anyJson,
  fc.record(
    {
      version: fc.constantFrom('0', 0, null),
      id: fc.oneof(fc.uuid(), anyJson),
      'detail-type': fc.oneof(
        fc.constantFrom(
          'AWS API Call via CloudTrail',
          'CloudWatch Alarm State Change',
          'Scheduled Event',
          'ApprovalRequested',
          'ApprovalDecided',
          'ACM Certificate Approaching Expiration',
        ),
        anyJson,
      ),
      source: fc.oneof(
        fc.constantFrom('aws.appmesh', 'aws.sts', 'aws.cloudwatch', 'aws.events', 'aws.acm', 'meshwarden'),
        anyJson,
      ),
      kind: fc.oneof(fc.constant(STEP_INPUT_KIND), anyJson),
      detail: fc.oneof(anyJson, fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { maxKeys: 6 })),
    },
    { requiredKeys: [] },
  ),
);

describe('fuzzing the event handlers', () => {
  let local: TestLocalAws;
  const tally = new RunTally();

  beforeAll(async () => {
    local = await startSeededLocalAws({ functions: FUNCTIONS.filter((f) => f.name in BASES) });
  });
  afterAll(async () => {
    tally.print();
    await local.aws.close();
  });

  it('covers every function the catalog runs from events or schedules', () => {
    // Prepare / Act
    const eventDriven = FUNCTIONS.filter((f) => f.triggers.some((t) => t.kind !== 'http')).map((f) => f.name);

    // Assess
    expect(Object.keys(BASES).sort()).toEqual(eventDriven.sort());
  });

  for (const [functionName, bases] of Object.entries(BASES)) {
    it(`${functionName}: random JSON is answered or clearly refused, with no effect`, async () => {
      await fc.assert(
        fc.asyncProperty(randomInput, async (input) => {
          const outcome = await invokeFuzzed(local.aws, functionName, JSON.stringify(input));
          tally.add(`${functionName} random`, outcome.kind);
          assertClearAndEffectFree(outcome);
        }),
        fuzzParameters(RUNS_RANDOM),
      );
    }, 120_000);

    it(`${functionName}: mutated valid inputs are answered or clearly refused, with no effect`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: bases.length - 1 }), mutations, async (which, list) => {
          const base = (bases[which] as () => Record<string, unknown>)();
          const outcome = await invokeFuzzed(local.aws, functionName, applyMutations(base, list));
          tally.add(`${functionName} mutated`, outcome.kind);
          assertClearAndEffectFree(outcome);
        }),
        fuzzParameters(RUNS_MUTATED),
      );
    }, 120_000);
  }
});

import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/function-catalog';
import { STEP_INPUT_KIND } from '../../shared/adapters/scheduler/step-scheduler';
import { startSeededLocalAws, type TestLocalAws } from '../support/local-aws';
import { assertClearAndEffectFree, invokeFuzzed, RunTally } from './support/harness';
import { BASES } from './support/inputs';
import { anyJson, applyMutations, fuzzParameters, mutations } from './support/mutations';

/**
 * Fuzzing of every EventBridge- and Scheduler-invoked handler in the local runtime `npm start`
 * uses: random JSON, and valid inputs bent by mutations. Each handler answers or refuses with a
 * ValidationError/BadRequestError in bounded time, and a refusal has no effect in local AWS.
 */

const RUNS_RANDOM = 30;
const RUNS_MUTATED = 60;

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

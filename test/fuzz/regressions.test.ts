import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/function-catalog';
import { startSeededLocalAws, type TestLocalAws } from '../support/local-aws';
import { invokeFuzzed } from './support/harness';

/**
 * What the fuzzing found, each shrunk counterexample replayed as a plain test against the
 * local runtime: the handler refuses it with a ValidationError or BadRequestError, and nothing
 * changes in local AWS.
 */
describe('fuzz regressions', () => {
  let local: TestLocalAws;

  beforeAll(async () => {
    local = await startSeededLocalAws({
      functions: FUNCTIONS.filter((f) => ['approval-executor', 'cert-rotation'].includes(f.name)),
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
      expect(outcome.effects).toEqual({ writes: [], slackChanged: false, slackEphemeral: false });
    }
  });
});

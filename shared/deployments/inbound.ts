import { RECOVERY_INPUT_KIND, STEP_INPUT_KIND } from '../adapters/scheduler/step-scheduler';
import { ValidationError } from '../errors';
import { type ApprovalDecidedEvent, parseApprovalDecided } from '../events/approvals';
import { type AlarmStateChangeEvent, parseAlarmStateChange } from '../events/cloudwatch-alarm';
import type { StepInvocation } from '../ports';
import {
  type ApiCallEventOf,
  PROVIDER_EVENTBRIDGE_SOURCES,
  type ProviderApiCall,
  parseProviderApiCall,
  providerOfSource,
} from '../providers/registry';
import * as z from '../schema';
import { parseOrThrow } from '../validation';

/** What a step schedule delivers (EventBridge Scheduler fills in the id and time). */
export const stepInputSchema = z.strictObject({
  kind: z.literal(STEP_INPUT_KIND),
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  scheduledAt: z.string().check(z.minLength(1)),
  /** The route's account, for a member account's deployment (see deployments/accounts.ts). */
  account: z.optional(z.string().check(z.regex(/^\d{12}$/, 'expected a 12-digit account id'))),
  routeKey: z.string().check(z.minLength(5), z.maxLength(800)),
  deploymentId: z.string().check(z.minLength(1), z.maxLength(128)),
  stepIndex: z.number().check(z.int(), z.gte(0), z.lte(19)),
  token: z.string().check(z.regex(/^[a-f0-9]{24}$/, 'expected the 24 hex digits meshwarden wrote')),
});

/** What the recovery schedule delivers. */
export const recoveryInputSchema = z.strictObject({
  kind: z.literal(RECOVERY_INPUT_KIND),
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  scheduledAt: z.string().check(z.minLength(1)),
});

/** The inputs the deployment guard takes. */
export type GuardInput =
  | { readonly kind: 'route-change'; readonly event: ApiCallEventOf<'appmesh'> }
  /** A route change on a provider other than App Mesh, as its CloudTrail record says. */
  | ({ readonly kind: 'provider-route-change' } & Exclude<ProviderApiCall, { readonly provider: 'appmesh' }>)
  | { readonly kind: 'alarm'; readonly event: AlarmStateChangeEvent }
  | { readonly kind: 'approval'; readonly event: ApprovalDecidedEvent }
  | { readonly kind: 'step'; readonly id: string; readonly step: StepInvocation }
  | { readonly kind: 'recovery'; readonly id: string };

/**
 * App Mesh's route writes keep their own kind: the guard reads App Mesh's CloudTrail record
 * itself (shared/deployments/on-route-change.ts), and a deleted virtual node ends deployments.
 * Every other provider's go through its route port.
 */
function routeChangeOf(call: ProviderApiCall): GuardInput {
  if (call.provider === 'appmesh') return { kind: 'route-change', event: call.event };
  return { kind: 'provider-route-change', ...call };
}

/**
 * Tell the guard's inputs apart by `source` (EventBridge) or `kind` (a step schedule) and
 * validate each with its own schema; anything else is refused with what was expected.
 */
export function parseGuardInput(input: unknown): GuardInput {
  const fields = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const provider = providerOfSource(fields.source);
  if (provider !== undefined) return routeChangeOf(parseProviderApiCall(provider, input));
  switch (fields.source) {
    case 'aws.cloudwatch':
      return { kind: 'alarm', event: parseAlarmStateChange(input) };
    case 'meshwarden':
      return { kind: 'approval', event: parseApprovalDecided(input) };
  }
  if (fields.kind === STEP_INPUT_KIND) {
    const {
      id,
      kind: _k,
      scheduledAt: _s,
      ...step
    } = parseOrThrow(stepInputSchema, input, 'deployment step');
    return { kind: 'step', id, step };
  }
  if (fields.kind === RECOVERY_INPUT_KIND) {
    const { id } = parseOrThrow(recoveryInputSchema, input, 'rollback recovery');
    return { kind: 'recovery', id };
  }
  const sources = [...PROVIDER_EVENTBRIDGE_SOURCES, 'aws.cloudwatch'].join(', ');
  const expected = `expected source ${sources} or meshwarden, or kind ${STEP_INPUT_KIND} or ${RECOVERY_INPUT_KIND}`;
  throw new ValidationError(`Invalid deployment guard input: source: ${expected}`, [
    { path: 'source', message: expected },
  ]);
}

import * as z from '../schema';
import { parseOrThrow } from '../validation';
import { eventBridgeEvent, nonEmpty } from './envelope';
import { MESHWARDEN_CLI_EVENT_SOURCE, MESHWARDEN_DETAIL_TYPES, MESHWARDEN_EVENT_SOURCE } from './patterns';

/**
 * `CaRolloverAwaitingApproval`: a claim that a rollover waits for its approval. It names the
 * rollover and nothing else on purpose: what the request says is built from stored state.
 */
export const caRolloverAwaitingApprovalDetail = z.strictObject({
  /** As `rolloverIdOf` mints it: 20 hex digits. */
  rolloverId: z.string().check(z.regex(/^[0-9a-f]{20}$/, 'expected a rollover id (20 hex digits)')),
  meshName: nonEmpty.check(z.maxLength(255)),
});
export type CaRolloverAwaitingApprovalDetail = z.output<typeof caRolloverAwaitingApprovalDetail>;

const fromMeshwarden = eventBridgeEvent(
  MESHWARDEN_EVENT_SOURCE,
  MESHWARDEN_DETAIL_TYPES.caRolloverAwaitingApproval,
  caRolloverAwaitingApprovalDetail,
);
const fromCli = eventBridgeEvent(
  MESHWARDEN_CLI_EVENT_SOURCE,
  MESHWARDEN_DETAIL_TYPES.caRolloverAwaitingApproval,
  caRolloverAwaitingApprovalDetail,
);
export const caRolloverAwaitingApprovalEvent = z.union([fromMeshwarden, fromCli]);
export type CaRolloverAwaitingApprovalEvent = z.output<typeof caRolloverAwaitingApprovalEvent>;

export function parseCaRolloverAwaitingApproval(input: unknown): CaRolloverAwaitingApprovalEvent {
  return parseOrThrow(caRolloverAwaitingApprovalEvent, input, 'CaRolloverAwaitingApproval event');
}

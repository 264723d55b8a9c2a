/**
 * Every rule pattern in one list, for the tests that check each stored sample against each rule.
 * Apart from patterns.ts because it names the providers' patterns through the registry, which
 * brings both providers' CloudTrail schemas: the functions that only need meshwarden's own
 * detail types must not carry them at init.
 */
import { PROVIDER_REGISTRY } from '../providers/registry';
import {
  acmApproachingExpirationPattern,
  alarmStateChangesPattern,
  approvalDecidedPattern,
  approvalRequestedPattern,
  type NamedPattern,
  webIdentitySessionsPattern,
} from './patterns';

/**
 * Of the providers'
 * patterns only App Mesh's mutations: the stored samples' expectations (pattern-cases.ts) were
 * written against this set; the other provider patterns are function triggers
 * (infra/function-catalog.ts).
 */
export const RULE_PATTERNS: readonly NamedPattern[] = [
  PROVIDER_REGISTRY.appmesh.patterns.mutations,
  alarmStateChangesPattern,
  acmApproachingExpirationPattern,
  webIdentitySessionsPattern,
  approvalRequestedPattern,
  approvalDecidedPattern,
];

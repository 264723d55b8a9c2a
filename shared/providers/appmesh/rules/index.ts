/** Every judging rule, in the order findings are reported. */
import type { RuleId } from '../../../policy/rule-ids';
import { accessGraph } from './access-graph';
import { backendClientTls } from './backend-client-tls';
import {
  backendExists,
  noRoutingLoop,
  providerExists,
  routeHasTraffic,
  routeProtocol,
  targetPort,
} from './consistency';
import { healthCheckRequired } from './health-check';
import { routeMaxTargets, routeRetryPolicy, routeTimeout, routeWeightsNonZero } from './route-rules';
import type { Rule } from './rule';
import { tagsRequired } from './tags';
import { tlsAllowedCa, tlsStrict } from './tls';
import { tlsHandshake } from './tls-handshake';

/** All App Mesh rules; a unit test checks that every id in APPMESH_RULE_IDS has exactly one. */
export const RULES: readonly Rule[] = [
  tlsStrict,
  tlsAllowedCa,
  backendClientTls,
  accessGraph,
  routeRetryPolicy,
  routeTimeout,
  routeMaxTargets,
  routeWeightsNonZero,
  healthCheckRequired,
  tagsRequired,
  targetPort,
  routeProtocol,
  routeHasTraffic,
  providerExists,
  backendExists,
  noRoutingLoop,
  tlsHandshake,
];

/** Each rule by id. */
export const RULES_BY_ID: ReadonlyMap<RuleId, Rule> = new Map(RULES.map((r) => [r.id, r]));

export type { Rule, RuleContext } from './rule';

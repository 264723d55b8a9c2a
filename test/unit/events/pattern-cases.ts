import { describe, expect, it } from 'vitest';
import {
  type EventPattern,
  MESHWARDEN_DETAIL_TYPES,
  MESHWARDEN_EVENT_SOURCE,
} from '../../../shared/events/patterns';
import { RULE_PATTERNS } from '../../../shared/events/rule-patterns';
import { loadEvent, SAMPLE_NAMES, type SampleName } from '../../support/sample-events';

/**
 * Which rule pattern matches which event: the expectations any EventBridge pattern matcher
 * (the local bus's, or a real bus in an integration test) must meet. Each row was checked by
 * hand against moto 5.2.1 (`moto.events.models.EventPattern`), which agreed on every row.
 */
export interface PatternCase {
  readonly label: string;
  readonly event: () => unknown;
  /** Names of the patterns in RULE_PATTERNS that must match; all others must not. */
  readonly matches: readonly string[];
}

/** What each stored sample matches. Keyed by sample so a new sample needs a decision here. */
export const SAMPLE_MATCHES: Readonly<Record<SampleName, readonly string[]>> = {
  'acm/approaching-expiration': ['acm-approaching-expiration'],
  'appmesh/create-route': ['appmesh-mutations'],
  'appmesh/create-virtual-node': ['appmesh-mutations'],
  'appmesh/delete-route': ['appmesh-mutations'],
  'appmesh/delete-virtual-service': ['appmesh-mutations'],
  // Read-only: excluded by `readOnly: [false]`.
  'appmesh/describe-route': [],
  // A refused attempt is still audited.
  'appmesh/update-route-access-denied': ['appmesh-mutations'],
  'appmesh/update-route': ['appmesh-mutations'],
  'appmesh/update-route-oidc': ['appmesh-mutations'],
  // Every caller's write is governed, whoever CloudTrail says made it.
  'appmesh/update-route-federated-user': ['appmesh-mutations'],
  'appmesh/update-route-identity-center-user': ['appmesh-mutations'],
  'appmesh/update-route-role': ['appmesh-mutations'],
  'appmesh/update-route-root': ['appmesh-mutations'],
  'appmesh/update-route-sparse': ['appmesh-mutations'],
  'appmesh/update-route-unknown-identity': ['appmesh-mutations'],
  'appmesh/update-virtual-node': ['appmesh-mutations'],
  'appmesh/update-virtual-service': ['appmesh-mutations'],
  'cloudwatch/composite-alarm-to-alarm': ['alarm-state-changes'],
  'cloudwatch/metric-alarm-to-alarm': ['alarm-state-changes'],
  'cloudwatch/metric-alarm-to-ok': ['alarm-state-changes'],
  // Schedules are rule schedules, not patterns.
  'scheduler/daily-audit': [],
  // API Gateway requests never travel on a bus.
  'slack/block-actions-approve-base64': [],
  'slack/block-actions-approve-plain': [],
  'slack/payloads/block-actions-approve': [],
  'sts/assume-role-with-web-identity': ['web-identity-sessions'],
  // The guard's Lattice pattern is a function trigger, not one of these rule patterns.
  'vpc-lattice/update-rule': [],
};

/** Variations of samples that probe the edges of each pattern. */
const EDGE_CASES: readonly PatternCase[] = [
  {
    label: 'alarm entering INSUFFICIENT_DATA',
    event: () => {
      const event = loadEvent('cloudwatch/metric-alarm-to-alarm');
      event.detail.state.value = 'INSUFFICIENT_DATA';
      return event;
    },
    matches: [],
  },
  {
    label: 'App Mesh service event (StreamAggregatedResources) via CloudTrail',
    event: () => ({
      ...loadEvent('appmesh/update-route'),
      'detail-type': 'AWS Service Event via CloudTrail',
    }),
    matches: [],
  },
  {
    label: 'failed AssumeRoleWithWebIdentity',
    event: () => {
      const event = loadEvent('sts/assume-role-with-web-identity');
      return {
        ...event,
        detail: { ...event.detail, errorCode: 'InvalidIdentityToken', responseElements: null },
      };
    },
    matches: [],
  },
  {
    label: 'meshwarden ApprovalDecided',
    event: () => ({
      version: '0',
      id: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
      'detail-type': MESHWARDEN_DETAIL_TYPES.approvalDecided,
      source: MESHWARDEN_EVENT_SOURCE,
      account: '123456789012',
      time: '2026-03-10T10:16:06Z',
      region: 'us-east-1',
      resources: [],
      detail: {},
    }),
    matches: ['approval-decided'],
  },
  {
    label: 'meshwarden ApprovalRequested',
    event: () => ({
      version: '0',
      id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
      'detail-type': MESHWARDEN_DETAIL_TYPES.approvalRequested,
      source: MESHWARDEN_EVENT_SOURCE,
      account: '123456789012',
      time: '2026-03-10T10:16:05Z',
      region: 'us-east-1',
      resources: [],
      detail: {},
    }),
    matches: ['approval-requested'],
  },
];

/** Every case: each stored sample, then the edge cases. */
export const PATTERN_CASES: readonly PatternCase[] = [
  ...SAMPLE_NAMES.map((name) => ({
    label: name,
    event: () => loadEvent(name),
    matches: SAMPLE_MATCHES[name],
  })),
  ...EDGE_CASES,
];

/** A pattern matcher under test: true when `event` matches `pattern`. */
export type PatternMatcher = (pattern: EventPattern, event: unknown) => boolean | Promise<boolean>;

/**
 * Register, inside the caller's test file, one test per case and pattern for `matcher`. The
 * local bus (and any other matcher) calls this to prove it agrees with the expectations.
 */
export function describePatternMatching(matcherName: string, matcher: PatternMatcher): void {
  describe(`${matcherName} applied to the rule patterns`, () => {
    for (const rule of RULE_PATTERNS) {
      it.each(PATTERN_CASES)(`${rule.name} vs $label`, async ({ event, matches }) => {
        // Act
        const matched = await matcher(rule.pattern, event());

        // Assess
        expect(matched).toBe(matches.includes(rule.name));
      });
    }
  });
}

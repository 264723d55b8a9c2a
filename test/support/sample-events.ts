import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acmApproachingExpirationEvent } from '../../shared/events/acm-expiry';
import { alarmStateChangeEvent } from '../../shared/events/cloudwatch-alarm';
import { scheduledEvent } from '../../shared/events/scheduled-event';
import { slackBlockActionsPayload, slackInteractionRequest } from '../../shared/events/slack-interaction';
import { assumeRoleWithWebIdentityEvent } from '../../shared/events/sts-web-identity';
import { appMeshApiCallEvent } from '../../shared/providers/appmesh/cloudtrail';
import { latticeApiCallEvent } from '../../shared/providers/vpc-lattice/cloudtrail';
import * as z from '../../shared/schema';

/** Root of the sample Lambda inputs: `events/<source>/<case>.json`. */
export const EVENTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'events');

/** Every sample, by `source/case`. A name missing here is a compile error at the call site. */
export const SAMPLE_NAMES = [
  'acm/approaching-expiration',
  'appmesh/create-route',
  'appmesh/create-virtual-node',
  'appmesh/delete-route',
  'appmesh/delete-virtual-service',
  'appmesh/describe-route',
  'appmesh/update-route',
  'appmesh/update-route-access-denied',
  'appmesh/update-route-federated-user',
  'appmesh/update-route-identity-center-user',
  'appmesh/update-route-oidc',
  'appmesh/update-route-role',
  'appmesh/update-route-root',
  'appmesh/update-route-sparse',
  'appmesh/update-route-unknown-identity',
  'appmesh/update-virtual-node',
  'appmesh/update-virtual-service',
  'cloudwatch/composite-alarm-to-alarm',
  'cloudwatch/metric-alarm-to-alarm',
  'cloudwatch/metric-alarm-to-ok',
  'scheduler/daily-audit',
  'slack/block-actions-approve-base64',
  'slack/block-actions-approve-plain',
  'slack/payloads/block-actions-approve',
  'sts/assume-role-with-web-identity',
  'vpc-lattice/update-rule',
] as const;

export type SampleName = (typeof SAMPLE_NAMES)[number];

/** The schema each sample folder's files satisfy; the most specific prefix wins. */
const SCHEMA_BY_PREFIX = {
  'acm/': acmApproachingExpirationEvent,
  'appmesh/': appMeshApiCallEvent,
  'cloudwatch/': alarmStateChangeEvent,
  'scheduler/': scheduledEvent,
  'slack/payloads/': slackBlockActionsPayload,
  'slack/': slackInteractionRequest,
  'sts/': assumeRoleWithWebIdentityEvent,
  'vpc-lattice/': latticeApiCallEvent,
} as const;

type SchemaFor<N extends string> = N extends `slack/payloads/${string}`
  ? (typeof SCHEMA_BY_PREFIX)['slack/payloads/']
  : N extends `${infer Source}/${string}`
    ? `${Source}/` extends keyof typeof SCHEMA_BY_PREFIX
      ? (typeof SCHEMA_BY_PREFIX)[`${Source}/`]
      : never
    : never;

/** The type a sample has: the input type of its folder's schema. */
export type SampleOf<N extends SampleName> = z.input<SchemaFor<N>>;

/** The schema that a sample must satisfy (the one its folder stands for). */
export function schemaFor(name: SampleName): z.core.$ZodType {
  const prefix = (Object.keys(SCHEMA_BY_PREFIX) as (keyof typeof SCHEMA_BY_PREFIX)[])
    .filter((p) => name.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) throw new Error(`no schema for sample ${name}`);
  return SCHEMA_BY_PREFIX[prefix];
}

/** The sample exactly as stored, unvalidated: for tests that check the samples themselves. */
export function readRawEvent(name: string): unknown {
  return JSON.parse(readFileSync(join(EVENTS_DIR, `${name}.json`), 'utf8'));
}

const checked = new Map<SampleName, unknown>();

/**
 * Load a sample Lambda input by `source/case`, typed by its source. The file is validated
 * against its schema once (so the type is earned, not asserted), and every call returns a
 * fresh deep clone, so a test may mutate what it gets.
 */
export function loadEvent<N extends SampleName>(name: N): SampleOf<N> {
  let raw = checked.get(name);
  if (raw === undefined) {
    raw = readRawEvent(name);
    const result = z.safeParse(schemaFor(name), raw);
    if (!result.success) throw new Error(`sample ${name} does not match its schema: ${result.error.message}`);
    checked.set(name, raw);
  }
  return structuredClone(raw) as SampleOf<N>;
}

import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAcmApproachingExpiration } from '../../../shared/events/acm-expiry';
import { parseAlarmStateChange } from '../../../shared/events/cloudwatch-alarm';
import { parseScheduledEvent } from '../../../shared/events/scheduled-event';
import {
  parseSlackBlockActions,
  parseSlackInteractionRequest,
} from '../../../shared/events/slack-interaction';
import { parseAssumeRoleWithWebIdentity } from '../../../shared/events/sts-web-identity';
import { parseAppMeshApiCall } from '../../../shared/providers/appmesh/cloudtrail';
import { parseLatticeApiCall } from '../../../shared/providers/vpc-lattice/cloudtrail';
import {
  EVENTS_DIR,
  loadEvent,
  readRawEvent,
  SAMPLE_NAMES,
  type SampleName,
} from '../../support/sample-events';

/** The public parse function for each sample folder: what a handler would call. */
function parserFor(name: SampleName): (input: unknown) => unknown {
  if (name.startsWith('slack/payloads/')) return parseSlackBlockActions;
  const source = name.split('/')[0];
  const parsers: Record<string, (input: unknown) => unknown> = {
    acm: parseAcmApproachingExpiration,
    appmesh: parseAppMeshApiCall,
    cloudwatch: parseAlarmStateChange,
    scheduler: parseScheduledEvent,
    slack: parseSlackInteractionRequest,
    sts: parseAssumeRoleWithWebIdentity,
    'vpc-lattice': parseLatticeApiCall,
  };
  const parser = source === undefined ? undefined : parsers[source];
  if (parser === undefined) throw new Error(`no parser for ${name}`);
  return parser;
}

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsonFilesUnder(path);
    return entry.name.endsWith('.json') ? [path] : [];
  });
}

describe('sample events', () => {
  it('lists exactly the JSON files under events/', () => {
    // Prepare
    const onDisk = jsonFilesUnder(EVENTS_DIR).map((file) =>
      relative(EVENTS_DIR, file).replace(/\.json$/, ''),
    );

    // Act
    const listed = [...SAMPLE_NAMES];

    // Assess
    expect(listed.sort()).toEqual(onDisk.sort());
  });

  it.each(SAMPLE_NAMES)('%s parses with its source parser', (name) => {
    // Prepare
    const raw = readRawEvent(name);

    // Act
    const parsed = parserFor(name)(raw);

    // Assess: loose schemas keep every field, so nothing is lost or rewritten.
    expect(parsed).toEqual(raw);
  });

  it('returns a deep clone on every load', () => {
    // Prepare
    const first = loadEvent('appmesh/update-route-oidc');

    // Act
    first.detail.eventName = 'Tampered';
    first.resources.push('arn:aws:appmesh:us-east-1:123456789012:mesh/tampered');
    const second = loadEvent('appmesh/update-route-oidc');

    // Assess
    expect(second.detail.eventName).toBe('UpdateRoute');
    expect(second.resources).toEqual([]);
  });

  it('types a sample by its source', () => {
    // Act
    const alarm = loadEvent('cloudwatch/composite-alarm-to-alarm');
    const payload = loadEvent('slack/payloads/block-actions-approve');

    // Assess
    expect(alarm.detail.configuration.alarmRule).toContain('web-v2-5xx-rate');
    expect(payload.actions[0]?.action_id).toBe('meshwarden.approve');
  });

  it('keeps the route weight change the samples tell: 90/10 created, 50/50 updated', () => {
    // Act
    const created = parseAppMeshApiCall(loadEvent('appmesh/create-route')).detail.requestParameters?.spec;
    const updated = parseAppMeshApiCall(loadEvent('appmesh/update-route')).detail.requestParameters?.spec;

    // Assess
    expect(created).toEqual({
      httpRoute: {
        match: { prefix: '/' },
        action: {
          weightedTargets: [
            { virtualNode: 'web-v1', weight: 90 },
            { virtualNode: 'web-v2', weight: 10 },
          ],
        },
      },
    });
    expect(updated).toMatchObject({
      httpRoute: { action: { weightedTargets: [{ weight: 50 }, { weight: 50 }] } },
    });
  });
});

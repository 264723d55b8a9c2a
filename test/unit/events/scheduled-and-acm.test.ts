import { describe, expect, it } from 'vitest';
import { parseAcmApproachingExpiration } from '../../../shared/events/acm-expiry';
import { parseScheduledEvent } from '../../../shared/events/scheduled-event';
import { loadEvent } from '../../support/sample-events';
import { pathsOf, refusalOf } from './refusal';

describe('parseScheduledEvent', () => {
  it('reads which rule fired', () => {
    // Act
    const event = parseScheduledEvent(loadEvent('scheduler/daily-audit'));

    // Assess
    expect(event.resources).toEqual(['arn:aws:events:us-east-1:123456789012:rule/meshwarden-daily-audit']);
  });

  it('refuses a schedule event that names no rule', () => {
    // Prepare
    const event = { ...loadEvent('scheduler/daily-audit'), resources: [] };

    // Act
    const error = refusalOf(() => parseScheduledEvent(event));

    // Assess
    expect(pathsOf(error)).toEqual(['resources']);
  });

  it('refuses another detail-type and a non-object detail', () => {
    // Prepare
    const event = { ...loadEvent('scheduler/daily-audit'), 'detail-type': 'Scheduled event', detail: 'none' };

    // Act
    const error = refusalOf(() => parseScheduledEvent(event));

    // Assess
    expect(pathsOf(error).sort()).toEqual(['detail', 'detail-type']);
  });
});

describe('parseAcmApproachingExpiration', () => {
  it('reads the certificate, its common name and days left', () => {
    // Act
    const event = parseAcmApproachingExpiration(loadEvent('acm/approaching-expiration'));

    // Assess
    expect(event.detail).toEqual({ DaysToExpiry: 30, CommonName: 'web-v2.prod.svc.cluster.local' });
    expect(event.resources[0]).toMatch(/^arn:aws:acm:us-east-1:123456789012:certificate\//);
  });

  it('refuses DaysToExpiry as a string and a missing CommonName, naming both', () => {
    // Prepare
    const event = { ...loadEvent('acm/approaching-expiration'), detail: { DaysToExpiry: '30' } };

    // Act
    const error = refusalOf(() => parseAcmApproachingExpiration(event));

    // Assess
    expect(pathsOf(error).sort()).toEqual(['detail.CommonName', 'detail.DaysToExpiry']);
  });

  it('refuses a wrong envelope: bad account and time', () => {
    // Prepare
    const event = { ...loadEvent('acm/approaching-expiration'), account: '12345', time: 'yesterday' };

    // Act
    const error = refusalOf(() => parseAcmApproachingExpiration(event));

    // Assess
    expect(pathsOf(error).sort()).toEqual(['account', 'time']);
    expect(error.message).toContain('account: expected a 12-digit AWS account id');
  });
});

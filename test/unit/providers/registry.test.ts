import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../infra/local/bus/pattern';
import { BadRequestError, ValidationError } from '../../../shared/errors';
import { MESH_PROVIDERS } from '../../../shared/policy/schema';
import {
  PROVIDER_EVENTBRIDGE_SOURCES,
  PROVIDER_REGISTRY,
  PROVIDERS,
  parseProviderApiCall,
  providerOfSource,
} from '../../../shared/providers/registry';
import { loadEvent } from '../../support/sample-events';

/** One stored write and one route key per provider, to check each entry against the other's. */
const SAMPLES = {
  appmesh: { event: () => loadEvent('appmesh/update-route'), routeKey: 'prod/web-router/web-route' },
  'vpc-lattice': { event: () => loadEvent('vpc-lattice/update-rule'), routeKey: 'shop/web/http/canary' },
} as const;

describe('provider registry', () => {
  it('has one entry per policy provider value, keyed by it, App Mesh first', () => {
    // Assess
    expect(PROVIDERS.map((p) => p.provider)).toEqual([...MESH_PROVIDERS]);
    for (const [key, entry] of Object.entries(PROVIDER_REGISTRY)) expect(entry.provider).toBe(key);
    expect(PROVIDER_EVENTBRIDGE_SOURCES).toEqual(['aws.appmesh', 'aws.vpc-lattice']);
  });

  it.each(PROVIDERS)('$provider: its patterns pin its own sources', (entry) => {
    // Assess
    for (const named of [entry.patterns.mutations, entry.patterns.routeChanges]) {
      expect(named.pattern.source, named.name).toEqual([entry.eventBridgeSource]);
      expect((named.pattern.detail as { eventSource?: unknown }).eventSource, named.name).toEqual([
        entry.eventSource,
      ]);
    }
  });

  it.each(PROVIDERS)(
    "$provider: its mutations pattern matches its own write and not the other's",
    (entry) => {
      // Prepare
      const [other] = PROVIDERS.filter((p) => p.provider !== entry.provider);

      // Act
      const own = matchesPattern(entry.patterns.mutations.pattern as never, SAMPLES[entry.provider].event());
      const others =
        other === undefined
          ? false
          : matchesPattern(entry.patterns.mutations.pattern as never, SAMPLES[other.provider].event());

      // Assess
      expect(own).toBe(true);
      expect(others).toBe(false);
    },
  );

  it.each(PROVIDERS)('$provider: finds it by source and parses its CloudTrail event, tagged', (entry) => {
    // Act
    const provider = providerOfSource(entry.eventBridgeSource);
    const call = parseProviderApiCall(entry.provider, SAMPLES[entry.provider].event());

    // Assess
    expect(provider).toBe(entry.provider);
    expect(call.provider).toBe(entry.provider);
    expect(call.event.source).toBe(entry.eventBridgeSource);
    expect(call.event.detail.eventSource).toBe(entry.eventSource);
  });

  it.each(PROVIDERS)("$provider: refuses another provider's event with a ValidationError", (entry) => {
    // Prepare
    const other = PROVIDERS.find((p) => p.provider !== entry.provider);
    if (other === undefined) throw new Error('a second provider is needed');

    // Act / Assess
    expect(() => entry.parseApiCall(SAMPLES[other.provider].event())).toThrow(ValidationError);
  });

  it('finds no provider for any other source', () => {
    // Assess
    for (const source of ['aws.s3', 'aws.cloudwatch', 'meshwarden', 'AWS.APPMESH', '', undefined, 7, null]) {
      expect(providerOfSource(source), String(source)).toBeUndefined();
    }
  });

  it.each(PROVIDERS)("$provider: reads its own alarm route tag and refuses the other's", (entry) => {
    // Prepare
    const other = PROVIDERS.find((p) => p.provider !== entry.provider);
    if (other === undefined) throw new Error('a second provider is needed');

    // Act
    const route = entry.routeOfAlarmTag(SAMPLES[entry.provider].routeKey);

    // Assess
    expect(route.provider).toBe(entry.provider);
    expect(() => entry.routeOfAlarmTag(SAMPLES[other.provider].routeKey)).toThrow(BadRequestError);
    expect(() => entry.routeOfAlarmTag('not a route')).toThrow(BadRequestError);
  });
});

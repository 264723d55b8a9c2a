import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../infra/local/protocol/aws-json';
import { paginate } from '../../../infra/local/services/appmesh/pagination';
import {
  gatewayRouteSpec,
  parseLimit,
  routeSpec,
  tagList,
  validate,
  virtualNodeSpec,
  virtualServiceSpec,
} from '../../../infra/local/services/appmesh/validation';

const target = (weight: number) => ({ virtualNode: 'n', weight });
const http = (weightedTargets: unknown[]) => ({
  httpRoute: { match: { prefix: '/' }, action: { weightedTargets } },
});

function errorOf(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
  throw new Error('expected an AwsError');
}

describe('App Mesh validation', () => {
  it('accepts weights 0 and 100 and refuses -1, 101 and 1.5', () => {
    expect(() => validate(routeSpec, http([target(0), target(100)]), 'spec')).not.toThrow();
    for (const weight of [-1, 101, 1.5]) {
      expect(() => validate(routeSpec, http([target(weight)]), 'spec')).toThrow(AwsError);
    }
  });

  it('answers BadRequestException (400) naming each failing path', () => {
    const error = errorOf(() =>
      validate(routeSpec, http([target(101), { virtualNode: '', weight: 1 }]), 'spec'),
    );

    expect(error).toMatchObject({ code: 'BadRequestException', status: 400 });
    expect(error.message).toContain('2 validation errors');
    expect(error.message).toContain('httpRoute.action.weightedTargets[0].weight');
    expect(error.message).toContain('httpRoute.action.weightedTargets[1].virtualNode');
  });

  it('requires exactly one kind of route in a route and a gateway route spec', () => {
    const gwTarget = { target: { virtualService: { virtualServiceName: 's' } } };

    expect(() => validate(routeSpec, {}, 'spec')).toThrow(/got none/);
    expect(() =>
      validate(routeSpec, { ...http([target(1)]), http2Route: http([target(1)]).httpRoute }, 'spec'),
    ).toThrow(/got httpRoute, http2Route/);
    expect(() =>
      validate(gatewayRouteSpec, { grpcRoute: { match: {}, action: gwTarget } }, 'spec'),
    ).not.toThrow();
    expect(() => validate(gatewayRouteSpec, { priority: 1 }, 'spec')).toThrow(AwsError);
  });

  it('checks listener ports, health checks and unions of a virtual node', () => {
    const listener = (port: number) => ({ portMapping: { port, protocol: 'http' } });

    expect(() =>
      validate(virtualNodeSpec, { listeners: [listener(1), listener(65535)] }, 'spec'),
    ).not.toThrow();
    expect(() => validate(virtualNodeSpec, { listeners: [listener(65536)] }, 'spec')).toThrow(
      /portMapping\.port/,
    );
    expect(() =>
      validate(virtualNodeSpec, { listeners: [{ portMapping: { port: 80, protocol: 'udp' } }] }, 'spec'),
    ).toThrow(/protocol/);
    expect(() =>
      validate(
        virtualNodeSpec,
        {
          listeners: [
            {
              ...listener(80),
              healthCheck: {
                protocol: 'http',
                timeoutMillis: 1000,
                intervalMillis: 5000,
                healthyThreshold: 2,
                unhealthyThreshold: 2,
              },
            },
          ],
        },
        'spec',
      ),
    ).toThrow(/timeoutMillis/);
    expect(() =>
      validate(
        virtualNodeSpec,
        {
          serviceDiscovery: { dns: { hostname: 'a' }, awsCloudMap: { namespaceName: 'n', serviceName: 's' } },
        },
        'spec',
      ),
    ).toThrow(/exactly one of dns, awsCloudMap/);
  });

  it('strips members the model does not know', () => {
    const out = validate(
      virtualServiceSpec,
      { provider: { virtualNode: { virtualNodeName: 'n', extra: 1 } }, bogus: true },
      'spec',
    );

    expect(out).toEqual({ provider: { virtualNode: { virtualNodeName: 'n' } } });
  });

  it('limits tags to 50, keys to 128 characters and refuses duplicate keys', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: '' }));

    expect(() => validate(tagList, tags(50), 'tags')).not.toThrow();
    expect(() => validate(tagList, tags(51), 'tags')).toThrow(AwsError);
    expect(() => validate(tagList, [{ key: 'x'.repeat(129), value: 'v' }], 'tags')).toThrow(AwsError);
    expect(() =>
      validate(
        tagList,
        [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
        'tags',
      ),
    ).toThrow(/duplicate tag key/);
  });

  it('parses the limit query parameter strictly', () => {
    expect(parseLimit(null, 100)).toBeUndefined();
    expect(parseLimit('1', 100)).toBe(1);
    expect(parseLimit('100', 100)).toBe(100);
    for (const raw of ['0', '101', '-1', '1.5', 'ten', '', '1e2'])
      expect(() => parseLimit(raw, 100)).toThrow(AwsError);
  });
});

describe('App Mesh pagination', () => {
  const items = ['d', 'a', 'c', 'b', 'e'];
  const page = (nextToken: string | null, scope = 's') =>
    paginate(items, (x) => x, { scope, limit: 2, nextToken, defaultLimit: 100 });

  it('pages in key order and ends without a token', () => {
    const first = page(null);
    const second = page(first.nextToken ?? null);
    const third = page(second.nextToken ?? null);

    expect([first.items, second.items, third.items]).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(third.nextToken).toBeUndefined();
  });

  it('refuses a token of another scope, or garbage', () => {
    const first = page(null);

    expect(() => page(first.nextToken ?? null, 'other')).toThrow(AwsError);
    expect(() => page('%%%')).toThrow(AwsError);
    expect(() => page(Buffer.from('{"s":"s"}').toString('base64url'))).toThrow(AwsError);
  });
});

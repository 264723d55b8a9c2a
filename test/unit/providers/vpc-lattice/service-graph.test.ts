import { describe, expect, it } from 'vitest';
import type { ServiceGraph } from '../../../../shared/domain/service-graph';
import {
  latticeCallersOf,
  latticeListenersOf,
  latticeRouteOf,
  latticeServiceGraph,
} from '../../../../shared/providers/vpc-lattice/service-graph';
import {
  ARN,
  authPolicy,
  FRONTEND_ROLE,
  forward,
  listener,
  network,
  rule,
  service,
  WEB_CERT,
} from '../../policy/lattice/fixtures';

// web: HTTPS with a custom domain certificate, a canary rule and a default action with one
// unweighted target group; api: HTTPS with Lattice's own certificate and plain HTTP, a fixed
// response, and an auth policy that is not JSON. The network lets anyone in.
function prodNet() {
  return network(
    [
      service('web', {
        certificateArn: WEB_CERT,
        customDomainName: 'web.example.com',
        authPolicy: authPolicy([FRONTEND_ROLE]),
        listeners: [
          listener('https', 'HTTPS', [
            rule('default', forward(['tg-web-v1', undefined])),
            rule(
              'canary',
              forward([`${ARN}:targetgroup/tg-web-v1`, 90], ['tg-web-v2', 10], ['tg-web-v3', undefined]),
            ),
          ]),
        ],
      }),
      service('api', {
        authPolicy: 'not json',
        listeners: [
          listener('https', 'HTTPS', [rule('default', { fixedResponse: { statusCode: 404 } })]),
          listener('http', 'HTTP', []),
        ],
      }),
    ],
    { authPolicy: authPolicy('*') },
  );
}

describe('latticeServiceGraph', () => {
  it('maps a service network into services, routes, targets, listeners, callers and certificates in use', () => {
    // Prepare
    const input = prodNet();

    // Act
    const graph = latticeServiceGraph(input);

    // Assess
    const expected: ServiceGraph = {
      provider: 'vpc-lattice',
      scope: 'prod-net',
      services: [
        {
          key: 'prod-net/service/web',
          name: 'web',
          routedBy: ['prod-net/listener/web/https'],
          servedBy: [],
        },
        {
          key: 'prod-net/service/api',
          name: 'api',
          routedBy: ['prod-net/listener/api/https', 'prod-net/listener/api/http'],
          servedBy: [],
        },
      ],
      routes: [
        {
          key: 'prod-net/rule/web/https/default',
          label: 'the default action of listener https of service web',
          parent: 'prod-net/listener/web/https',
          // A lone target group without a weight gets Lattice's default of 100.
          targets: [{ target: 'tg-web-v1', weight: 100 }],
        },
        {
          key: 'prod-net/rule/web/https/canary',
          label: 'rule canary of listener https of service web',
          parent: 'prod-net/listener/web/https',
          // An ARN is named by its id; among several, an unweighted target group gets 0.
          targets: [
            { target: 'tg-web-v1', weight: 90 },
            { target: 'tg-web-v2', weight: 10 },
            { target: 'tg-web-v3', weight: 0 },
          ],
        },
        {
          key: 'prod-net/rule/api/https/default',
          label: 'the default action of listener https of service api',
          parent: 'prod-net/listener/api/https',
          targets: [],
        },
      ],
      targets: [
        { key: `${ARN}:targetgroup/tg-web-v1`, name: 'tg-web-v1' },
        { key: `${ARN}:targetgroup/tg-web-v2`, name: 'tg-web-v2' },
      ],
      listeners: [
        {
          owner: 'prod-net/service/web',
          label: 'listener https (HTTPS:443) of service web',
          port: 443,
          protocol: 'HTTPS',
          tls: { mode: undefined, certificate: { source: 'acm', arn: WEB_CERT } },
        },
        {
          owner: 'prod-net/service/api',
          label: 'listener https (HTTPS:443) of service api',
          port: 443,
          protocol: 'HTTPS',
          tls: { mode: undefined, certificate: { source: 'provider-default', provider: 'VPC Lattice' } },
        },
        {
          owner: 'prod-net/service/api',
          label: 'listener http (HTTP:80) of service api',
          port: 80,
          protocol: 'HTTP',
        },
      ],
      callers: [
        { caller: undefined, service: undefined, declaredBy: 'prod-net/service-network' },
        { caller: FRONTEND_ROLE, service: 'web', declaredBy: 'prod-net/service/web' },
      ],
      unreadableCallers: [
        { declaredBy: 'prod-net/service/api', reason: expect.stringMatching(/^is not JSON \(/) },
      ],
      certificates: [
        { arn: WEB_CERT, usedBy: 'prod-net/service/web', port: 443, serverName: 'web.example.com' },
      ],
    };
    expect(graph).toEqual(expected);
  });

  it('maps each element on its own exactly as in the whole graph', () => {
    // Prepare
    const input = prodNet();
    const graph = latticeServiceGraph(input);

    // Act
    const routes = input.services.flatMap((s) =>
      s.listeners.flatMap((l) => l.rules.map((r) => latticeRouteOf('prod-net', s, l, r))),
    );
    const listeners = input.services.flatMap((s) => latticeListenersOf('prod-net', s));
    const web = latticeCallersOf('prod-net', { kind: 'service', service: input.services[0] ?? service('x') });

    // Assess
    expect(routes).toEqual(graph.routes);
    expect(listeners).toEqual(graph.listeners);
    expect(web).toEqual({ edges: [graph.callers[1]], unreadable: undefined });
  });

  it('lists a custom-domain certificate once for the service when no HTTPS listener serves it', () => {
    // Prepare
    const input = network([
      service('tls', {
        certificateArn: WEB_CERT,
        listeners: [listener('passthrough', 'TLS_PASSTHROUGH', [])],
      }),
    ]);

    // Act
    const graph = latticeServiceGraph(input);

    // Assess
    expect(graph.certificates).toEqual([{ arn: WEB_CERT, usedBy: 'prod-net/service/tls' }]);
    expect(graph.listeners[0]?.tls).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { networkGraph, networkResources } from '../../../shared/console-api/network-graph';
import { latticeServiceGraph } from '../../../shared/providers/vpc-lattice/service-graph';
import { forward, listener, network, rule, service } from '../policy/lattice/fixtures';

describe('the service network graph of the HTTP API', () => {
  it('nests rules under listeners under services, with route keys and weighted target groups', () => {
    // Prepare: web has a canary rule beside its default action; api answers with a fixed response
    const snapshot = network([
      service('web', {
        listeners: [
          listener('http', 'HTTP', [
            rule('default', forward(['tg-web-v1', undefined])),
            rule('web-canary', forward(['tg-web-v1', 90], ['tg-web-v2', 10])),
          ]),
        ],
      }),
      service('api', {
        listeners: [listener('https', 'HTTPS', [rule('default', { fixedResponse: { statusCode: 404 } })])],
      }),
    ]);

    // Act
    const graph = networkGraph(latticeServiceGraph(snapshot));

    // Assess
    expect(graph).toEqual({
      provider: 'vpc-lattice',
      network: 'prod-net',
      services: [
        {
          name: 'web',
          listeners: [
            {
              name: 'http',
              rules: [
                {
                  name: 'default',
                  routeKey: 'prod-net/web/http/default',
                  targets: [{ targetGroup: 'tg-web-v1', weight: 100 }],
                },
                {
                  name: 'web-canary',
                  routeKey: 'prod-net/web/http/web-canary',
                  targets: [
                    { targetGroup: 'tg-web-v1', weight: 90 },
                    { targetGroup: 'tg-web-v2', weight: 10 },
                  ],
                },
              ],
            },
          ],
        },
        {
          name: 'api',
          listeners: [
            {
              name: 'https',
              rules: [{ name: 'default', routeKey: 'prod-net/api/https/default', targets: [] }],
            },
          ],
        },
      ],
      targetGroups: snapshot.targetGroups.map((t) => t.id),
    });
    expect(networkResources(latticeServiceGraph(snapshot))).toEqual([
      { key: 'prod-net/service/web', kind: 'service' },
      { key: 'prod-net/service/api', kind: 'service' },
      { key: 'prod-net/listener/web/http', kind: 'listener' },
      { key: 'prod-net/listener/api/https', kind: 'listener' },
      { key: 'prod-net/rule/web/http/default', kind: 'rule' },
      { key: 'prod-net/rule/web/http/web-canary', kind: 'rule' },
      { key: 'prod-net/rule/api/https/default', kind: 'rule' },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { formatRouteId, parseRouteId } from '../../../../shared/domain/weighted-route';
import { BadRequestError } from '../../../../shared/errors';
import { latticeAlarmTag, latticeRouteOfTag } from '../../../../shared/providers/vpc-lattice/alarm-binding';
import { addressOfArn, idOf, ruleAddressOfArn } from '../../../../shared/providers/vpc-lattice/arns';
import {
  forwardWeights,
  weightedRoutesOf,
  withForwardWeights,
} from '../../../../shared/providers/vpc-lattice/mapping';
import type {
  LatticeRuleState,
  LatticeServiceNetworkSnapshot,
} from '../../../../shared/providers/vpc-lattice/model';

const ARN = 'arn:aws:vpc-lattice:us-east-1:123456789012';
const TG1 = 'tg-00000000000000001';
const TG2 = 'tg-00000000000000002';

function rule(name: string, isDefault: boolean, action: LatticeRuleState['action']): LatticeRuleState {
  return {
    address: {
      serviceId: 'svc-1',
      listenerId: 'listener-1',
      ...(isDefault ? {} : { ruleId: `rule-${name}` }),
    },
    arn: isDefault
      ? `${ARN}:service/svc-1/listener/listener-1`
      : `${ARN}:service/svc-1/listener/listener-1/rule/rule-${name}`,
    name,
    isDefault,
    match: undefined,
    priority: isDefault ? undefined : 10,
    action,
    lastUpdatedAt: undefined,
  };
}

describe('VPC Lattice mapping', () => {
  it('reads a forward action as weights per target group id, whether the rule holds ids or ARNs', () => {
    // Act
    const weights = forwardWeights({
      forward: {
        targetGroups: [
          { targetGroupIdentifier: TG1, weight: 90 },
          { targetGroupIdentifier: `${ARN}:targetgroup/${TG2}`, weight: 10 },
        ],
      },
    });

    // Assess
    expect(weights).toEqual({ [TG1]: 90, [TG2]: 10 });
  });

  it('gives a lone target group without a weight Lattice default of 100; no forward or a twice-listed group is no route', () => {
    expect(forwardWeights({ forward: { targetGroups: [{ targetGroupIdentifier: TG1 }] } })).toEqual({
      [TG1]: 100,
    });
    expect(forwardWeights({ fixedResponse: { statusCode: 404 } })).toBeUndefined();
    expect(
      forwardWeights({
        forward: {
          targetGroups: [
            { targetGroupIdentifier: TG1, weight: 1 },
            { targetGroupIdentifier: `${ARN}:targetgroup/${TG1}`, weight: 2 },
          ],
        },
      }),
    ).toBeUndefined();
  });

  it('replaces only the weights, keeping each identifier as the rule holds it; unnamed groups get 0', () => {
    // Prepare
    const action = {
      forward: {
        targetGroups: [
          { targetGroupIdentifier: `${ARN}:targetgroup/${TG1}`, weight: 90 },
          { targetGroupIdentifier: TG2, weight: 10 },
          { targetGroupIdentifier: 'tg-00000000000000003', weight: 5 },
        ],
      },
    };

    // Act
    const written = withForwardWeights(action, { [TG1]: 999, [TG2]: 0 });

    // Assess
    expect(written).toEqual({
      forward: {
        targetGroups: [
          { targetGroupIdentifier: `${ARN}:targetgroup/${TG1}`, weight: 999 },
          { targetGroupIdentifier: TG2, weight: 0 },
          { targetGroupIdentifier: 'tg-00000000000000003', weight: 0 },
        ],
      },
    });
    expect(action.forward.targetGroups[0]?.weight).toBe(90);
  });

  it('refuses weights outside 0..999 and a rule that does not forward, writing nothing', () => {
    const action = { forward: { targetGroups: [{ targetGroupIdentifier: TG1, weight: 1 }] } };
    expect(() => withForwardWeights(action, { [TG1]: 1000 })).toThrow(BadRequestError);
    expect(() => withForwardWeights(action, { [TG1]: 1.5 })).toThrow("outside VPC Lattice's 0..999");
    expect(() => withForwardWeights({ fixedResponse: { statusCode: 503 } }, { [TG1]: 1 })).toThrow(
      'without a forward action',
    );
  });

  it('maps a service network: each forwarding rule and default action is a route keyed by names', () => {
    // Prepare
    const forward = {
      forward: {
        targetGroups: [
          { targetGroupIdentifier: TG1, weight: 90 },
          { targetGroupIdentifier: TG2, weight: 10 },
        ],
      },
    };
    const snapshot: LatticeServiceNetworkSnapshot = {
      id: 'sn-1',
      arn: `${ARN}:servicenetwork/sn-1`,
      name: 'prod-net',
      takenAt: '2026-12-06T06:00:00.000Z',
      authType: 'NONE',
      authPolicy: undefined,
      vpcAssociations: [],
      targetGroups: [],
      services: [
        {
          id: 'svc-1',
          arn: `${ARN}:service/svc-1`,
          name: 'web',
          authType: 'NONE',
          certificateArn: undefined,
          customDomainName: undefined,
          authPolicy: undefined,
          listeners: [
            {
              id: 'listener-1',
              arn: `${ARN}:service/svc-1/listener/listener-1`,
              name: 'http',
              protocol: 'HTTP',
              port: 80,
              rules: [
                rule('default', true, forward),
                rule('web-canary', false, forward),
                rule('maintenance', false, { fixedResponse: { statusCode: 503 } }),
                rule('default', false, forward),
              ],
            },
          ],
        },
      ],
    };

    // Act
    const { routes, collisions } = weightedRoutesOf(snapshot);

    // Assess
    expect(routes.map((r) => formatRouteId(r.id))).toEqual([
      'prod-net/web/http/default',
      'prod-net/web/http/web-canary',
    ]);
    expect(routes[1]?.weights).toEqual({ [TG1]: 90, [TG2]: 10 });
    expect(routes[1]?.arn).toBe(`${ARN}:service/svc-1/listener/listener-1/rule/rule-web-canary`);
    expect(collisions).toEqual([`${ARN}:service/svc-1/listener/listener-1/rule/rule-default`]);
  });
});

describe('VPC Lattice ids', () => {
  it('reads the ids a rule, listener or service ARN carries, and nothing else', () => {
    expect(ruleAddressOfArn(`${ARN}:service/svc-1/listener/listener-2/rule/rule-3`)).toEqual({
      serviceId: 'svc-1',
      listenerId: 'listener-2',
      ruleId: 'rule-3',
    });
    expect(ruleAddressOfArn(`${ARN}:service/svc-1/listener/listener-2`)).toEqual({
      serviceId: 'svc-1',
      listenerId: 'listener-2',
    });
    expect(ruleAddressOfArn(`${ARN}:service/svc-1`)).toBeUndefined();
    expect(addressOfArn(`${ARN}:targetgroup/${TG1}`)).toBeUndefined();
    expect(addressOfArn('arn:aws:appmesh:us-east-1:123456789012:mesh/prod')).toBeUndefined();
    expect(idOf(`${ARN}:service/svc-1/listener/listener-2`)).toBe('listener-2');
    expect(idOf('svc-1')).toBe('svc-1');
  });

  it('tells App Mesh and Lattice route keys apart by their shape, and says what a bad key should be', () => {
    expect(parseRouteId('prod/web-router/web-route')).toEqual({
      provider: 'appmesh',
      meshName: 'prod',
      virtualRouterName: 'web-router',
      routeName: 'web-route',
    });
    expect(parseRouteId('prod-net/web/http/default')).toEqual({
      provider: 'vpc-lattice',
      serviceNetwork: 'prod-net',
      service: 'web',
      listener: 'http',
      rule: 'default',
    });
    expect(() => parseRouteId('prod-net/Web/http/x')).toThrow(
      '<service-network>/<service>/<listener>/<rule>',
    );
    expect(() => parseRouteId('a/b')).toThrow(BadRequestError);
  });
});

describe('VPC Lattice alarm binding', () => {
  it('tags an alarm with the rule by names, and reads such a tag back; an App Mesh key is refused', () => {
    // Act
    const tag = latticeAlarmTag({
      serviceNetwork: 'prod-net',
      service: 'web',
      listener: 'http',
      rule: 'default',
    });

    // Assess
    expect(tag).toEqual({ Key: 'meshwarden:route', Value: 'prod-net/web/http/default' });
    expect(latticeRouteOfTag(tag.Value)).toMatchObject({ provider: 'vpc-lattice', rule: 'default' });
    expect(() => latticeRouteOfTag('prod/web-router/web-route')).toThrow('names an App Mesh route');
  });
});

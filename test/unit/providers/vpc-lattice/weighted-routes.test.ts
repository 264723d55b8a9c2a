import {
  GetListenerCommand,
  GetRuleCommand,
  GetServiceCommand,
  ListServiceNetworkServiceAssociationsCommand,
  UpdateRuleCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../../infra/local/bus/pattern';
import { formatRouteId, parseRouteId } from '../../../../shared/domain/weighted-route';
import type { ChangedRoute } from '../../../../shared/ports';
import { LatticeAdapter } from '../../../../shared/providers/vpc-lattice/adapter';
import { createLatticeClient } from '../../../../shared/providers/vpc-lattice/client';
import { latticeRouteChangesPattern } from '../../../../shared/providers/vpc-lattice/patterns';
import { createLatticeRoutes } from '../../../../shared/providers/vpc-lattice/weighted-routes';
import { loadEvent } from '../../../support/sample-events';

const lattice = mockClient(VPCLatticeClient);
const ARN = 'arn:aws:vpc-lattice:us-east-1:123456789012';
const SVC = 'svc-0123456789abcdef0';
const LISTENER = 'listener-0123456789abcdef0';
const RULE = 'rule-0123456789abcdef0';
const RULE_ARN = `${ARN}:service/${SVC}/listener/${LISTENER}/rule/${RULE}`;
const TG1 = 'tg-00000000000000001';
const TG2 = 'tg-00000000000000002';
const KEY = 'prod-net/web/http/web-canary';
const match = { httpMatch: { pathMatch: { match: { prefix: '/' }, caseSensitive: false } } };
const forward = (v1: number, v2: number) => ({
  forward: {
    targetGroups: [
      { targetGroupIdentifier: TG1, weight: v1 },
      { targetGroupIdentifier: TG2, weight: v2 },
    ],
  },
});

function routes(serviceNetworks = ['prod-net']) {
  return createLatticeRoutes(new LatticeAdapter(createLatticeClient({ region: 'us-east-1' })), {
    serviceNetworks,
  });
}

beforeEach(() => {
  lattice.reset();
  lattice.on(GetRuleCommand).resolves({
    arn: RULE_ARN,
    id: RULE,
    name: 'web-canary',
    isDefault: false,
    priority: 10,
    match,
    action: forward(10, 90),
    lastUpdatedAt: new Date('2026-12-06T06:10:00.000Z'),
  });
});

describe('the WeightedRoutes port on VPC Lattice', () => {
  it('reads a recorded rule with one GetRule by its ARN: weights per target group, the update time as version', async () => {
    // Act
    const route = await routes().read({ id: parseRouteId(KEY), arn: RULE_ARN });

    // Assess
    expect(lattice.calls()).toHaveLength(1);
    expect(route).toMatchObject({
      arn: RULE_ARN,
      weights: { [TG1]: 10, [TG2]: 90 },
      version: '2026-12-06T06:10:00.000Z',
    });
    expect(formatRouteId(route?.id ?? parseRouteId('a/b/c'))).toBe(KEY);
  });

  it('writes new weights with one UpdateRule keeping match and priority, and cannot tell a race', async () => {
    // Prepare
    lattice.on(UpdateRuleCommand).callsFake((input) => ({ arn: RULE_ARN, ...input }));
    const port = routes();
    const read = await port.read({ id: parseRouteId(KEY), arn: RULE_ARN });
    if (read === undefined) throw new Error('no rule');
    lattice.resetHistory();

    // Act
    const written = await port.writeWeights(read, { [TG1]: 100, [TG2]: 0 }, { clientToken: 'mw-x' });

    // Assess
    expect(lattice.calls()).toHaveLength(1);
    expect(lattice.commandCalls(UpdateRuleCommand)[0]?.args[0].input).toEqual({
      serviceIdentifier: SVC,
      listenerIdentifier: LISTENER,
      ruleIdentifier: RULE,
      match,
      priority: 10,
      action: forward(100, 0),
    });
    expect(written.route.weights).toEqual({ [TG1]: 100, [TG2]: 0 });
    expect(written.followsRead).toBeUndefined();
  });

  it('names the routes an UpdateRule changed: one per governed service network of its service', async () => {
    // Prepare
    const event = loadEvent('vpc-lattice/update-rule');
    lattice.on(GetServiceCommand).resolves({ name: 'web' });
    lattice.on(GetListenerCommand).resolves({ name: 'http' });
    lattice.on(ListServiceNetworkServiceAssociationsCommand).resolves({
      items: [{ serviceNetworkName: 'staging-net' }, { serviceNetworkName: 'prod-net' }],
    });

    // Act
    const changed = await routes().routesChangedBy(event.detail);

    // Assess: staging-net is not governed.
    expect(changed).toHaveLength(1);
    const [only] = changed as Exclude<ChangedRoute, { operation: 'delete' }>[];
    expect(only?.operation).toBe('update');
    expect(formatRouteId(only?.ref.id ?? parseRouteId('a/b/c'))).toBe(KEY);
    expect(only?.ref.arn).toBe(RULE_ARN);
  });

  it('says a deleted listener covers its rules and default action, not another listener', async () => {
    // Prepare
    const event = loadEvent('vpc-lattice/update-rule');
    event.detail.eventName = 'DeleteListener';
    event.detail.requestParameters = { serviceIdentifier: SVC, listenerIdentifier: LISTENER };
    event.detail.responseElements = null;

    // Act
    const [change] = await routes().routesChangedBy(event.detail);

    // Assess
    if (change?.operation !== 'delete') throw new Error('expected a delete');
    expect(change.covers(RULE_ARN)).toBe(true);
    expect(change.covers(`${ARN}:service/${SVC}/listener/${LISTENER}`)).toBe(true);
    expect(change.covers(`${ARN}:service/${SVC}/listener/listener-other000000000/rule/${RULE}`)).toBe(false);
    expect(lattice.calls()).toHaveLength(0);
  });

  it('ignores a failed call and a rule of no governed service network', async () => {
    // Prepare
    const failed = loadEvent('vpc-lattice/update-rule');
    failed.detail.errorCode = 'AccessDeniedException';
    lattice.on(GetServiceCommand).resolves({ name: 'web' });
    lattice.on(GetListenerCommand).resolves({ name: 'http' });
    lattice
      .on(ListServiceNetworkServiceAssociationsCommand)
      .resolves({ items: [{ serviceNetworkName: 'dev-net' }] });

    // Act + Assess
    expect(await routes().routesChangedBy(failed.detail)).toEqual([]);
    expect(await routes().routesChangedBy(loadEvent('vpc-lattice/update-rule').detail)).toEqual([]);
  });
});

describe('the VPC Lattice route-change pattern', () => {
  it('matches a successful UpdateRule on the bus, not a failed one nor a read', () => {
    // Prepare
    const ok = loadEvent('vpc-lattice/update-rule');
    const failed = loadEvent('vpc-lattice/update-rule');
    failed.detail.errorCode = 'ValidationException';
    const read = loadEvent('vpc-lattice/update-rule');
    read.detail.eventName = 'GetRule';

    // Act + Assess
    expect(matchesPattern(latticeRouteChangesPattern.pattern as never, ok)).toBe(true);
    expect(matchesPattern(latticeRouteChangesPattern.pattern as never, failed)).toBe(false);
    expect(matchesPattern(latticeRouteChangesPattern.pattern as never, read)).toBe(false);
  });
});

describe('what a Lattice rule write wrote, as its CloudTrail record says', () => {
  beforeEach(() => {
    lattice.on(GetServiceCommand).resolves({ name: 'web' });
    lattice.on(GetListenerCommand).resolves({ name: 'http' });
    lattice
      .on(ListServiceNetworkServiceAssociationsCommand)
      .resolves({ items: [{ serviceNetworkName: 'prod-net' }] });
  });

  it("carries an UpdateRule's answered weights, whatever the rule holds now", async () => {
    // Prepare: the record says 30/70 was written; the rule holds 10/90 (a later write).
    const event = loadEvent('vpc-lattice/update-rule');
    (event.detail.responseElements as Record<string, unknown>).action = forward(30, 70);

    // Act
    const [change] = await routes().routesChangedBy(event.detail);

    // Assess
    if (change?.operation !== 'update') throw new Error('expected an update');
    expect(change.written).toEqual({ [TG1]: 30, [TG2]: 70 });
  });

  it("carries each rule's answered weights of a BatchUpdateRule, found by id or ARN", async () => {
    // Prepare
    const event = loadEvent('vpc-lattice/update-rule');
    event.detail.eventName = 'BatchUpdateRule';
    event.detail.requestParameters = {
      serviceIdentifier: SVC,
      listenerIdentifier: LISTENER,
      rules: [{ ruleIdentifier: RULE_ARN }],
    };
    event.detail.responseElements = {
      successful: [{ arn: RULE_ARN, action: forward(40, 60) }],
      unsuccessful: [],
    };

    // Act
    const [change] = await routes().routesChangedBy(event.detail);

    // Assess
    if (change?.operation !== 'update') throw new Error('expected an update');
    expect(change.written).toEqual({ [TG1]: 40, [TG2]: 60 });
  });

  it('says nothing was written when the answer is missing or not a weighted forward', async () => {
    // Prepare
    const malformed = loadEvent('vpc-lattice/update-rule');
    (malformed.detail.responseElements as Record<string, unknown>).action = {
      forward: { targetGroups: [{ targetGroupIdentifier: TG1, weight: '10' }] },
    };
    const missing = loadEvent('vpc-lattice/update-rule');
    missing.detail.responseElements = null;

    // Act
    const changes = [
      ...(await routes().routesChangedBy(malformed.detail)),
      ...(await routes().routesChangedBy(missing.detail)),
    ];

    // Assess: both still name the rule; neither claims weights.
    expect(changes).toHaveLength(2);
    for (const change of changes) {
      if (change.operation !== 'update') throw new Error('expected an update');
      expect(change.written).toBeUndefined();
    }
  });
});

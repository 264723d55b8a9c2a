import {
  GetAuthPolicyCommand,
  GetListenerCommand,
  GetRuleCommand,
  GetServiceCommand,
  GetServiceNetworkCommand,
  GetTargetGroupCommand,
  ListListenersCommand,
  ListRulesCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServiceNetworksCommand,
  ListServiceNetworkVpcAssociationsCommand,
  ResourceNotFoundException,
  ThrottlingException,
  UpdateListenerCommand,
  UpdateRuleCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError, ThrottledError } from '../../../../shared/errors';
import { LatticeAdapter } from '../../../../shared/providers/vpc-lattice/adapter';
import { createLatticeClient } from '../../../../shared/providers/vpc-lattice/client';
import { toDomainError } from '../../../../shared/providers/vpc-lattice/errors';

const lattice = mockClient(VPCLatticeClient);
const ARN = 'arn:aws:vpc-lattice:us-east-1:123456789012';
const SVC = 'svc-0123456789abcdef0';
const LISTENER = 'listener-0123456789abcdef0';
const RULE = 'rule-0123456789abcdef0';
const RULE_ARN = `${ARN}:service/${SVC}/listener/${LISTENER}/rule/${RULE}`;
const forward = (v1: number, v2: number) => ({
  forward: {
    targetGroups: [
      { targetGroupIdentifier: 'tg-00000000000000001', weight: v1 },
      { targetGroupIdentifier: 'tg-00000000000000002', weight: v2 },
    ],
  },
});
const match = { httpMatch: { pathMatch: { match: { prefix: '/' }, caseSensitive: false } } };

function adapter() {
  return new LatticeAdapter(createLatticeClient({ region: 'us-east-1' }), {
    now: () => new Date('2026-12-06T06:00:00.000Z'),
  });
}

beforeEach(() => lattice.reset());

describe('LatticeAdapter.readRule', () => {
  it('reads a rule with exactly one GetRule, keeping match, priority and the update time', async () => {
    // Prepare
    lattice.on(GetRuleCommand).resolves({
      arn: RULE_ARN,
      id: RULE,
      name: 'web-canary',
      isDefault: false,
      priority: 10,
      match,
      action: forward(90, 10),
      lastUpdatedAt: new Date('2026-12-06T05:00:00.000Z'),
    });

    // Act
    const rule = await adapter().readRule({ serviceId: SVC, listenerId: LISTENER, ruleId: RULE });

    // Assess
    expect(lattice.calls()).toHaveLength(1);
    expect(lattice.commandCalls(GetRuleCommand)[0]?.args[0].input).toEqual({
      serviceIdentifier: SVC,
      listenerIdentifier: LISTENER,
      ruleIdentifier: RULE,
    });
    expect(rule).toMatchObject({
      arn: RULE_ARN,
      name: 'web-canary',
      isDefault: false,
      priority: 10,
      match,
      action: forward(90, 10),
      lastUpdatedAt: '2026-12-06T05:00:00.000Z',
    });
  });

  it('reads a default action with one GetListener, and a gone rule as undefined', async () => {
    // Prepare
    lattice.on(GetListenerCommand).resolves({
      arn: `${ARN}:service/${SVC}/listener/${LISTENER}`,
      name: 'http',
      defaultAction: forward(100, 0),
    });
    lattice
      .on(GetRuleCommand)
      .rejects(new ResourceNotFoundException({ message: 'no rule', $metadata: {} } as never));

    // Act
    const fallback = await adapter().readRule({ serviceId: SVC, listenerId: LISTENER });
    const gone = await adapter().readRule({ serviceId: SVC, listenerId: LISTENER, ruleId: RULE });

    // Assess
    expect(fallback).toMatchObject({ isDefault: true, name: 'default', action: forward(100, 0) });
    expect(fallback?.address.ruleId).toBeUndefined();
    expect(gone).toBeUndefined();
    expect(lattice.calls()).toHaveLength(2);
  });
});

describe('LatticeAdapter.writeRule', () => {
  it('sends UpdateRule with the match and priority as read and the new action, nothing else', async () => {
    // Prepare
    lattice.on(UpdateRuleCommand).resolves({ arn: RULE_ARN, priority: 10, match, action: forward(0, 100) });
    const read = {
      address: { serviceId: SVC, listenerId: LISTENER, ruleId: RULE },
      arn: RULE_ARN,
      name: 'web-canary',
      isDefault: false,
      match,
      priority: 10,
      action: forward(90, 10),
      lastUpdatedAt: '2026-12-06T05:00:00.000Z',
    };

    // Act
    const written = await adapter().writeRule(read, forward(0, 100));

    // Assess
    expect(lattice.calls()).toHaveLength(1);
    expect(lattice.commandCalls(UpdateRuleCommand)[0]?.args[0].input).toEqual({
      serviceIdentifier: SVC,
      listenerIdentifier: LISTENER,
      ruleIdentifier: RULE,
      match,
      priority: 10,
      action: forward(0, 100),
    });
    expect(written.action).toEqual(forward(0, 100));
    expect(written.lastUpdatedAt).toBeUndefined();
  });

  it('writes a default action with UpdateListener (UpdateRule cannot change a default rule)', async () => {
    // Prepare
    lattice.on(UpdateListenerCommand).resolves({});
    const read = {
      address: { serviceId: SVC, listenerId: LISTENER },
      arn: `${ARN}:service/${SVC}/listener/${LISTENER}`,
      name: 'default',
      isDefault: true,
      match: undefined,
      priority: undefined,
      action: forward(90, 10),
      lastUpdatedAt: undefined,
    };

    // Act
    await adapter().writeRule(read, forward(100, 0));

    // Assess
    expect(lattice.commandCalls(UpdateRuleCommand)).toHaveLength(0);
    expect(lattice.commandCalls(UpdateListenerCommand)[0]?.args[0].input).toEqual({
      serviceIdentifier: SVC,
      listenerIdentifier: LISTENER,
      defaultAction: forward(100, 0),
    });
  });

  it('turns Lattice errors into domain errors saying what was attempted', async () => {
    // Prepare
    lattice
      .on(UpdateRuleCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} } as never));
    const read = {
      address: { serviceId: SVC, listenerId: LISTENER, ruleId: RULE },
      arn: RULE_ARN,
      name: 'web-canary',
      isDefault: false,
      match,
      priority: 10,
      action: forward(90, 10),
      lastUpdatedAt: undefined,
    };

    // Act
    const failure = adapter().writeRule(read, forward(0, 100));

    // Assess
    await expect(failure).rejects.toBeInstanceOf(ThrottledError);
    await expect(failure).rejects.toThrow(`VPC Lattice UpdateRule ${SVC}/${LISTENER}/${RULE} failed`);
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' });
    expect(toDomainError(denied, 'GetRule x')).toBeInstanceOf(ForbiddenError);
  });
});

describe('LatticeAdapter.readServiceNetwork', () => {
  it('reads a service network whole across every page: services, listeners, rules, target groups, policies, associations', async () => {
    // Prepare: two pages of networks, two pages of service associations, two pages of rules.
    lattice
      .on(ListServiceNetworksCommand, { nextToken: undefined })
      .resolves({ items: [{ id: 'sn-0000000000000000a', name: 'other-net' }], nextToken: 'n2' })
      .on(ListServiceNetworksCommand, { nextToken: 'n2' })
      .resolves({
        items: [
          { id: 'sn-0000000000000000b', arn: `${ARN}:servicenetwork/sn-0000000000000000b`, name: 'prod-net' },
        ],
      });
    lattice.on(GetServiceNetworkCommand).resolves({ authType: 'AWS_IAM' });
    lattice
      .on(ListServiceNetworkServiceAssociationsCommand, { nextToken: undefined })
      .resolves({
        items: [{ serviceId: SVC, serviceArn: `${ARN}:service/${SVC}`, serviceName: 'web' }],
        nextToken: 'a2',
      })
      .on(ListServiceNetworkServiceAssociationsCommand, { nextToken: 'a2' })
      .resolves({
        items: [
          { serviceId: 'svc-gone0000000000000', serviceArn: `${ARN}:service/svc-gone`, serviceName: 'gone' },
        ],
      });
    lattice
      .on(ListServiceNetworkVpcAssociationsCommand)
      .resolves({ items: [{ id: 'snva-1', vpcId: 'vpc-1' }] });
    lattice.on(GetServiceCommand).resolves({
      name: 'web',
      authType: 'AWS_IAM',
      customDomainName: 'web.example.internal',
      certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/web',
    });
    lattice
      .on(GetAuthPolicyCommand, { resourceIdentifier: 'sn-0000000000000000b' })
      .resolves({ policy: '{"Version":"2012-10-17"}' })
      .on(GetAuthPolicyCommand, { resourceIdentifier: SVC })
      .rejects(new ResourceNotFoundException({ message: 'none', $metadata: {} } as never));
    lattice
      .on(ListListenersCommand, { serviceIdentifier: 'svc-gone0000000000000' })
      .rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} } as never));
    lattice
      .on(ListListenersCommand, { serviceIdentifier: SVC })
      .resolves({ items: [{ id: LISTENER, name: 'http' }] });
    lattice.on(GetListenerCommand).resolves({
      arn: `${ARN}:service/${SVC}/listener/${LISTENER}`,
      name: 'http',
      protocol: 'HTTP',
      port: 80,
      defaultAction: { fixedResponse: { statusCode: 404 } },
    });
    lattice
      .on(ListRulesCommand, { nextToken: undefined })
      .resolves({ items: [{ id: 'rule-default', isDefault: true, name: 'default' }], nextToken: 'r2' })
      .on(ListRulesCommand, { nextToken: 'r2' })
      .resolves({ items: [{ id: RULE, isDefault: false, name: 'web-canary' }] });
    lattice
      .on(GetRuleCommand)
      .resolves({ arn: RULE_ARN, name: 'web-canary', priority: 10, match, action: forward(90, 10) });
    lattice.on(GetTargetGroupCommand).callsFake((input: { targetGroupIdentifier: string }) => ({
      arn: `${ARN}:targetgroup/${input.targetGroupIdentifier}`,
      name: input.targetGroupIdentifier.endsWith('1') ? 'web-v1' : 'web-v2',
      type: 'IP',
    }));

    // Act
    const network = await adapter().readServiceNetwork('prod-net');

    // Assess
    expect(network).toMatchObject({
      id: 'sn-0000000000000000b',
      name: 'prod-net',
      authType: 'AWS_IAM',
      authPolicy: '{"Version":"2012-10-17"}',
      takenAt: '2026-12-06T06:00:00.000Z',
      vpcAssociations: [{ id: 'snva-1', vpcId: 'vpc-1' }],
    });
    expect(network.services.map((s) => s.name)).toEqual(['web']);
    expect(network.services[0]).toMatchObject({
      authType: 'AWS_IAM',
      customDomainName: 'web.example.internal',
      certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/web',
      authPolicy: undefined,
    });
    const listener = network.services[0]?.listeners[0];
    expect(listener?.name).toBe('http');
    expect(listener?.rules.map((r) => [r.name, r.isDefault])).toEqual([
      ['default', true],
      ['web-canary', false],
    ]);
    expect(network.targetGroups.map((t) => [t.id, t.name])).toEqual([
      ['tg-00000000000000001', 'web-v1'],
      ['tg-00000000000000002', 'web-v2'],
    ]);
    expect(lattice.commandCalls(ListRulesCommand)).toHaveLength(2);
  });

  it('says which service network does not exist', async () => {
    // Prepare
    lattice.on(ListServiceNetworksCommand).resolves({ items: [] });

    // Act + Assess
    await expect(adapter().readServiceNetwork('nope-net')).rejects.toBeInstanceOf(NotFoundError);
    await expect(adapter().readServiceNetwork('nope-net')).rejects.toThrow(
      'service network nope-net does not exist',
    );
  });
});

describe('LatticeAdapter names', () => {
  it('resolves a service name once: Lattice names never change', async () => {
    // Prepare
    lattice.on(GetServiceCommand).resolves({ name: 'web' });
    const a = adapter();

    // Act
    const first = await a.serviceName(SVC);
    const second = await a.serviceName(SVC);

    // Assess
    expect([first, second]).toEqual(['web', 'web']);
    expect(lattice.commandCalls(GetServiceCommand)).toHaveLength(1);
  });
});

describe('LatticeAdapter.readNetworkCertificates', () => {
  it("reads each service's certificate and its listeners' protocols, and nothing else of the network", async () => {
    // Prepare
    lattice.on(ListServiceNetworksCommand).resolves({
      items: [
        { id: 'sn-0000000000000000b', arn: `${ARN}:servicenetwork/sn-0000000000000000b`, name: 'prod-net' },
      ],
    });
    lattice.on(ListServiceNetworkServiceAssociationsCommand).resolves({
      items: [
        { serviceId: SVC, serviceArn: `${ARN}:service/${SVC}`, serviceName: 'web' },
        { serviceId: 'svc-gone0000000000000', serviceArn: `${ARN}:service/svc-gone`, serviceName: 'gone' },
      ],
    });
    lattice
      .on(GetServiceCommand, { serviceIdentifier: SVC })
      .resolves({
        customDomainName: 'web.example.internal',
        certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/web',
      })
      .on(GetServiceCommand, { serviceIdentifier: 'svc-gone0000000000000' })
      .rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} } as never));
    lattice
      .on(ListListenersCommand, { serviceIdentifier: SVC })
      .resolves({ items: [{ id: LISTENER, name: 'https', protocol: 'HTTPS', port: 443 }] })
      .on(ListListenersCommand, { serviceIdentifier: 'svc-gone0000000000000' })
      .resolves({ items: [] });

    // Act
    const network = await adapter().readNetworkCertificates('prod-net');

    // Assess
    expect(network).toEqual({
      name: 'prod-net',
      services: [
        {
          id: SVC,
          arn: `${ARN}:service/${SVC}`,
          name: 'web',
          certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/web',
          customDomainName: 'web.example.internal',
          listeners: [{ id: LISTENER, name: 'https', protocol: 'HTTPS', port: 443 }],
        },
      ],
    });
    // Nothing but these four: no network, listener, rule, auth policy or target group reads.
    const sent = lattice.calls().map((c) => (c.args[0] as object).constructor.name);
    expect([...new Set(sent)].sort()).toEqual([
      'GetServiceCommand',
      'ListListenersCommand',
      'ListServiceNetworkServiceAssociationsCommand',
      'ListServiceNetworksCommand',
    ]);
  });

  it('says which service network does not exist', async () => {
    // Prepare
    lattice.on(ListServiceNetworksCommand).resolves({ items: [] });

    // Act + Assess
    await expect(adapter().readNetworkCertificates('nope-net')).rejects.toBeInstanceOf(NotFoundError);
  });
});

import { GetRuleCommand, UpdateRuleCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLatticeDemoRule, LATTICE_DEMO, seedLatticeDemo } from '../../../infra/local/demo/lattice-seed';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { GUARD_ENV } from '../deployments/guard-env';

/**
 * The HTTP API on a VPC Lattice service network, end to end: the demo policy governs prod-net
 * with its own api grants, the console-api function runs as its stack role (local IAM enforces
 * its Lattice grants), and its deployment actions go through the guard's Lattice routes.
 */
describe('HTTP API on the demo VPC Lattice service network prod-net', () => {
  let local: TestLocalAws;
  let lattice: VPCLatticeClient;
  let rule: { serviceId: string; listenerId: string; ruleId: string };
  let stable: string;
  let canary: string;
  /** Lattice calls made by console-api's role, as the edge answered them. */
  const apiCalls: { operation: string; status: number }[] = [];

  const ruleInput = () => ({
    serviceIdentifier: rule.serviceId,
    listenerIdentifier: rule.listenerId,
    ruleIdentifier: rule.ruleId,
  });
  const weightsNow = async () => {
    const now = await lattice.send(new GetRuleCommand(ruleInput()));
    return Object.fromEntries(
      (now.action?.forward?.targetGroups ?? []).map((t) => [t.targetGroupIdentifier, t.weight]),
    );
  };

  async function call(
    method: 'GET' | 'POST',
    path: string,
    token: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${local.aws.httpApiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? {} : JSON.parse(text) };
  }
  const as = (name: string) => local.aws.oidc.sign(name);

  /** The admin moves the rule to `stable`/`canary` weights; the guard opens a deployment. */
  async function shift(stableWeight: number, canaryWeight: number) {
    const before = await lattice.send(new GetRuleCommand(ruleInput()));
    await lattice.send(
      new UpdateRuleCommand({
        ...ruleInput(),
        match: before.match,
        priority: before.priority,
        action: {
          forward: {
            targetGroups: [
              { targetGroupIdentifier: stable, weight: stableWeight },
              { targetGroupIdentifier: canary, weight: canaryWeight },
            ],
          },
        },
      }),
    );
    await local.aws.drain();
  }

  beforeAll(async () => {
    local = await startSeededLocalAws({ functionEnv: GUARD_ENV });
    local.aws.onApiCall((c) => {
      if (c.request.service === 'vpc-lattice' && c.request.caller.label.includes('console-api'))
        apiCalls.push({ operation: c.operation ?? '?', status: c.response.status });
    });
    await seedLatticeDemo(local.clientConfig());
    await local.aws.drain();
    const found = await findLatticeDemoRule(local.clientConfig());
    if (found === undefined) throw new Error('the Lattice demo rule was not seeded');
    rule = found;
    lattice = new VPCLatticeClient(local.clientConfig());
    const seeded = await lattice.send(new GetRuleCommand(ruleInput()));
    const targets = seeded.action?.forward?.targetGroups ?? [];
    stable = targets[0]?.targetGroupIdentifier as string;
    canary = targets[1]?.targetGroupIdentifier as string;
  });
  afterAll(async () => {
    lattice?.destroy();
    await local?.aws.close();
  });

  it('lists prod-net beside the mesh, with its provider, and the roles it gives', async () => {
    const token = await as('victor');

    const meshes = await call('GET', '/api/meshes', token);
    const me = await call('GET', '/api/me', token);
    const one = await call('GET', '/api/meshes/prod-net', token);

    expect(meshes.status).toBe(200);
    const listed = meshes.json.meshes as Record<string, unknown>[];
    expect(listed.map((m) => m.name)).toEqual(['prod', 'prod-net']);
    // The mesh answers as it always did; the network names its provider.
    expect(listed[0]).not.toHaveProperty('provider');
    expect(listed[1]).toMatchObject({ name: 'prod-net', provider: 'vpc-lattice' });
    const resources = one.json.resources as { key: string; kind: string; openViolations: unknown }[];
    expect(one.json).toMatchObject({ name: 'prod-net', provider: 'vpc-lattice' });
    expect(resources).toContainEqual({
      key: 'prod-net/rule/web/http/web-canary',
      kind: 'rule',
      openViolations: null,
    });
    expect(resources.map((r) => r.key)).toEqual(
      expect.arrayContaining(['prod-net/service/web', 'prod-net/listener/web/http']),
    );
    expect(listed[1]?.resources).toBe(resources.length);
    expect(me.json.meshes).toEqual([
      { name: 'prod', roles: ['viewer'] },
      { name: 'prod-net', provider: 'vpc-lattice', roles: ['viewer'] },
    ]);
  });

  it('answers the graph of prod-net from Lattice: web, its listener, the web-canary rule at 90/10', async () => {
    apiCalls.length = 0;

    const answer = await call('GET', '/api/meshes/prod-net/graph', await as('victor'));

    expect(answer.status).toBe(200);
    const graph = answer.json.graph as {
      provider: string;
      network: string;
      services: { name: string; listeners: { name: string; rules: unknown[] }[] }[];
      targetGroups: string[];
    };
    expect(graph.provider).toBe('vpc-lattice');
    expect(graph.network).toBe('prod-net');
    const web = graph.services.find((s) => s.name === LATTICE_DEMO.service);
    const http = web?.listeners.find((l) => l.name === LATTICE_DEMO.listener);
    expect(http?.rules).toContainEqual({
      name: LATTICE_DEMO.rule,
      routeKey: LATTICE_DEMO.routeKey,
      targets: [
        { targetGroup: stable, weight: 90 },
        { targetGroup: canary, weight: 10 },
      ],
    });
    expect(graph.targetGroups).toEqual(expect.arrayContaining([stable, canary]));
    // Read by console-api's own role, every call allowed by its grants.
    expect(apiCalls.length).toBeGreaterThan(0);
    // (GetAuthPolicy answers 404 where a service has no auth policy: not a refusal.)
    expect(apiCalls.filter((c) => c.status === 403)).toEqual([]);
    expect(new Set(apiCalls.map((c) => c.operation))).toContain('ListServiceNetworks');
  });

  it('lists a Lattice deployment with its weight history, and its decisions by route key', async () => {
    await shift(80, 20);
    const token = await as('victor');

    const list = await call('GET', '/api/deployments?mesh=prod-net', token);
    const decisions = await call(
      'GET',
      `/api/decisions?mesh=prod-net&resource=${encodeURIComponent('prod-net/rule/web/http/web-canary')}`,
      token,
    );
    const approvals = await call('GET', '/api/approvals?mesh=prod-net', token);
    const certificates = await call('GET', '/api/certificates?mesh=prod-net', token);

    expect(list.status).toBe(200);
    const deployments = list.json.deployments as Record<string, unknown>[];
    expect(deployments).toHaveLength(1);
    const d = deployments[0] as Record<string, unknown> & { weightHistory: { weights: unknown }[] };
    expect(d).toMatchObject({
      routeKey: LATTICE_DEMO.routeKey,
      meshName: 'prod-net',
      status: 'in-progress',
      stableTarget: stable,
      canaryTargets: [canary],
      weights: { before: { [stable]: 90, [canary]: 10 }, current: { [stable]: 80, [canary]: 20 } },
      allowedActions: [],
    });
    expect(d.weightHistory.map((p) => p.weights)).toEqual([
      { [stable]: 90, [canary]: 10 },
      { [stable]: 80, [canary]: 20 },
    ]);
    const one = await call('GET', `/api/deployments/${String(d.id)}`, token);
    expect(one.json.deployment).toMatchObject({ id: d.id, routeKey: LATTICE_DEMO.routeKey });
    expect(decisions.status).toBe(200);
    const judged = decisions.json.decisions as Record<string, unknown>[];
    expect(judged.length).toBeGreaterThan(0);
    expect(judged.every((x) => x.resourceKey === 'prod-net/rule/web/http/web-canary')).toBe(true);
    // The seed's CreateRule and the shift's UpdateRule may share a second: order is not asserted.
    expect(judged.every((x) => x.meshName === 'prod-net')).toBe(true);
    expect(judged.map((x) => x.operation)).toContain('UpdateRule');
    expect(approvals.status).toBe(200);
    expect(certificates.json).toEqual({ certificates: [] });
  });

  it('refuses a viewer and a promote-only workflow the rollback (403), and lets an operator roll back', async () => {
    // Prepare: the rule moved (a deployment opens, or the open one takes it as its baseline)
    await shift(70, 30);
    const list = await call('GET', '/api/deployments?mesh=prod-net', await as('omar'));
    const open = (list.json.deployments as { id: string; status: string; allowedActions: string[] }[]).find(
      (d) => d.status === 'in-progress',
    );
    if (open === undefined) throw new Error('no Lattice deployment open');

    const viewer = await call('POST', `/api/deployments/${open.id}/rollback`, await as('victor'), {
      note: 'no',
    });
    const promoteOnly = await call(
      'POST',
      `/api/deployments/${open.id}/rollback`,
      await as('web-deploy'),
      {},
    );
    const weightsAfterRefusals = await weightsNow();
    const operator = await call('POST', `/api/deployments/${open.id}/rollback`, await as('omar'), {
      note: 'canary 5xx',
    });
    const again = await call('POST', `/api/deployments/${open.id}/rollback`, await as('omar'), {});
    await local.aws.drain();

    expect(open.allowedActions).toEqual(['promote', 'abort', 'rollback']);
    expect(viewer.status).toBe(403);
    expect(viewer.json.requiredRole).toBe('operator');
    // The workflow's grant narrows operator to promote on prod-net/web/*: a rollback is not in it.
    expect(promoteOnly.status).toBe(403);
    expect(promoteOnly.json.requiredRole).toBe('operator');
    expect(weightsAfterRefusals).toEqual({ [stable]: 70, [canary]: 30 });
    expect(operator.status).toBe(200);
    expect(operator.json.deployment).toMatchObject({
      routeKey: LATTICE_DEMO.routeKey,
      status: 'rolled-back',
      weights: { current: { [stable]: 100, [canary]: 0 } },
      allowedActions: [],
    });
    expect(JSON.stringify(operator.json.deployment)).toContain('canary 5xx');
    expect(again.status).toBe(409);
    expect(await weightsNow()).toEqual({ [stable]: 100, [canary]: 0 });
    const graph = await call('GET', '/api/meshes/prod-net/graph', await as('victor'));
    expect(JSON.stringify(graph.json)).toContain(
      JSON.stringify([
        { targetGroup: stable, weight: 100 },
        { targetGroup: canary, weight: 0 },
      ]),
    );
  });
});

import { AppMeshClient, DescribeRouteCommand } from '@aws-sdk/client-app-mesh';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../../infra/cli/api-client';
import { registerApprovalsCommand } from '../../../infra/cli/approvals-command';
import { registerAuditCommand } from '../../../infra/cli/audit-command';
import { DEFAULT_CLI } from '../../../infra/cli/change-control-clients';
import { registerDeploymentsCommand } from '../../../infra/cli/deployments-command';
import { registerLoginCommand } from '../../../infra/cli/login-command';
import { DEMO } from '../../../infra/local/demo/seed';
import { LocalOidcIssuer } from '../../../infra/local/oidc/issuer';
import { DEFAULT_PEOPLE } from '../../../infra/local/oidc/people';
import { formatEntry } from '../../../infra/local/timeline';
import type { BusEvent } from '../../../infra/local/types';
import { DynamoDbApprovalStore } from '../../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { setDemoWeights } from '../../support/demo-route';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { GUARD_ENV } from '../deployments/guard-env';

/**
 * The HTTP API end to end: real tokens from the local OIDC issuer, verified by the local HTTP
 * API as API Gateway's JWT authorizer does, the console-api function against local AWS, and
 * the demo policy's api grants.
 */
const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };

describe('HTTP API with OIDC tokens', () => {
  let local: TestLocalAws;
  const seen: BusEvent[] = [];

  beforeAll(async () => {
    local = await startSeededLocalAws({ functionEnv: GUARD_ENV });
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') seen.push(a.event);
    });
  });
  afterAll(() => local.aws.close());

  async function call(
    method: 'GET' | 'POST',
    path: string,
    token: string | undefined,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
    const response = await fetch(`${local.aws.httpApiUrl}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? {} : JSON.parse(text), headers: response.headers };
  }

  const as = (name: string) => local.aws.oidc.sign(name);

  async function weights(): Promise<Record<string, number>> {
    const { route } = await new AppMeshClient(local.clientConfig()).send(new DescribeRouteCommand(ref));
    return Object.fromEntries(
      (route?.spec?.httpRoute?.action?.weightedTargets ?? []).map((t) => [
        t.virtualNode ?? '',
        t.weight ?? -1,
      ]),
    );
  }

  const setWeights = (who: 'admin' | 'iamUser', stable: number, canary: number) =>
    setDemoWeights(local, who, stable, canary);

  /** bob (an IAM user the demo policy holds) shifts the route; returns the approval it asks for. */
  async function bobsHeldChange(stable: number, canary: number): Promise<string> {
    const before = seen.length;
    await setWeights('iamUser', stable, canary);
    const requested = seen.slice(before).filter((e) => e['detail-type'] === 'ApprovalRequested');
    expect(requested).toHaveLength(1);
    return String(requested[0]?.detail.approvalId);
  }

  /** The admin opens a deployment on the demo route; returns its id. */
  async function openDeployment(stable: number, canary: number): Promise<string> {
    await setWeights('admin', stable, canary);
    const list = await call('GET', '/api/deployments?mesh=prod', await as('priya'));
    const open = (list.json.deployments as { id: string; status: string; routeKey: string }[]).find(
      (d) => d.routeKey === DEMO.routeKey && d.status === 'in-progress',
    );
    if (open === undefined) throw new Error(`no deployment opened: ${JSON.stringify(list.json)}`);
    return open.id;
  }

  it('lets a viewer list decisions with who, what, rule ids, sentences, diff and outcome, page by page', async () => {
    // Prepare: bob's change is held, a decision with broken rules
    const approvalId = await bobsHeldChange(60, 40);
    const token = await as('victor');
    // Act
    const bob = encodeURIComponent('arn:aws:iam::000000000000:user/bob');
    const all = await call('GET', `/api/decisions?mesh=prod&principal=${bob}&limit=50`, token);
    const byLabel = await call(
      'GET',
      `/api/decisions?principal=${encodeURIComponent('IAM user bob')}`,
      token,
    );
    const nobody = await call('GET', '/api/decisions?mesh=prod&principal=nobody', token);
    const first = await call('GET', '/api/decisions?limit=1', token);
    const second = await call('GET', `/api/decisions?limit=1&cursor=${String(first.json.cursor)}`, token);
    // Assess
    expect(all.status).toBe(200);
    const decisions = all.json.decisions as Record<string, unknown>[];
    const held = decisions.find((d) => d.approvalId === approvalId);
    expect(held).toMatchObject({
      meshName: 'prod',
      resourceKey: 'prod/route/web-router/web-route',
      operation: 'UpdateRoute',
      action: 'hold',
      principal: { arn: 'arn:aws:iam::000000000000:user/bob' },
    });
    if (held === undefined) throw new Error('the held decision is not listed');
    expect((held.ruleIds as string[]).length).toBeGreaterThan(0);
    expect((held.reasons as string[]).length + (held.findings as string[]).length).toBeGreaterThan(0);
    expect(String(held?.diff)).toContain('60');
    expect(typeof held?.outcome).toBe('string');
    expect(byLabel.json.decisions).toContainEqual(held);
    expect(nobody.json.decisions).toEqual([]);
    expect(first.json.decisions).toHaveLength(1);
    expect(second.status).toBe(200);
    expect(second.json.decisions).toHaveLength(1);
    expect(second.json.decisions).not.toEqual(first.json.decisions);
  });

  it('answers 400 with what is wrong for a bad query or a forged cursor', async () => {
    // Prepare
    const token = await as('victor');
    const forged = Buffer.from(JSON.stringify({ pk: 'APPROVAL#x', sk: 'y' })).toString('base64url');
    // Act
    const badLimit = await call('GET', '/api/decisions?limit=5000', token);
    const badTime = await call('GET', '/api/decisions?since=yesterday', token);
    const unknown = await call('GET', '/api/decisions?colour=red', token);
    const cursor = await call('GET', `/api/decisions?mesh=prod&cursor=${forged}`, token);
    const operator = await as('omar');
    const badBody = await call('POST', '/api/deployments/some-id/promote', operator, { force: 'yes' });
    const notJson = await fetch(`${local.aws.httpApiUrl}/api/deployments/some-id/abort`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    const unknownDeployment = await call('POST', '/api/deployments/no-such-deployment/abort', operator, {});
    // Assess
    expect(badBody.status).toBe(400);
    expect(badBody.json.message).toMatch(/^body\.force: /);
    expect(notJson.status).toBe(400);
    expect(unknownDeployment.status).toBe(404);
    expect(badLimit.status).toBe(400);
    expect(badLimit.json.message).toMatch(/query\.limit/);
    expect(badTime.json.message).toMatch(/query\.since: expected an ISO-8601 time/);
    expect(unknown.status).toBe(400);
    expect(cursor.status).toBe(400);
    expect(cursor.json.message).toMatch(/cursor/);
  });

  it('refuses a viewer who approves with 403 naming the role, and records nothing', async () => {
    // Prepare
    const approvalId = await bobsHeldChange(55, 45);
    // Act
    const answer = await call('POST', `/api/approvals/${approvalId}/approve`, await as('victor'));
    const after = await call('GET', `/api/approvals/${approvalId}`, await as('victor'));
    // Assess
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ requiredRole: 'approver' });
    expect(String(answer.json.message)).toContain('needs role approver');
    expect(after.json.approval).toMatchObject({ status: 'pending' });
  });

  it('applies bob’s held change when an approver approves it through the API', async () => {
    // Prepare
    const approvalId = await bobsHeldChange(50, 50);
    expect(await weights()).not.toEqual({ [DEMO.stableNode]: 50, [DEMO.canaryNode]: 50 });
    const pending = await call('GET', '/api/approvals?status=pending', await as('priya'));
    // Act
    const answer = await call('POST', `/api/approvals/${approvalId}/approve`, await as('priya'));
    await local.aws.drain();
    const again = await call('POST', `/api/approvals/${approvalId}/reject`, await as('omar'));
    // Assess
    expect((pending.json.approvals as { id: string }[]).map((a) => a.id)).toContain(approvalId);
    expect(answer.status).toBe(200);
    expect(answer.json.approval).toMatchObject({ status: 'approved', decidedBy: 'priya' });
    expect(await weights()).toEqual({ [DEMO.stableNode]: 50, [DEMO.canaryNode]: 50 });
    const decided = seen.filter(
      (e) => e['detail-type'] === 'ApprovalDecided' && e.detail.approvalId === approvalId,
    );
    expect(decided.map((e) => e.detail.decidedBy)).toEqual([
      { slackUserId: 'U0PLATFORM1', identity: 'priya' },
    ]);
    // The first decision wins.
    expect(again.status).toBe(409);
    expect(String(again.json.message)).toContain('Already approved by');
  });

  it('refuses self-approval, as Slack does', async () => {
    // Prepare: a pending request priya caused
    const store = new DynamoDbApprovalStore(
      createDocumentClient(local.clientConfig('meshwarden')),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
    );
    const now = Date.now();
    await store.create({
      approvalId: 'self-approval-1',
      meshName: 'prod',
      action: {
        type: 'reapply-change',
        resourceKey: 'prod/route/web-router/web-route',
        operation: 'UpdateRoute',
      },
      title: 'priya changes web-route',
      reason: 'held',
      requestedBy: { arn: 'arn:aws:sts::000000000000:assumed-role/PlatformAdmin/priya', label: 'priya' },
      diff: '',
      requestedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 30 * 60_000).toISOString(),
      status: 'pending',
    });
    // Act
    const answer = await call('POST', '/api/approvals/self-approval-1/approve', await as('priya'));
    const unverified = await call(
      'POST',
      '/api/approvals/self-approval-1/approve',
      await local.aws.oidc.sign('omar', { claims: { email: 'priya@acme.example', email_verified: false } }),
    );
    const after = await store.get('self-approval-1');
    // Assess
    expect(answer.status).toBe(403);
    expect(String(answer.json.message)).toContain('approve your own request');
    expect(unverified.status).toBe(403);
    expect(String(unverified.json.message)).toContain('no verified email');
    expect(after?.status).toBe('pending');
  });

  it("neither shows nor decides a member account's approval of a mesh that shares a governed mesh's name", async () => {
    // Prepare: a pending request of `prod` in a member account (the API acts on the central account's meshes)
    const store = new DynamoDbApprovalStore(
      createDocumentClient(local.clientConfig('meshwarden')),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
    );
    const now = Date.now();
    await store.create({
      approvalId: 'member-account-1',
      account: '111111111111',
      meshName: 'prod',
      action: {
        type: 'reapply-change',
        resourceKey: 'prod/route/web-router/web-route',
        operation: 'UpdateRoute',
      },
      title: 'bob changes web-route in a member account',
      reason: 'held',
      requestedBy: { arn: 'arn:aws:iam::111111111111:user/bob', label: 'bob' },
      diff: '',
      requestedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 30 * 60_000).toISOString(),
      status: 'pending',
    });
    // Act
    const listed = await call('GET', '/api/approvals?status=pending', await as('priya'));
    const shown = await call('GET', '/api/approvals/member-account-1', await as('priya'));
    const answer = await call('POST', '/api/approvals/member-account-1/approve', await as('priya'));
    const after = await store.get('member-account-1');
    // Assess
    expect((listed.json.approvals as { id: string }[]).map((a) => a.id)).not.toContain('member-account-1');
    expect(shown.status).toBe(404);
    expect(answer.status).toBe(404);
    expect(after?.status).toBe('pending');
  });

  it('lets an operator promote a deployment, recorded with who did it', async () => {
    // Prepare
    const id = await openDeployment(80, 20);
    const from = local.aws.timeline.all().length;
    // Act
    const answer = await call('POST', `/api/deployments/${id}/promote`, await as('omar'));
    await local.aws.drain();
    const detail = await call('GET', `/api/deployments/${id}`, await as('victor'));
    // Assess
    expect(answer.status).toBe(200);
    expect(await weights()).toEqual({ [DEMO.stableNode]: 0, [DEMO.canaryNode]: 100 });
    expect(detail.json.deployment).toMatchObject({ id, status: 'promoted' });
    const notes = (detail.json.deployment as { history: { text: string }[] }).history.map((n) => n.text);
    expect(notes.some((t) => t.includes('Promoted to 100% by omar@acme.example'))).toBe(true);
    // meshwarden's own write is its last known good: no function trips over it afterwards.
    const after = local.aws.timeline
      .all()
      .slice(from)
      .map((e) => formatEntry(e));
    expect(after.filter((line) => /FAILED|DEAD-LETTER/.test(line))).toEqual([]);
  });

  it('lets the acme/web workflow promote prod/web-router/* but not abort or read', async () => {
    // Prepare
    await setWeights('admin', 100, 0);
    const id = await openDeployment(70, 30);
    const workflow = await as('web-deploy');
    // Act
    const abort = await call('POST', `/api/deployments/${id}/abort`, workflow, { note: 'ci' });
    const read = await call('GET', '/api/deployments', workflow);
    const promote = await call('POST', `/api/deployments/${id}/promote`, workflow);
    await local.aws.drain();
    // Assess
    expect(abort.status).toBe(403);
    expect(abort.json.requiredRole).toBe('operator');
    expect(read.json.deployments).toEqual([]);
    expect(promote.status).toBe(200);
    expect(await weights()).toEqual({ [DEMO.stableNode]: 0, [DEMO.canaryNode]: 100 });
  });

  it('says per deployment which actions the caller may take, and a second rollback is refused without effect', async () => {
    // Prepare
    await setWeights('admin', 100, 0);
    const id = await openDeployment(80, 20);
    const [omar, victor] = [await as('omar'), await as('victor')];
    const forOperator = await call('GET', `/api/deployments/${id}`, omar);
    const forViewer = await call('GET', '/api/deployments?mesh=prod', victor);
    const from = seen.length;
    // Act: the same rollback twice, as a double click would send it
    const first = await call('POST', `/api/deployments/${id}/rollback`, omar, { note: 'bad build' });
    await local.aws.drain();
    const second = await call('POST', `/api/deployments/${id}/rollback`, omar, {});
    await local.aws.drain();
    // Assess
    expect((forOperator.json.deployment as { allowedActions: string[] }).allowedActions).toEqual([
      'promote',
      'abort',
      'rollback',
    ]);
    const viewed = (forViewer.json.deployments as { id: string; allowedActions: string[] }[]).find(
      (d) => d.id === id,
    );
    expect(viewed?.allowedActions).toEqual([]);
    expect(first.status).toBe(200);
    expect(first.json.deployment).toMatchObject({ id, status: 'rolled-back', allowedActions: [] });
    expect(second.status).toBe(409);
    expect(second.json.message).toContain('rolled-back');
    expect(await weights()).toEqual({ [DEMO.stableNode]: 100, [DEMO.canaryNode]: 0 });
    expect(seen.slice(from).filter((e) => e['detail-type'] === 'DeploymentRolledBack')).toHaveLength(1);
  });

  it('refuses expired, not-yet-valid, wrong-audience, wrong-issuer, tampered and missing tokens with 401', async () => {
    // Prepare
    const issuer = local.aws.oidc;
    const other = await LocalOidcIssuer.start(DEFAULT_PEOPLE);
    try {
      const valid = await issuer.sign('priya');
      const [header, , signature] = valid.split('.');
      const payload = JSON.parse(Buffer.from(valid.split('.')[1] as string, 'base64url').toString());
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...payload, groups: ['viewers', 'platform-leads'], sub: 'mallory' })).toString('base64url')}.${signature}`;
      const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${valid.split('.')[1]}.`;
      const tokens = {
        expired: await issuer.sign('priya', { expiresIn: -60 }),
        notYet: await issuer.sign('priya', { notBefore: 600 }),
        wrongAudience: await issuer.sign('priya', { audience: 'someone-else' }),
        wrongIssuer: await other.sign('priya'),
        tampered,
        unsigned,
        missing: undefined,
      };
      // Act
      const answers = await Promise.all(
        Object.entries(tokens).map(
          async ([name, token]) => [name, await call('GET', '/api/decisions', token)] as const,
        ),
      );
      const es256 = await call('GET', '/api/meshes', await issuer.sign('victor', { alg: 'ES256' }));
      // Assess
      for (const [name, answer] of answers) {
        expect({ name, status: answer.status, body: answer.json }).toEqual({
          name,
          status: 401,
          body: { message: 'Unauthorized' },
        });
      }
      expect(es256.status).toBe(200);
      // The demo's service network too: the demo policy grants viewers it as well.
      expect(es256.json.meshes).toEqual([
        expect.objectContaining({ name: 'prod' }),
        expect.objectContaining({ name: 'prod-net', provider: 'vpc-lattice' }),
      ]);
    } finally {
      await other.close();
    }
  });

  it('shows a mesh with its resources, last known good and open violations', async () => {
    // Act
    const mesh = await call('GET', '/api/meshes/prod', await as('victor'));
    const unknown = await call('GET', '/api/meshes/staging', await as('victor'));
    const denied = await call('GET', '/api/meshes/prod', await as('bob'));
    // Assess
    expect(mesh.status).toBe(200);
    const route = (mesh.json.resources as { key: string; lastKnownGood: unknown }[]).find(
      (r) => r.key === 'prod/route/web-router/web-route',
    );
    expect(route?.lastKnownGood).toMatchObject({ version: expect.any(Number) });
    expect(unknown.status).toBe(404);
    expect(denied.status).toBe(403);
    expect(denied.json.requiredRole).toBe('viewer');
  });

  it('lists the certificates a mesh relies on, soonest expiry first', async () => {
    // Act
    const answer = await call('GET', '/api/certificates?mesh=prod', await as('victor'));
    const denied = await call('GET', '/api/certificates', await as('web-deploy'));
    // Assess
    expect(answer.status).toBe(200);
    const certificates = answer.json.certificates as {
      notAfter: string | null;
      usedBy: unknown[];
      meshName: string;
    }[];
    expect(certificates.length).toBeGreaterThan(0);
    const expiries = certificates.flatMap((c) => (c.notAfter === null ? [] : [Date.parse(c.notAfter)]));
    expect(expiries.length).toBeGreaterThan(0);
    expect(expiries).toEqual([...expiries].sort((a, b) => a - b));
    expect(certificates.every((c) => c.meshName === 'prod' && c.usedBy.length > 0)).toBe(true);
    expect(denied.json.certificates).toEqual([]);
  });

  it('serves the CLI: login --local prints a token, approvals and deployments --api use it', async () => {
    // Prepare
    const approvalId = await bobsHeldChange(65, 35);
    const lines: string[] = [];
    const errors: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => errors.push(l) };
    const cli = (token?: string) => {
      const program = new Command().exitOverride();
      registerLoginCommand(program, io);
      registerApprovalsCommand(program, {
        ...io,
        store: () => {
          throw new Error('--api must not read the table');
        },
        api: (url) => apiClient(url, token),
      });
      registerDeploymentsCommand(
        program,
        io,
        () => {
          throw new Error('--api must not build AWS clients');
        },
        (url) => apiClient(url, token),
      );
      registerAuditCommand(program, { ...DEFAULT_CLI, ...io }, (url) => apiClient(url, token));
      return (args: string[]) => program.parseAsync(['node', 'meshwarden', ...args]);
    };
    // Act
    await cli()(['login', '--local', '--as', 'priya', '--issuer', local.aws.oidc.issuer]);
    const token = lines.pop() as string;
    await cli(token)(['approvals', 'list', '--api', local.aws.httpApiUrl]);
    const listed = lines.splice(0);
    await cli(token)(['approvals', 'reject', approvalId, '--api', local.aws.httpApiUrl]);
    const rejected = lines.splice(0);
    const victor = await as('victor');
    await cli(victor)(['deployments', '--api', local.aws.httpApiUrl, 'status', DEMO.routeKey]);
    const status = lines.splice(0);
    await cli(victor)(['deployments', '--api', local.aws.httpApiUrl, 'abort', DEMO.routeKey]);
    await cli(token)(['login', '--local', '--as', 'mallory', '--issuer', local.aws.oidc.issuer]);
    await cli(token)(['audit', '--mesh', 'prod', '--api', local.aws.httpApiUrl]);
    const audited = lines.splice(0);
    // Assess
    expect(token.split('.')).toHaveLength(3);
    expect(listed.some((l) => l.startsWith(`${approvalId}  pending  prod`))).toBe(true);
    expect(rejected).toEqual([`${approvalId}  rejected by priya`]);
    expect(errors[0]).toMatch(
      /HTTP 403: abort on prod\/web-router\/web-route needs role operator.*\(needs role operator\)/,
    );
    expect(errors[1]).toMatch(/no person "mallory"/);
    expect(status[0]).toMatch(
      new RegExp(`^${DEMO.routeKey}  web-v1 \\d+ / web-v2 \\d+  \\S+ \\S+ \\(stable web-v[12]\\)$`),
    );
    expect(status.slice(1).some((l) => l.includes('started'))).toBe(true);
    expect(audited.at(-1)).toMatch(/^mesh prod: \d+ resources, \d+ with open violations \(from the API\)$/);
    process.exitCode = 0;
  });
});

import {
  AppMeshClient,
  DescribeRouteCommand,
  type RouteSpec,
  UpdateRouteCommand,
} from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, seedDemo } from '../../../infra/local/demo/seed';
import type { LocalApiCall } from '../../../infra/local/runtime';
import { pressButton } from '../../../infra/local/slack/block-actions';
import type { BusEvent } from '../../../infra/local/types';
import { DynamoDbApprovalStore } from '../../../shared/adapters/dynamodb/approval-store';
import { DynamoAuditLog } from '../../../shared/adapters/dynamodb/audit-log';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../../shared/adapters/dynamodb/deployment-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import {
  CENTRAL,
  MEMBER,
  MEMBER_ADMIN,
  MEMBER_CAROL,
  MEMBER_DAVE,
  MEMBER_ROLE,
  twoAccountPolicy,
  twoAccounts,
} from './two-accounts';

/** An account with no member stack and no member role: meshwarden is not configured for it. */
const STRANGER = '333333333333';

/** Across accounts: a member account's mesh is governed, and its deployments guarded, through the member role. */
describe('meshwarden in a member account', () => {
  let local: TestLocalAws;
  const seen: BusEvent[] = [];
  const calls: LocalApiCall[] = [];
  /** Every AssumeRole since start-up. */
  const assumeRoles: LocalApiCall[] = [];
  let centralAdmin: AppMeshClient;
  let memberAdmin: AppMeshClient;
  let carol: AppMeshClient;
  const routeRef = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };

  const client = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
    new AppMeshClient({ endpoint: local.aws.endpoint, region: local.aws.region, credentials });

  async function shiftWeights(as: AppMeshClient, weights: readonly number[]): Promise<void> {
    const { route } = await as.send(new DescribeRouteCommand(routeRef));
    const http = route?.spec?.httpRoute;
    if (http?.action === undefined || http.match === undefined) throw new Error('no httpRoute');
    const spec: RouteSpec = {
      ...route?.spec,
      httpRoute: {
        ...http,
        action: {
          weightedTargets: (http.action.weightedTargets ?? []).map((t, i) => ({
            ...t,
            weight: weights[i] ?? 0,
          })),
        },
      },
    };
    await as.send(new UpdateRouteCommand({ ...routeRef, spec }));
  }

  beforeAll(async () => {
    local = await startSeededLocalAws({
      identities: twoAccounts(),
      policyFile: twoAccountPolicy(),
    });
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
    local.aws.onApiCall((call) => {
      calls.push(call);
      if (call.operation === 'AssumeRole') assumeRoles.push(call);
    });
    // The same demo mesh, `prod`, in the member account, created by its platform admins.
    await seedDemo({ endpoint: local.aws.endpoint, region: local.aws.region, credentials: MEMBER_ADMIN });
    await local.aws.drain();
    centralAdmin = client({ accessKeyId: 'test', secretAccessKey: 'test' });
    memberAdmin = client(MEMBER_ADMIN);
    carol = client(MEMBER_CAROL);
  }, 120_000);
  afterAll(() => local.aws.close());

  it('configures the member role and meshes for the functions from the identities file and the policy', () => {
    expect(local.aws.memberAccounts).toEqual([MEMBER]);
    expect(local.aws.functionEnv.MESHWARDEN_MEMBER_ROLE_ARNS).toBe(MEMBER_ROLE);
    // The member's meshes come from the policy entries naming the member account.
    expect(local.aws.functionEnv.MESHWARDEN_MEMBER_MESHES).toBe(`${MEMBER}/prod`);
  });

  it("reverts a disallowed change in the member account as the member role there, leaving the central account's prod alone", async () => {
    // Prepare
    const centralBefore = (await centralAdmin.send(new DescribeRouteCommand(routeRef))).route;
    const memberBefore = (await memberAdmin.send(new DescribeRouteCommand(routeRef))).route;
    expect(memberBefore?.metadata?.arn).toContain(`:${MEMBER}:mesh/prod/`);
    expect(centralBefore?.metadata?.arn).toContain(`:${CENTRAL}:mesh/prod/`);
    seen.length = 0;
    calls.length = 0;

    // Act: carol, an IAM user of the member account, shifts all weight to the canary.
    await shiftWeights(carol, [0, 100]);
    await local.aws.drain();

    // Assess: the change reached meshwarden as the member account's CloudTrail event ...
    const trail = seen.find(
      (e) => e.source === 'aws.appmesh' && (e.detail as { eventName?: string }).eventName === 'UpdateRoute',
    );
    expect(trail).toMatchObject({ account: MEMBER, detail: { recipientAccountId: MEMBER } });
    // ... meshwarden assumed the member role (once, its credentials are cached) and wrote the
    // revert in the member account as that role ...
    const assumed = assumeRoles.map(
      (c): Record<string, string> => ({
        caller: c.request.caller.arn,
        ...Object.fromEntries(new URLSearchParams(c.request.body.toString('utf8'))),
      }),
    );
    expect(assumed.filter((a) => a.RoleSessionName === 'meshwarden-mesh-change')).toEqual([
      expect.objectContaining({
        caller: `arn:aws:sts::${CENTRAL}:assumed-role/meshwarden-fn-mesh-change/meshwarden-mesh-change`,
        RoleArn: MEMBER_ROLE,
      }),
    ]);
    const reverts = calls.filter((c) => c.request.service === 'appmesh' && c.operation === 'UpdateRoute');
    const byMeshwarden = reverts.filter((c) => c.request.caller.arn.includes('meshwarden'));
    expect(byMeshwarden.map((c) => c.request.caller.arn)).toEqual([
      `arn:aws:sts::${MEMBER}:assumed-role/meshwarden-member-access/meshwarden-mesh-change`,
    ]);
    const memberAfter = (await memberAdmin.send(new DescribeRouteCommand(routeRef))).route;
    expect(memberAfter?.spec).toEqual(memberBefore?.spec);
    // ... and the central account's prod was neither read into the decision nor written.
    const centralAfter = (await centralAdmin.send(new DescribeRouteCommand(routeRef))).route;
    expect(centralAfter?.metadata?.version).toBe(centralBefore?.metadata?.version);
    expect(centralAfter?.spec).toEqual(centralBefore?.spec);
    const meshwardenInCentral = calls.filter(
      (c) =>
        c.request.service === 'appmesh' &&
        c.request.caller.accountId === CENTRAL &&
        c.request.caller.arn.includes('meshwarden'),
    );
    expect(meshwardenInCentral.map((c) => c.operation)).toEqual([]);
    // The decision and its audit record name the member account.
    const decision = seen.find((e) => e['detail-type'] === 'GovernanceDecision');
    expect(decision?.detail).toMatchObject({
      account: MEMBER,
      resourceKey: `prod/route/${DEMO.router}/${DEMO.route}`,
      action: 'revert',
      outcome: 'applied',
    });
    const { eventId, eventTime } = (decision?.detail ?? {}) as { eventId: string; eventTime: string };
    const documents = createDocumentClient(local.clientConfig('admin'));
    const table = local.aws.functionEnv.MESHWARDEN_TABLE as string;
    const record = await new DynamoAuditLog(documents, table, MEMBER).get(DEMO.mesh, eventTime, eventId);
    expect(record).toMatchObject({ account: MEMBER, outcome: 'applied', published: true });
    // The people on call are told which account's prod it was.
    const told = local.aws.slack.store.messagesIn('C0MESHOPS01').messages.map((m) => m.text ?? '');
    expect(told.filter((t) => t.startsWith('Reverted:') && t.includes(`(account ${MEMBER})`))).toHaveLength(
      1,
    );
    expect(await new DynamoAuditLog(documents, table, CENTRAL).get(DEMO.mesh, eventTime, eventId)).toBe(
      undefined,
    );
    expect(local.aws.bus.deadLetters()).toEqual([]);
  }, 60_000);

  it('keeps an allowed change in the member account by its own platform admins', async () => {
    // Prepare
    seen.length = 0;

    // Act
    await shiftWeights(memberAdmin, [90, 10]);
    await local.aws.drain();

    // Assess
    const decision = seen.find((e) => e['detail-type'] === 'GovernanceDecision');
    expect(decision?.detail).toMatchObject({ account: MEMBER, action: 'keep' });
    const { route } = await memberAdmin.send(new DescribeRouteCommand(routeRef));
    expect(route?.spec?.httpRoute?.action?.weightedTargets?.map((t) => t.weight)).toEqual([90, 10]);
  }, 60_000);

  it("rolls back a member account's deployment on that account's alarm, in that account only", async () => {
    // Prepare: the member's platform admins start a canary (90/10 -> 80/20); both accounts
    // have an alarm of the same name bound to their own prod route.
    const centralBefore = (await centralAdmin.send(new DescribeRouteCommand(routeRef))).route;
    await shiftWeights(memberAdmin, [80, 20]);
    await local.aws.drain();
    const table = local.aws.functionEnv.MESHWARDEN_TABLE as string;
    const documents = createDocumentClient(local.clientConfig('admin'));
    const memberDeployments = new DynamoDbDeploymentStore(documents, table, MEMBER);
    const centralDeployments = new DynamoDbDeploymentStore(documents, table, CENTRAL);
    expect((await memberDeployments.get(DEMO.routeKey))?.deployment?.status).toBe('in-progress');
    seen.length = 0;
    calls.length = 0;

    // Act: the member account's alarm fires.
    await new CloudWatchClient({
      endpoint: local.aws.endpoint,
      region: local.aws.region,
      credentials: MEMBER_ADMIN,
    }).send(new SetAlarmStateCommand({ AlarmName: DEMO.alarms[0], StateValue: 'ALARM', StateReason: '5xx' }));
    await local.aws.drain();

    // Assess: the member's route is back on its stable target, written as the member role ...
    const { route } = await memberAdmin.send(new DescribeRouteCommand(routeRef));
    expect(route?.spec?.httpRoute?.action?.weightedTargets?.map((t) => t.weight)).toEqual([100, 0]);
    expect((await memberDeployments.get(DEMO.routeKey))?.deployment?.status).toBe('rolled-back');
    const writes = calls.filter((c) => c.request.service === 'appmesh' && c.operation === 'UpdateRoute');
    expect(writes.map((c) => c.request.caller.arn)).toEqual([
      `arn:aws:sts::${MEMBER}:assumed-role/meshwarden-member-access/meshwarden-deployment-guard`,
    ]);
    // ... and nothing of the central account's meshes or alarms was read or written.
    const central = calls.filter(
      (c) =>
        ['appmesh', 'monitoring'].includes(c.request.service) &&
        c.request.caller.arn.includes('meshwarden') &&
        c.request.caller.accountId === CENTRAL,
    );
    expect(central.map((c) => c.operation)).toEqual([]);
    // ... the central account's route and deployment records are untouched, and the event names the account.
    const centralAfter = (await centralAdmin.send(new DescribeRouteCommand(routeRef))).route;
    expect(centralAfter?.metadata?.version).toBe(centralBefore?.metadata?.version);
    expect((await centralDeployments.get(DEMO.routeKey))?.deployment).toBeUndefined();
    const rolledBack = seen.find((e) => e['detail-type'] === 'DeploymentRolledBack');
    expect(rolledBack?.detail).toMatchObject({ account: MEMBER, routeKey: DEMO.routeKey });
    expect(local.aws.bus.deadLetters()).toEqual([]);
  }, 60_000);

  it("holds a member account's change for approval and, once approved in Slack, re-applies it in that account", async () => {
    // Prepare: the member's alarm is back to OK (while it is in ALARM no write may shift weight
    // to the canary again, an approved one included).
    await new CloudWatchClient({
      endpoint: local.aws.endpoint,
      region: local.aws.region,
      credentials: MEMBER_ADMIN,
    }).send(
      new SetAlarmStateCommand({ AlarmName: DEMO.alarms[0], StateValue: 'OK', StateReason: 'recovered' }),
    );
    await local.aws.drain();
    const centralBefore = (await centralAdmin.send(new DescribeRouteCommand(routeRef))).route;
    const memberBefore = (await memberAdmin.send(new DescribeRouteCommand(routeRef))).route;
    const dave = client(MEMBER_DAVE);
    seen.length = 0;

    // Act 1: dave's change is held (reverted, approval requested in Slack)
    await shiftWeights(dave, [30, 70]);
    await local.aws.drain();

    // Assess 1
    const requested = seen.find((e) => e['detail-type'] === 'ApprovalRequested');
    expect(requested?.detail).toMatchObject({ account: MEMBER, meshName: 'prod' });
    const approvalId = String((requested?.detail as { approvalId?: string } | undefined)?.approvalId);
    const approvals = new DynamoDbApprovalStore(
      createDocumentClient(local.clientConfig('admin')),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
    );
    expect(await approvals.get(approvalId)).toMatchObject({ account: MEMBER, status: 'pending' });
    expect((await memberAdmin.send(new DescribeRouteCommand(routeRef))).route?.spec).toEqual(
      memberBefore?.spec,
    );
    const message = local.aws.slack.store
      .messagesIn('C0APPROVALS')
      .messages.find((m) => JSON.stringify(m.blocks ?? []).includes(approvalId));
    expect(JSON.stringify(message?.blocks)).toContain(`in account ${MEMBER}`);

    // Act 2: priya approves in Slack
    calls.length = 0;
    const answer = await pressButton(local.aws.slackUrl, {
      channel: 'C0APPROVALS',
      ts: message?.ts ?? '',
      action_id: 'meshwarden.approve',
      user: 'U0PLATFORM1',
    });
    await local.aws.drain();

    // Assess 2: applied in the member account, as the member role; the central prod untouched
    expect(answer.status).toBe(200);
    expect(await approvals.get(approvalId)).toMatchObject({
      account: MEMBER,
      status: 'approved',
      execution: { outcome: 'applied' },
    });
    const { route } = await memberAdmin.send(new DescribeRouteCommand(routeRef));
    expect(route?.spec?.httpRoute?.action?.weightedTargets?.map((t) => t.weight)).toEqual([30, 70]);
    const writes = calls.filter((c) => c.request.service === 'appmesh' && c.operation === 'UpdateRoute');
    expect(writes.map((c) => c.request.caller.arn)).toEqual([
      `arn:aws:sts::${MEMBER}:assumed-role/meshwarden-member-access/meshwarden-approval-executor`,
    ]);
    const centralAfter = (await centralAdmin.send(new DescribeRouteCommand(routeRef))).route;
    expect(centralAfter?.metadata?.version).toBe(centralBefore?.metadata?.version);
    expect(local.aws.bus.deadLetters()).toEqual([]);
  }, 60_000);

  it('refuses an event of an account meshwarden is not configured for, and touches no mesh', async () => {
    // Prepare: a real member-account record, re-addressed to an account with no member role.
    const real = seen.find((e) => e.source === 'aws.appmesh') ?? (await anyTrailEvent());
    const forged = {
      ...real,
      id: 'stranger-event',
      account: STRANGER,
      detail: { ...real.detail, eventID: 'stranger-event-id', recipientAccountId: STRANGER },
    };
    calls.length = 0;

    // Act
    const invoked = local.aws.functions.invoke('mesh-change', forged);

    // Assess
    await expect(invoked).rejects.toThrow(`account ${STRANGER} is not one meshwarden governs`);
    expect(calls.filter((c) => c.request.service === 'appmesh' || c.operation === 'AssumeRole')).toEqual([]);
  }, 60_000);

  it('refuses a record whose recipient account disagrees with its envelope', async () => {
    // Prepare
    const real = await anyTrailEvent();
    const mixed = {
      ...real,
      id: 'mixed-event',
      account: MEMBER,
      detail: { ...real.detail, eventID: 'mixed-event-id', recipientAccountId: CENTRAL },
    };
    calls.length = 0;

    // Act
    const invoked = local.aws.functions.invoke('mesh-change', mixed);

    // Assess
    await expect(invoked).rejects.toThrow('disagree');
    expect(calls.filter((c) => c.request.service === 'appmesh')).toEqual([]);
  }, 60_000);

  async function anyTrailEvent(): Promise<BusEvent> {
    seen.length = 0;
    await shiftWeights(memberAdmin, [90, 10]);
    await local.aws.drain();
    const event = seen.find((e) => e.source === 'aws.appmesh');
    if (event === undefined) throw new Error('no App Mesh CloudTrail event seen');
    return event;
  }
});

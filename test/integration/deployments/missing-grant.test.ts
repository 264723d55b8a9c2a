import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionRoleName } from '../../../infra/constructs/names';
import { DEMO } from '../../../infra/local/demo/seed';
import { policyDocumentSchema } from '../../../infra/local/iam/policy-document';
import type { BusEvent } from '../../../infra/local/types';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../../shared/adapters/dynamodb/deployment-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { GUARD_ENV } from './guard-env';

const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };
const GUARD_ROLE = functionRoleName('deployment-guard');

/** A policy document with one action taken out of every statement that lists it. */
function without(action: string, doc: unknown) {
  const parsed = policyDocumentSchema.parse(doc);
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  return {
    ...parsed,
    Statement: statements.flatMap((s) => {
      if (s.Action === undefined) return [s];
      const actions = (Array.isArray(s.Action) ? s.Action : [s.Action]).filter((a) => a !== action);
      return actions.length === 0 ? [] : [{ ...s, Action: actions }];
    }),
  };
}

describe('a deployment guard whose role lacks appmesh:UpdateRoute', () => {
  let local: TestLocalAws;
  let mesh: AppMeshClient;
  const seen: BusEvent[] = [];

  beforeAll(async () => {
    local = await startSeededLocalAws({ functionEnv: GUARD_ENV });
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
    mesh = new AppMeshClient(local.clientConfig());
    // The stack as if its mesh:write grant had forgotten UpdateRoute: the same role, the same
    // keys, the template's policies less that one action.
    const role = local.aws.functionRoles().find((r) => r.roleName === GUARD_ROLE);
    const current = local.aws.identities.get(GUARD_ROLE);
    if (role === undefined || current === undefined) throw new Error(`no ${GUARD_ROLE} identity`);
    local.aws.identities.replace({
      type: 'AssumedRole',
      accessKeyId: current.accessKeyId,
      secretAccessKey: current.secretAccessKey,
      roleName: role.roleName,
      sessionName: role.sessionName,
      policies: role.policies.map((doc) => without('appmesh:UpdateRoute', doc)),
    });
  });
  afterAll(() => local.aws.close());

  it('fails its rollback with AccessDenied, visibly: CloudTrail, the bus and Slack say so, the weights stay', async () => {
    const { route } = await mesh.send(new DescribeRouteCommand(ref));
    const http = route?.spec?.httpRoute;
    if (http?.action === undefined) throw new Error('demo route missing');
    const weightedTargets = (http.action.weightedTargets ?? []).map((t) => ({
      ...t,
      weight: t.virtualNode === DEMO.stableNode ? 80 : 20,
    }));
    await mesh.send(
      new UpdateRouteCommand({
        ...ref,
        spec: { ...route?.spec, httpRoute: { ...http, action: { weightedTargets } } },
      }),
    );
    await local.aws.drain();
    const from = seen.length;
    const told = local.aws.slack.store.messagesIn('C0MESHOPS01').messages.length;

    await new CloudWatchClient(local.clientConfig()).send(
      new SetAlarmStateCommand({
        AlarmName: DEMO.alarms[0],
        StateValue: 'ALARM',
        StateReason: '5xx above threshold',
      }),
    );
    await local.aws.drain();

    const refused = seen
      .slice(from)
      .filter(
        (e) => e['detail-type'] === 'AWS API Call via CloudTrail' && e.detail.eventName === 'UpdateRoute',
      );
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.detail).toMatchObject({
      errorCode: 'AccessDeniedException',
      errorMessage: expect.stringMatching(
        new RegExp(
          `^User: arn:aws:sts::${local.aws.accountId}:assumed-role/${GUARD_ROLE}/meshwarden-deployment-guard is not authorized to perform: appmesh:UpdateRoute on resource: arn:aws:appmesh:.*:mesh/${DEMO.mesh}/virtualRouter/${DEMO.router}/route/${DEMO.route} because no identity-based policy allows the appmesh:UpdateRoute action$`,
        ),
      ),
    });
    expect(seen.slice(from).filter((e) => e['detail-type'] === 'DeploymentRollbackFailed')).toHaveLength(1);
    const messages = local.aws.slack.store
      .messagesIn('C0MESHOPS01')
      .messages.slice(told)
      .map((m) => JSON.stringify(m));
    expect(messages.filter((m) => m.includes('Rollback FAILED'))).toHaveLength(1);
    const { route: after } = await mesh.send(new DescribeRouteCommand(ref));
    expect(
      after?.spec?.httpRoute?.action?.weightedTargets?.find((t) => t.virtualNode === DEMO.canaryNode)?.weight,
    ).toBe(20);
    const store = new DynamoDbDeploymentStore(
      createDocumentClient(local.clientConfig()),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
      local.aws.accountId,
    );
    expect((await store.get(DEMO.routeKey))?.deployment?.status).toBe('rolling-back');
  });
});

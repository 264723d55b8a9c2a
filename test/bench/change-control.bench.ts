/**
 * Change control: the full audit of a large synthetic mesh, judging one event (CPU only),
 * App Mesh API calls per revert counted at the local edge endpoint, and per event with the
 * mesh state cache warm and cold (cold: the daily audit ran, then the cache was dropped): calls
 * by service, handler time, and the time up to each call of a warm event in order (the phases:
 * idempotency, reads, audit record, effect, judged version, publish, cache).
 */
import {
  AppMeshClient,
  DescribeVirtualNodeCommand,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { DEMO } from '../../infra/local/demo/seed';
import { DEMO_POLICY_FILE } from '../../infra/local/runtime';
import type { LocalRequest, LocalResponse } from '../../infra/local/types';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { meshStatePartition } from '../../shared/adapters/dynamodb/mesh-state-store';
import { decideAction } from '../../shared/change-control/decide';
import { planRevert } from '../../shared/change-control/revert-plan';
import { formatResourceKey } from '../../shared/domain/resource-key';
import { derivePrincipal } from '../../shared/events/principal';
import { decideChange } from '../../shared/policy/change-control';
import { judgeMesh, judgeResource } from '../../shared/policy/judge';
import { loadPolicy } from '../../shared/policy/load';
import { buildMeshIndex } from '../../shared/policy/mesh-index';
import { startSeededLocalAws, type TestLocalAws } from '../support/local-aws';
import { loadEvent } from '../support/sample-events';
import { type Benchmark, type Figure, latencyFigures, quantile, sample } from './harness';
import { syntheticAppMesh } from './synthetic-mesh';

const NODES = 2000;
const ROUTES = 5000;

/** The synthetic mesh of this file's figures. */
function syntheticMesh() {
  return syntheticAppMesh(NODES, ROUTES);
}

const fullAudit: Benchmark = {
  name: `full audit: ${NODES} virtual nodes, ${ROUTES} routes, demo policy (index build + judgeMesh)`,
  run: async () => {
    const policy = loadPolicy(DEMO_POLICY_FILE);
    const { snapshot, issuers } = syntheticMesh();
    const now = new Date('2026-11-26T00:00:00Z');
    const check = judgeMesh(snapshot, policy, now, { certificateAuthorities: issuers });
    const samples = await sample(
      () => judgeMesh(snapshot, policy, now, { certificateAuthorities: issuers }),
      30,
      5,
    );
    return [
      ...latencyFigures('full audit', samples, 200),
      {
        name: 'full audit: findings on the synthetic mesh (for reference)',
        value: check.findings.length,
        unit: 'findings',
      },
    ];
  },
};

const judgeOneEvent: Benchmark = {
  name: 'judging one event, excluding I/O (change control + judgeResource + revert plan + decision)',
  run: async () => {
    const policy = loadPolicy(DEMO_POLICY_FILE);
    const { snapshot, issuers } = syntheticMesh();
    const index = buildMeshIndex(snapshot);
    const now = new Date('2026-11-26T00:00:00Z');
    const principal = derivePrincipal({
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: 'arn:aws:iam::000000000000:user/bob',
      accountId: '000000000000',
      userName: 'bob',
    });
    const refs = [
      { kind: 'route' as const, meshName: 'prod', parentName: 'router-7', name: 'route-3' },
      { kind: 'virtual-node' as const, meshName: 'prod', name: 'web-v42' },
      { kind: 'virtual-service' as const, meshName: 'prod', name: 'payments.prod.local' },
    ];
    const figures: Figure[] = [];
    for (const ref of refs) {
      const current = index.get(ref);
      const lkg =
        current === undefined
          ? undefined
          : {
              resourceKey: formatResourceKey(ref),
              resource: current,
              version: 1,
              eventId: 'e',
              recordedAt: 't',
              source: 'event' as const,
            };
      const change = {
        eventId: 'e',
        eventTime: '2026-11-26T00:00:00Z',
        operation: 'Update',
        verb: 'update' as const,
        ref,
        identity: { type: 'AWSService' as const, invokedBy: 'x' },
        errorCode: undefined,
        errorMessage: undefined,
        readOnly: false,
        resultVersion: undefined,
        requestedSpec: undefined,
      };
      const samples = await sample(
        () => {
          const cc = decideChange(policy, { principal, action: 'UpdateRoute', resource: ref });
          const findings = judgeResource(ref, index, policy, now, { certificateAuthorities: issuers });
          const revert = planRevert(change, current, lkg, index);
          return decideAction({ changeControl: cc, findings, onViolation: 'revert', revert });
        },
        2000,
        200,
      );
      figures.push(...latencyFigures(`judge one ${ref.kind} event`, samples, 1));
    }
    const build = await sample(() => buildMeshIndex(snapshot), 30, 5);
    figures.push({
      name: 'index build per event (state read of the whole mesh) median',
      value: quantile(build, 0.5),
      unit: 'ms',
    });
    return figures;
  },
};

/**
 * App Mesh calls and handler time per event with the mesh state cache warm and cold. Runs on
 * the local AWS of {@link callsPerRevert}: handlers read their endpoint once, at module load,
 * so one process can drive only one local AWS.
 */
async function meshStateCacheFigures(local: TestLocalAws): Promise<Figure[]> {
  // Every call mesh-change makes (any service), with when it completed: the per-call breakdown.
  const calls: { service: string; operation: string; at: number }[] = [];
  const original = local.aws.timeline.apiCall.bind(local.aws.timeline);
  local.aws.timeline.apiCall = (req: LocalRequest, res: LocalResponse, operation: string | undefined) => {
    if (req.caller.label.includes('meshwarden')) {
      calls.push({ service: req.service, operation: operation ?? '?', at: performance.now() });
    }
    original(req, res, operation);
  };
  const durations: number[] = [];
  let startedAt = 0;
  local.aws.functions.onInvocation((record) => {
    if (record.functionName === 'mesh-change') {
      durations.push(record.durationMs);
      startedAt = performance.now() - record.durationMs;
    }
  });
  const documents = createDocumentClient(local.clientConfig('admin'));
  const table = local.aws.functionEnv.MESHWARDEN_TABLE ?? '';
  // An allowed, compliant change of a node by the admin (kept): the deployment guard only
  // reacts to route changes, so every App Mesh call counted here is mesh-change's.
  const admin = new AppMeshClient(local.clientConfig('admin'));
  const ref = { meshName: DEMO.mesh, virtualNodeName: DEMO.canaryNode };
  const oneEvent = async () => {
    const { virtualNode } = await admin.send(new DescribeVirtualNodeCommand(ref));
    calls.length = 0;
    durations.length = 0;
    await admin.send(new UpdateVirtualNodeCommand({ ...ref, spec: virtualNode?.spec }));
    await local.aws.drain();
    const own = [...calls];
    return {
      appMesh: own.filter((c) => c.service === 'appmesh').length,
      dynamodb: own.filter((c) => c.service === 'dynamodb').length,
      total: own.length,
      ms: durations.reduce((a, b) => a + b, 0),
      // Time from the previous call's completion (or the invocation's start) to this call's.
      steps: own.map((c, i) => ({
        name: `${c.service}:${c.operation}`,
        ms: c.at - (i === 0 ? startedAt : (own[i - 1]?.at ?? startedAt)),
      })),
    };
  };
  const runs = async (n: number, before?: () => Promise<void>) => {
    const out: Awaited<ReturnType<typeof oneEvent>>[] = [];
    for (let i = 0; i < n; i++) {
      await before?.();
      out.push(await oneEvent());
    }
    return out;
  };
  // A cold cache the way production meets one: the daily audit has left its snapshot, and the
  // cache is gone (a new deployment, a dropped partition). The audit runs before each cold event.
  const audit = async () => {
    await local.aws.functions.invoke('mesh-audit', loadEvent('scheduler/daily-audit'));
    await local.aws.drain();
    await clearMeshState(documents, table, local.aws.accountId, DEMO.mesh);
  };
  const cold = await runs(5, audit);
  const warm = await runs(30);
  const median = (xs: readonly number[]) => quantile(xs, 0.5);
  // Local AWS runs in this process: each call costs its own CPU here (SDK, signature check,
  // dynalite), which in Lambda is a network wait. One call's cost, to read the handler's own
  // time out of the figure above.
  const roundTrip = await sample(
    () => documents.send(new GetCommand({ TableName: table, Key: { pk: 'bench', sk: 'round-trip' } })),
    50,
    10,
  );
  const warmOwn = warm.map((r) => r.ms - r.total * quantile(roundTrip, 0.5));
  const last = warm.at(-1);
  return [
    {
      name: 'App Mesh calls per event (warm cache)',
      value: median(warm.map((r) => r.appMesh)),
      unit: 'calls',
      target: 4,
    },
    {
      name: 'App Mesh calls per event (cold cache)',
      value: median(cold.map((r) => r.appMesh)),
      unit: 'calls',
      target: 4,
    },
    {
      name: 'DynamoDB calls per event (warm cache)',
      value: median(warm.map((r) => r.dynamodb)),
      unit: 'calls',
    },
    {
      name: 'DynamoDB calls per event (cold cache)',
      value: median(cold.map((r) => r.dynamodb)),
      unit: 'calls',
    },
    {
      name: 'AWS calls per event, all services (warm cache)',
      value: median(warm.map((r) => r.total)),
      unit: 'calls',
    },
    {
      name: 'handler time per event (warm cache), median',
      value: median(warm.map((r) => r.ms)),
      unit: 'ms',
      target: 10,
    },
    { name: 'handler time per event (cold cache), median', value: median(cold.map((r) => r.ms)), unit: 'ms' },
    {
      name: 'one local AWS round trip (GetItem, for reference), median',
      value: median(roundTrip),
      unit: 'ms',
    },
    {
      name: 'handler time per warm event less its round trips (estimate), median',
      value: median(warmOwn),
      unit: 'ms',
    },
    // The warm event's calls in order, each with the median time up to its completion: where the time goes.
    ...(last?.steps ?? []).map((step, i) => ({
      name: `  warm step ${i + 1}: ${step.name}`,
      value: median(warm.map((r) => r.steps[i]?.ms ?? Number.NaN)),
      unit: 'ms',
    })),
  ];
}

const callsPerRevert: Benchmark = {
  name: 'App Mesh API calls per revert and per event with the mesh state cache, counted at the local edge endpoint (demo mesh)',
  run: async () => {
    const local = await startSeededLocalAws();
    try {
      const calls: { who: string; operation: string }[] = [];
      const original = local.aws.timeline.apiCall.bind(local.aws.timeline);
      local.aws.timeline.apiCall = (req: LocalRequest, res: LocalResponse, operation: string | undefined) => {
        if (req.service === 'appmesh') calls.push({ who: req.caller.label, operation: operation ?? '?' });
        original(req, res, operation);
      };
      const alice = new AppMeshClient(local.clientConfig('oidcDeveloper'));
      const ref = { meshName: DEMO.mesh, virtualNodeName: DEMO.stableNode };
      const reverts = 10;
      const perRevert: number[] = [];
      const writes: number[] = [];
      for (let i = 0; i < reverts; i++) {
        const { virtualNode } = await alice.send(new DescribeVirtualNodeCommand(ref));
        calls.length = 0;
        const listeners = (virtualNode?.spec?.listeners ?? []).map((l) => ({ ...l, healthCheck: undefined }));
        await alice.send(new UpdateVirtualNodeCommand({ ...ref, spec: { ...virtualNode?.spec, listeners } }));
        await local.aws.drain();
        const own = calls.filter((c) => c.who.includes('meshwarden'));
        perRevert.push(own.length);
        writes.push(own.filter((c) => !/^(Describe|List)/.test(c.operation)).length);
      }
      return [
        {
          name: 'App Mesh writes per revert (median)',
          value: quantile(writes, 0.5),
          unit: 'calls',
          target: 2,
        },
        {
          name: 'App Mesh calls per violating event incl. the state read (median)',
          value: quantile(perRevert, 0.5),
          unit: 'calls',
        },
        ...(await meshStateCacheFigures(local)),
      ];
    } finally {
      await local.aws.close();
    }
  },
};

/** Delete a mesh's cached state, so the next event finds the cache cold. */
async function clearMeshState(
  documents: DynamoDBDocumentClient,
  table: string,
  account: string,
  meshName: string,
) {
  const out = await documents.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': meshStatePartition(account, meshName) },
    }),
  );
  const deletes = (out.Items ?? []).map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } }));
  for (let i = 0; i < deletes.length; i += 25) {
    await documents.send(new BatchWriteCommand({ RequestItems: { [table]: deletes.slice(i, i + 25) } }));
  }
}

const benchmarks: readonly Benchmark[] = [fullAudit, judgeOneEvent, callsPerRevert];
export default benchmarks;

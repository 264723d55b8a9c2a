import { FUNCTIONS } from '../../infra/function-catalog';
import { DynamoAuditLog } from '../../shared/adapters/dynamodb/audit-log';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { startSeededLocalAws } from '../support/local-aws';
import { type Benchmark, latencyFigures, sample } from './harness';

const DECISIONS = 1000;

/** A decision as change control records one: a held weight change with its rule, sentence and diff. */
function decision(i: number, eventTime: string) {
  return {
    eventId: `bench-${i}`,
    eventTime,
    meshName: 'prod',
    resourceKey: 'prod/route/web-router/web-route',
    operation: 'UpdateRoute',
    principal: { arn: 'arn:aws:iam::000000000000:user/bob', label: 'IAM user bob', type: 'IAMUser' },
    changeControl: 'deny',
    action: 'hold',
    ruleIds: ['change-control'],
    findings: [],
    plan: 'restore the last known good spec of prod/route/web-router/web-route',
    reasons: [
      'IAM user bob may not make UpdateRoute on prod/route/web-router/web-route: no allow rule matches and the default is deny; override bob-needs-approval says hold.',
    ],
    diff: `spec.httpRoute.action.weightedTargets[0].weight: 90 -> ${i % 100}\nspec.httpRoute.action.weightedTargets[1].weight: 10 -> ${100 - (i % 100)}`,
    resourceVersion: i,
  };
}

/**
 * `GET /api/decisions?limit=1000` through the local HTTP API, warm: the JWT authorizer (RS256
 * against the issuer's JWKS), the console-api handler, one DynamoDB Query page of 1,000 audit
 * records and their JSON. Writing the records is not timed.
 */
const listDecisions: Benchmark = {
  name: `HTTP API: list ${DECISIONS} decisions, warm (local HTTP API + JWT authorizer + DynamoDB Query)`,
  run: async () => {
    const local = await startSeededLocalAws({ functions: FUNCTIONS.filter((f) => f.name === 'console-api') });
    try {
      const audit = new DynamoAuditLog(
        createDocumentClient(local.clientConfig('meshwarden')),
        local.aws.functionEnv.MESHWARDEN_TABLE ?? '',
        local.aws.accountId,
      );
      const start = Date.parse('2026-12-01T00:00:00Z');
      for (let i = 0; i < DECISIONS; i++) {
        const eventTime = new Date(start + i * 1000).toISOString().replace('.000Z', 'Z');
        await audit.put({
          meshName: 'prod',
          eventId: `bench-${i}`,
          eventTime,
          decision: decision(i, eventTime),
          outcome: 'applied',
          published: true,
        });
      }
      const token = await local.aws.oidc.sign('victor');
      const list = (query: string) => async () => {
        const response = await fetch(`${local.aws.httpApiUrl}/api/decisions?${query}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await response.json()) as { decisions?: unknown[] };
        if (response.status !== 200 || (body.decisions?.length ?? 0) < DECISIONS)
          throw new Error(`answered ${response.status} with ${body.decisions?.length} decisions`);
      };
      const allMeshes = await sample(list(`limit=${DECISIONS}&since=2026-12-01T00:00:00Z`), 40, 20);
      const oneMesh = await sample(list(`mesh=prod&limit=${DECISIONS}&since=2026-12-01T00:00:00Z`), 40, 20);
      return [
        ...latencyFigures(`${DECISIONS} decisions of one mesh (base table)`, oneMesh, 50),
        ...latencyFigures(`${DECISIONS} decisions of all meshes (audit-by-time index)`, allMeshes, 50),
      ];
    } finally {
      await local.aws.close();
    }
  },
};

export default [listDecisions];

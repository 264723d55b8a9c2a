import { randomUUID } from 'node:crypto';
import { DEFAULT_IDENTITIES } from '../../../infra/local/edge/identities';
import { STEP_INPUT_KIND } from '../../../shared/adapters/scheduler/step-scheduler';
import { loadEvent, type SampleName } from '../../support/sample-events';

/** Valid inputs of the event handlers, from the samples in events/ and meshwarden's own contracts. */

/** A fresh event id per run, so idempotency never answers from a previous run's record. */
export function fresh(event: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(event);
  copy.id = randomUUID();
  const detail = copy.detail as Record<string, unknown> | undefined;
  if (detail !== undefined && typeof detail === 'object' && 'eventID' in detail)
    detail.eventID = randomUUID();
  return copy;
}

/**
 * The samples were recorded in another account: deliver them as local AWS's own account would,
 * so the mutations reach the handlers' judgement instead of their account check.
 */
function inLocalAccount(event: Record<string, unknown>): Record<string, unknown> {
  const detail = event.detail as Record<string, unknown> | undefined;
  if (detail !== undefined && typeof detail === 'object' && 'recipientAccountId' in detail)
    detail.recipientAccountId = DEFAULT_IDENTITIES.accountId;
  return { ...event, account: DEFAULT_IDENTITIES.accountId };
}

export const sample = (name: SampleName) => () =>
  inLocalAccount(fresh(loadEvent(name) as Record<string, unknown>));

function meshwardenEvent(detailType: string, detail: Record<string, unknown>): () => Record<string, unknown> {
  return () => ({
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'meshwarden',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  });
}

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

export const approvalRequested = meshwardenEvent('ApprovalRequested', {
  approvalId: 'fuzz-request',
  meshName: 'prod',
  action: {
    type: 'promote-deployment',
    routeKey: 'prod/web-router/web-route',
    deploymentId: 'd-fuzz',
    toWeight: 100,
  },
  title: 'Promote web-route to 100%',
  reason: 'deployment gate',
  requestedBy: { arn: 'arn:aws:iam::000000000000:user/bob', label: 'bob' },
  diff: 'web-v2 10 -> 100',
  expiresAt: inAnHour(),
});

/** Decided as expired, on actions that name nothing that exists: accepted, harmless. */
const approvalDecided = (action: Record<string, unknown>) =>
  meshwardenEvent('ApprovalDecided', {
    approvalId: 'fuzz-decided',
    meshName: 'prod',
    action,
    decision: 'expired',
    decidedAt: new Date().toISOString(),
  });

export const promoteDecided = approvalDecided({
  type: 'promote-deployment',
  routeKey: 'prod/web-router/web-route',
  deploymentId: 'd-fuzz',
  toWeight: 100,
});
export const rolloverDecided = approvalDecided({
  type: 'finish-ca-rollover',
  rolloverId: 'r-fuzz',
  oldCaArn: 'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/old',
  newCaArn: 'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/new',
});

/** The CLI's claim that a rollover waits for its approval. */
const rolloverAwaitingApproval = () => ({
  ...rolloverDecided(),
  source: 'meshwarden.cli',
  'detail-type': 'CaRolloverAwaitingApproval',
  detail: { rolloverId: '0123456789abcdef0123', meshName: 'prod' },
});

const stepInput = () => ({
  kind: STEP_INPUT_KIND,
  id: randomUUID(),
  scheduledAt: new Date().toISOString(),
  routeKey: 'prod/web-router/web-route',
  deploymentId: 'd-fuzz',
  stepIndex: 1,
  token: '0123456789abcdef01234567',
});

/** Valid inputs of each handler (one per trigger it has), which the mutations bend. */
export const BASES: Record<string, readonly (() => Record<string, unknown>)[]> = {
  'mesh-change': [
    sample('appmesh/update-route'),
    sample('appmesh/update-route-oidc'),
    sample('appmesh/create-virtual-node'),
    sample('appmesh/delete-virtual-service'),
    sample('appmesh/update-route-access-denied'),
    sample('sts/assume-role-with-web-identity'),
  ],
  'mesh-audit': [sample('scheduler/daily-audit')],
  'deployment-guard': [
    sample('appmesh/update-route'),
    sample('cloudwatch/metric-alarm-to-alarm'),
    sample('cloudwatch/composite-alarm-to-alarm'),
    promoteDecided,
    stepInput,
  ],
  'approval-executor': [approvalRequested, promoteDecided, sample('scheduler/daily-audit')],
  'cert-rotation': [
    sample('acm/approaching-expiration'),
    rolloverDecided,
    sample('scheduler/daily-audit'),
    rolloverAwaitingApproval,
  ],
};

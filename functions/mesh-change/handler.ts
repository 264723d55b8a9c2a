import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ACMClient } from '@aws-sdk/client-acm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { STSClient } from '@aws-sdk/client-sts';
import { notifierIn, publisherIn } from '../../shared/accounts/account-scoped';
import {
  accountDirectory,
  accountOfEvent,
  governedMeshesIn,
  PerAccount,
  UnknownAccountError,
} from '../../shared/accounts/accounts';
import { AcmCertificateIssuers } from '../../shared/adapters/acm/certificate-issuers';
import { clientConfigFor } from '../../shared/adapters/aws/account-clients';
import { AssumedRoleCredentials } from '../../shared/adapters/aws/assumed-role-credentials';
import { DynamoAuditLog } from '../../shared/adapters/dynamodb/audit-log';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { coalescingGets } from '../../shared/adapters/dynamodb/coalescing-gets';
import { DynamoDecisionCommitter } from '../../shared/adapters/dynamodb/decision-committer';
import { DynamoJudgedVersionStore } from '../../shared/adapters/dynamodb/judged-versions-store';
import { DynamoLastKnownGoodStore } from '../../shared/adapters/dynamodb/last-known-good-store';
import { DynamoLatticeLastKnownGoodStore } from '../../shared/adapters/dynamodb/lattice-last-known-good-store';
import { DynamoMeshSnapshotStore } from '../../shared/adapters/dynamodb/mesh-snapshot-store';
import { DynamoMeshStateStore } from '../../shared/adapters/dynamodb/mesh-state-store';
import { DynamoWebIdentitySessionStore } from '../../shared/adapters/dynamodb/web-identity-sessions-store';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import { parseMeshChangeInbound } from '../../shared/change-control/inbound';
import { judgeChange } from '../../shared/change-control/judge-change';
import { recordingOwnWrites } from '../../shared/change-control/own-writes';
import { recordWebIdentitySession } from '../../shared/change-control/record-web-identity';
import { parsedOnce, validateFirst } from '../../shared/change-control/validate-first';
import { baseConfig, readConfig } from '../../shared/config';
import { governedServiceNetworks } from '../../shared/deployments/route-policy';
import { eventHandler } from '../../shared/handler';
import { eventIdempotency } from '../../shared/idempotency';
import { functionNotifier } from '../../shared/notifier';
import { policyForAccount } from '../../shared/policy/account-view';
import { loadPolicy } from '../../shared/policy/compiled-load';
import { logger, metrics, tracer } from '../../shared/powertools';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/providers/appmesh';
import {
  createLatticeClient,
  LatticeAdapter,
  LatticeChangeTargetsAdapter,
} from '../../shared/providers/vpc-lattice';
import { judgeLatticeChange } from '../../shared/providers/vpc-lattice/change-control/judge-lattice-change';
import * as z from '../../shared/schema';

const config = readConfig(
  z.pick(baseConfig, {
    AWS_REGION: true,
    MESHWARDEN_EVENT_BUS: true,
    MESHWARDEN_TABLE: true,
    MESHWARDEN_MESHES: true,
    MESHWARDEN_POLICY_FILE: true,
    MESHWARDEN_SELF_ROLE_ARNS: true,
    MESHWARDEN_SLACK_SECRET: true,
    MESHWARDEN_ACCOUNT_ID: true,
    MESHWARDEN_MEMBER_ROLE_ARNS: true,
    MESHWARDEN_MEMBER_MESHES: true,
  }),
);
const policy = await loadPolicy(config.MESHWARDEN_POLICY_FILE);
// Change control's independent item reads per event travel as one BatchGetItem.
const documents = coalescingGets(createDocumentClient());
const table = config.MESHWARDEN_TABLE;
const sessions = new DynamoWebIdentitySessionStore(documents, table);
const publisher = new EventBridgePublisher(
  tracer.captureAWSv3Client(new EventBridgeClient({})),
  config.MESHWARDEN_EVENT_BUS,
);
const accounts = accountDirectory(config.MESHWARDEN_ACCOUNT_ID, config.MESHWARDEN_MEMBER_ROLE_ARNS);
const memberCredentials = new AssumedRoleCredentials(tracer.captureAWSv3Client(new STSClient({})), {
  sessionName: 'meshwarden-mesh-change',
});

/** Everything the use case reads and writes, as one account's: its meshes, its state, its keys. */
const depsByAccount = new PerAccount(accounts, (access) => {
  const { account } = access;
  const clientConfig = clientConfigFor(access, memberCredentials);
  const lastKnownGood = new DynamoLastKnownGoodStore(documents, table, account);
  const judgedVersions = new DynamoJudgedVersionStore(documents, table, account);
  const audit = new DynamoAuditLog(documents, table, account);
  const accountPolicy = policyForAccount(policy, account, accounts.central);
  const latticeClient = tracer.captureAWSv3Client(createLatticeClient(clientConfig));
  return {
    // VPC Lattice: the service networks the policy's `provider: vpc-lattice` entries govern here.
    lattice: new LatticeChangeTargetsAdapter(latticeClient, new LatticeAdapter(latticeClient)),
    governedNetworks: governedServiceNetworks(accountPolicy),
    latticeLastKnownGood: new DynamoLatticeLastKnownGoodStore(documents, table, account),
    meshes: recordingOwnWrites(
      createAppMeshProvider(tracer.captureAWSv3Client(createAppMeshClient(clientConfig))),
      lastKnownGood,
    ),
    policy: accountPolicy,
    // In a member account meshwarden writes as the role it assumes there: those writes are its own.
    selfRoleArns:
      access.kind === 'member'
        ? [...config.MESHWARDEN_SELF_ROLE_ARNS, access.roleArn]
        : config.MESHWARDEN_SELF_ROLE_ARNS,
    governedMeshes: governedMeshesIn(
      accounts,
      account,
      config.MESHWARDEN_MESHES,
      config.MESHWARDEN_MEMBER_MESHES,
    ),
    lastKnownGood,
    judgedVersions,
    audit,
    // A decision's record and state writes travel as one transaction.
    decisions: new DynamoDecisionCommitter(documents, { audit, lastKnownGood, judgedVersions }),
    sessions,
    meshState: new DynamoMeshStateStore(documents, table, account),
    snapshots: new DynamoMeshSnapshotStore(documents, table, account),
    issuers: new AcmCertificateIssuers(tracer.captureAWSv3Client(new ACMClient(clientConfig))),
    publisher: publisherIn(account, publisher),
    // Reverts, holds and reports are told in the mesh's Slack channel (logged where the policy names none).
    notifier: notifierIn(account, functionNotifier(accountPolicy, config.MESHWARDEN_SLACK_SECRET)),
    onNotifyFailure: (error: unknown) => {
      metrics.addMetric('NotifyFailed', MetricUnit.Count, 1);
      logger.error('the decision stands, but telling the channel failed', { error });
    },
    now: () => new Date(),
  };
});

/**
 * App Mesh and VPC Lattice writes are judged against the policy (keep, revert, hold or report); OIDC
 * federations are remembered for their session tags. Idempotent per CloudTrail event id:
 * CloudTrail itself may deliver one record twice, in two EventBridge envelopes.
 */
const parseInbound = parsedOnce(parseMeshChangeInbound);

export const handler = eventHandler(
  parseInbound,
  async (inbound) => {
    if (inbound.type === 'web-identity') {
      const recorded = await recordWebIdentitySession(sessions, inbound.event);
      return { recorded: recorded.session.assumedRoleArn, expiresAt: recorded.expiresAt };
    }
    // The event's account picks the credentials and state; an account not configured is
    // refused here, before anything is read or written.
    const account = accountOfEvent(inbound.event);
    let deps: ReturnType<typeof depsByAccount.for>;
    try {
      deps = depsByAccount.for(account);
    } catch (error) {
      if (error instanceof UnknownAccountError) metrics.addMetric('UnknownAccount', MetricUnit.Count, 1);
      throw error;
    }
    const result =
      inbound.type === 'vpc-lattice'
        ? await judgeLatticeChange(
            { ...deps, lastKnownGood: deps.latticeLastKnownGood },
            inbound.event.detail,
          )
        : await judgeChange(deps, inbound.event);
    if (result.action !== undefined) metrics.addMetric(`Change_${result.action}`, MetricUnit.Count, 1);
    // Nothing escapes judgment quietly: a change meshwarden could not judge is alarmed on.
    if (result.status === 'unjudgeable') metrics.addMetric('UnjudgeableChange', MetricUnit.Count, 1);
    logger.info('mesh change handled', { result });
    return result;
  },
  {
    idempotency: validateFirst(
      parseInbound,
      eventIdempotency({
        functionName: 'mesh-change',
        tableName: table,
        client: tracer.captureAWSv3Client(new DynamoDBClient({})),
        eventKeyJmesPath: 'detail.eventID',
      }),
    ),
  },
);

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { accountDirectory, PerAccount } from '../../shared/accounts/accounts';
import { clientConfigFor } from '../../shared/adapters/aws/account-clients';
import { AssumedRoleCredentials } from '../../shared/adapters/aws/assumed-role-credentials';
import { DynamoDbApprovalStore } from '../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { DynamoLastKnownGoodStore } from '../../shared/adapters/dynamodb/last-known-good-store';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import { createSlackApprovals } from '../../shared/adapters/slack';
import { executeDecision } from '../../shared/approvals/execute';
import { parseExecutorEvent } from '../../shared/approvals/executor-event';
import { sweepApprovals } from '../../shared/approvals/expire';
import { requestApproval } from '../../shared/approvals/request';
import { FORGED_APPROVAL_METRIC } from '../../shared/approvals/verified-decision';
import { recordingOwnWrites } from '../../shared/change-control/own-writes';
import { validateFirst } from '../../shared/change-control/validate-first';
import { baseConfig, readConfig } from '../../shared/config';
import { eventHandler } from '../../shared/handler';
import { eventIdempotency } from '../../shared/idempotency';
import { policyForAccount } from '../../shared/policy/account-view';
import { loadPolicy } from '../../shared/policy/compiled-load';
import { logger, metrics, tracer } from '../../shared/powertools';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/providers/appmesh';
import {
  createLatticeClient,
  LatticeAdapter,
  LatticeChangeTargetsAdapter,
} from '../../shared/providers/vpc-lattice';
import * as z from '../../shared/schema';

const config = readConfig(
  z.pick(baseConfig, {
    AWS_REGION: true,
    MESHWARDEN_EVENT_BUS: true,
    MESHWARDEN_TABLE: true,
    MESHWARDEN_POLICY_FILE: true,
    MESHWARDEN_SLACK_SECRET: true,
    MESHWARDEN_ACCOUNT_ID: true,
    MESHWARDEN_MEMBER_ROLE_ARNS: true,
  }),
);
const policy = await loadPolicy(config.MESHWARDEN_POLICY_FILE);
const documents = createDocumentClient();
tracer.captureAWSv3Client(documents);
const store = new DynamoDbApprovalStore(documents, config.MESHWARDEN_TABLE);
const chat = createSlackApprovals({
  secretName: config.MESHWARDEN_SLACK_SECRET,
  secretsClient: tracer.captureAWSv3Client(new SecretsManagerClient({})),
});
const accounts = accountDirectory(config.MESHWARDEN_ACCOUNT_ID, config.MESHWARDEN_MEMBER_ROLE_ARNS);
const memberCredentials = new AssumedRoleCredentials(tracer.captureAWSv3Client(new STSClient({})), {
  sessionName: 'meshwarden-approval-executor',
});
/** An approved change is re-applied in its mesh's account: a member account's through its role. */
const meshesByAccount = new PerAccount(accounts, (access) =>
  recordingOwnWrites(
    createAppMeshProvider(
      tracer.captureAWSv3Client(createAppMeshClient(clientConfigFor(access, memberCredentials))),
    ),
    new DynamoLastKnownGoodStore(documents, config.MESHWARDEN_TABLE, access.account),
  ),
);
const meshes = meshesByAccount.for(accounts.central);
const meshesIn = (account: string) => meshesByAccount.for(account);
/** An approved VPC Lattice change is re-applied in its service network's account, as App Mesh's. */
const latticeByAccount = new PerAccount(accounts, (access) => {
  const client = tracer.captureAWSv3Client(createLatticeClient(clientConfigFor(access, memberCredentials)));
  return new LatticeChangeTargetsAdapter(client, new LatticeAdapter(client));
});
const lattice = latticeByAccount.for(accounts.central);
const latticeIn = (account: string) => latticeByAccount.for(account);
const publisher = new EventBridgePublisher(
  tracer.captureAWSv3Client(new EventBridgeClient({})),
  config.MESHWARDEN_EVENT_BUS,
);
const now = () => new Date();

/**
 * Slack approvals, asynchronous side: post each ApprovalRequested in Slack, carry out an
 * approved held change (the stored approval, never the event's claim) and update the message
 * on ApprovalDecided, and close expired approvals on the sweep schedule.
 */
export const handler = eventHandler(
  parseExecutorEvent,
  async (input) => {
    switch (input.kind) {
      case 'requested':
        return requestApproval(
          {
            store,
            chat,
            // The approvers and channel of the mesh's own account's policy entry.
            policy: policyForAccount(
              policy,
              input.event.detail.account ?? accounts.central,
              accounts.central,
            ),
            now,
            log: logger,
          },
          input.event.detail,
        );
      case 'decided': {
        const result = await executeDecision(
          { store, chat, meshes, meshesIn, lattice, latticeIn, publisher, now, log: logger },
          input.event.detail,
        );
        // Operators alarm on this: someone put a decision on the bus that no person made.
        if (result.kind === 'refused') metrics.addMetric(FORGED_APPROVAL_METRIC, MetricUnit.Count, 1);
        return result;
      }
      case 'sweep':
        return sweepApprovals({ store, publisher, now, log: logger });
    }
  },
  {
    // Refuse a malformed event with the parser's error before idempotency looks for its key.
    idempotency: validateFirst(
      parseExecutorEvent,
      eventIdempotency({
        functionName: 'approval-executor',
        tableName: config.MESHWARDEN_TABLE,
        client: documents,
      }),
    ),
  },
);

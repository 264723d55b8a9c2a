import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ACMClient } from '@aws-sdk/client-acm';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { STSClient } from '@aws-sdk/client-sts';
import { notifierIn, publisherIn } from '../../shared/accounts/account-scoped';
import { accountDirectory, governedMeshesIn, PerAccount } from '../../shared/accounts/accounts';
import { AcmCertificateIssuers } from '../../shared/adapters/acm/certificate-issuers';
import { clientConfigFor } from '../../shared/adapters/aws/account-clients';
import { AssumedRoleCredentials } from '../../shared/adapters/aws/assumed-role-credentials';
import { CloudWatchAlarmSource } from '../../shared/adapters/cloudwatch/alarm-source';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { DynamoLastKnownGoodStore } from '../../shared/adapters/dynamodb/last-known-good-store';
import { DynamoLatticeLastKnownGoodStore } from '../../shared/adapters/dynamodb/lattice-last-known-good-store';
import { DynamoMeshSnapshotStore } from '../../shared/adapters/dynamodb/mesh-snapshot-store';
import { DynamoMeshStateStore } from '../../shared/adapters/dynamodb/mesh-state-store';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import { auditEveryAccount } from '../../shared/change-control/audit-accounts';
import type { AuditMeshDeps } from '../../shared/change-control/audit-mesh';
import { baseConfig, readConfig } from '../../shared/config';
import { governedServiceNetworks } from '../../shared/deployments/route-policy';
import { parseScheduledEvent } from '../../shared/events/scheduled-event';
import { eventHandler } from '../../shared/handler';
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
import type { ServiceNetworkAuditDeps } from '../../shared/providers/vpc-lattice/change-control/audit';
import { recordLatticeBaselines } from '../../shared/providers/vpc-lattice/change-control/lattice-baseline';
import * as z from '../../shared/schema';

const config = readConfig(
  z.pick(baseConfig, {
    AWS_REGION: true,
    MESHWARDEN_EVENT_BUS: true,
    MESHWARDEN_TABLE: true,
    MESHWARDEN_MESHES: true,
    MESHWARDEN_POLICY_FILE: true,
    MESHWARDEN_SLACK_SECRET: true,
    MESHWARDEN_ACCOUNT_ID: true,
    MESHWARDEN_MEMBER_ROLE_ARNS: true,
    MESHWARDEN_MEMBER_MESHES: true,
  }),
);
const documents = createDocumentClient();
const policy = await loadPolicy(config.MESHWARDEN_POLICY_FILE);
const table = config.MESHWARDEN_TABLE;
const publisher = new EventBridgePublisher(
  tracer.captureAWSv3Client(new EventBridgeClient({})),
  config.MESHWARDEN_EVENT_BUS,
);
const accounts = accountDirectory(config.MESHWARDEN_ACCOUNT_ID, config.MESHWARDEN_MEMBER_ROLE_ARNS);
// With member accounts, every finding and notice names its account, the central one's too;
// without, the audit's events and notices are as they always were.
const severalAccounts = accounts.members.size > 0;
const memberCredentials = new AssumedRoleCredentials(tracer.captureAWSv3Client(new STSClient({})), {
  sessionName: 'meshwarden-mesh-audit',
});

/** The audit's reads and writes as one account's: its meshes, alarms, certificates, state keys. */
const depsByAccount = new PerAccount(accounts, (access): AuditMeshDeps => {
  const { account } = access;
  const clientConfig = clientConfigFor(access, memberCredentials);
  const accountPolicy = policyForAccount(policy, account, accounts.central);
  // Dangling policy references are told in the mesh's Slack channel (logged where the policy names none).
  const notifier = functionNotifier(accountPolicy, config.MESHWARDEN_SLACK_SECRET);
  return {
    meshes: createAppMeshProvider(tracer.captureAWSv3Client(createAppMeshClient(clientConfig))),
    policy: accountPolicy,
    alarms: new CloudWatchAlarmSource(tracer.captureAWSv3Client(new CloudWatchClient(clientConfig))),
    notifier: severalAccounts ? notifierIn(account, notifier) : notifier,
    issuers: new AcmCertificateIssuers(tracer.captureAWSv3Client(new ACMClient(clientConfig))),
    lastKnownGood: new DynamoLastKnownGoodStore(documents, table, account),
    meshState: new DynamoMeshStateStore(documents, table, account),
    snapshots: new DynamoMeshSnapshotStore(documents, table, account),
    publisher: severalAccounts ? publisherIn(account, publisher) : publisher,
    now: () => new Date(),
  };
});

/** First sight of the governed VPC Lattice service networks, as one account's. */
const latticeByAccount = new PerAccount(accounts, (access) => {
  const client = tracer.captureAWSv3Client(createLatticeClient(clientConfigFor(access, memberCredentials)));
  return {
    lattice: new LatticeChangeTargetsAdapter(client, new LatticeAdapter(client)),
    lastKnownGood: new DynamoLatticeLastKnownGoodStore(documents, table, access.account),
    now: () => new Date(),
    networks: governedServiceNetworks(policyForAccount(policy, access.account, accounts.central)),
  };
});

/** The Lattice audit's reads as one account's: its service networks and certificates. */
const latticeDepsByAccount = new PerAccount(accounts, (access): ServiceNetworkAuditDeps => {
  const { account } = access;
  const clientConfig = clientConfigFor(access, memberCredentials);
  return {
    networks: new LatticeAdapter(tracer.captureAWSv3Client(createLatticeClient(clientConfig))),
    policy: policyForAccount(policy, account, accounts.central),
    issuers: new AcmCertificateIssuers(tracer.captureAWSv3Client(new ACMClient(clientConfig))),
    publisher: severalAccounts ? publisherIn(account, publisher) : publisher,
    now: () => new Date(),
  };
});

/**
 * On a schedule: judge every governed mesh and VPC Lattice service network of every account
 * whole, report drift and dangling policy references, record missing last known goods (App Mesh
 * resources, and the rules, listener default actions and auth policies of governed VPC Lattice
 * service networks).
 */
export const handler = eventHandler(parseScheduledEvent, async () => {
  const audited = await auditEveryAccount({
    accounts,
    depsFor: (account) => depsByAccount.for(account),
    meshesIn: (account) =>
      governedMeshesIn(accounts, account, config.MESHWARDEN_MESHES, config.MESHWARDEN_MEMBER_MESHES),
    // The policy's `provider: vpc-lattice` entries name the service networks audited in each account.
    lattice: {
      depsFor: (account) => latticeDepsByAccount.for(account),
      networksIn: (account) => governedServiceNetworks(policyForAccount(policy, account, accounts.central)),
    },
  });
  for (const { account, reports } of audited) {
    for (const report of reports) {
      const total = Object.values(report.counts).reduce((sum, n) => sum + n, 0);
      metrics.addMetric('MeshResources', MetricUnit.Count, total);
      metrics.addMetric('MeshViolations', MetricUnit.Count, report.violations);
      metrics.addMetric('PolicyDanglingReferences', MetricUnit.Count, report.danglingReferences.length);
      for (const reference of report.danglingReferences) {
        logger.warn('policy reference resolves to nothing', {
          ...(severalAccounts ? { account } : {}),
          meshName: report.meshName,
          reference,
        });
      }
    }
  }
  for (const account of [accounts.central, ...accounts.members.keys()]) {
    const lattice = latticeByAccount.for(account);
    if (lattice.networks.length === 0) continue;
    for (const { serviceNetwork, recorded } of await recordLatticeBaselines(lattice, lattice.networks)) {
      if (recorded === 'missing') {
        metrics.addMetric('PolicyDanglingReferences', MetricUnit.Count, 1);
        logger.warn('the policy governs a VPC Lattice service network that does not exist', {
          account,
          serviceNetwork,
        });
      } else {
        logger.info('VPC Lattice first sight recorded', { account, serviceNetwork, recorded });
      }
    }
  }
  // Each report names its account when there are several; the central-only result is unchanged.
  const reports = severalAccounts
    ? audited.flatMap(({ account, reports }) => reports.map((report) => ({ account, ...report })))
    : audited.flatMap(({ reports }) => reports);
  logger.info('mesh audit done', { reports });
  return reports;
});

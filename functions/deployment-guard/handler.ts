import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { notifierIn, publisherIn, schedulerIn } from '../../shared/accounts/account-scoped';
import { accountDirectory, governedMeshesIn, PerAccount } from '../../shared/accounts/accounts';
import { clientConfigFor } from '../../shared/adapters/aws/account-clients';
import { AssumedRoleCredentials } from '../../shared/adapters/aws/assumed-role-credentials';
import { CloudWatchAlarmSource } from '../../shared/adapters/cloudwatch/alarm-source';
import { DynamoDbApprovalStore } from '../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../shared/adapters/dynamodb/deployment-store';
import { DynamoLastKnownGoodStore } from '../../shared/adapters/dynamodb/last-known-good-store';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import { EventBridgeStepScheduler } from '../../shared/adapters/scheduler/step-scheduler';
import { createSlackApprovals } from '../../shared/adapters/slack';
import { FORGED_APPROVAL_METRIC } from '../../shared/approvals/verified-decision';
import { recordingOwnWrites } from '../../shared/change-control/own-writes';
import { handleGuardInputInAccount } from '../../shared/deployments/accounts';
import type { GuardDeps } from '../../shared/deployments/deps';
import { parseGuardInput } from '../../shared/deployments/inbound';
import { governedServiceNetworks } from '../../shared/deployments/route-policy';
import { eventHandler } from '../../shared/handler';
import { functionNotifier } from '../../shared/notifier';
import { policyForAccount } from '../../shared/policy/account-view';
import { loadPolicy } from '../../shared/policy/compiled-load';
import { logger, metrics, tracer } from '../../shared/powertools';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/providers/appmesh';
import { createRouteReader } from '../../shared/providers/appmesh/route-reader';
import { createLatticeClient, createLatticeRoutes, LatticeAdapter } from '../../shared/providers/vpc-lattice';
import { readGuardConfig, readSchedulerConfig } from './config';

const config = readGuardConfig();
const policy = await loadPolicy(config.MESHWARDEN_POLICY_FILE);
let functionArn: string | undefined;

const accounts = accountDirectory(config.MESHWARDEN_ACCOUNT_ID, config.MESHWARDEN_MEMBER_ROLE_ARNS);
const memberCredentials = new AssumedRoleCredentials(tracer.captureAWSv3Client(new STSClient({})), {
  sessionName: 'meshwarden-deployment-guard',
});
const documents = createDocumentClient();
const approvalStore = new DynamoDbApprovalStore(documents, config.MESHWARDEN_TABLE);
const chat = createSlackApprovals({
  secretName: config.MESHWARDEN_SLACK_SECRET,
  secretsClient: tracer.captureAWSv3Client(new SecretsManagerClient({})),
});
const scheduler = new EventBridgeStepScheduler(tracer.captureAWSv3Client(new SchedulerClient({})), () => {
  const s = readSchedulerConfig();
  if (functionArn === undefined) throw new Error('the function ARN is known only inside an invocation');
  const target = functionArn;
  return {
    groupName: s.MESHWARDEN_SCHEDULE_GROUP,
    roleArn: s.MESHWARDEN_SCHEDULER_ROLE_ARN,
    deadLetterArn: s.MESHWARDEN_SCHEDULER_DLQ_ARN,
    targetArn: () => target,
  };
});
const publisher = new EventBridgePublisher(
  tracer.captureAWSv3Client(new EventBridgeClient({})),
  config.MESHWARDEN_EVENT_BUS,
);
const telemetry = {
  rolledBack: (routeKey: string, handlerMs: number) => {
    metrics.addMetric('DeploymentRolledBack', MetricUnit.Count, 1);
    metrics.addMetric('RollbackHandlerTime', MetricUnit.Milliseconds, handlerMs);
    logger.info('deployment rolled back', { routeKey, handlerMs });
  },
  rollbackFailed: (routeKey: string, error: Error) => {
    // Operators alarm on this metric; the event itself goes to the DLQ after EventBridge's retries.
    metrics.addMetric('RollbackFailed', MetricUnit.Count, 1);
    logger.error('rollback failed: the route still sends traffic to the canary', { routeKey, error });
  },
};

/** The guard as one account's: its routes, alarms and deployment records, in its keys. */
const depsByAccount = new PerAccount(accounts, (access): GuardDeps => {
  const { account } = access;
  const clientConfig = clientConfigFor(access, memberCredentials);
  // Standard retries, few: a throttled rollback must fail within seconds and tell people (the
  // guard backs off itself, then the recovery schedule keeps trying). The adaptive limiter the
  // other functions use held one throttled rollback for over a minute.
  const appMesh = tracer.captureAWSv3Client(
    createAppMeshClient({ retryMode: 'standard', maxAttempts: 2, ...clientConfig }),
  );
  const lastKnownGood = new DynamoLastKnownGoodStore(documents, config.MESHWARDEN_TABLE, account);
  const accountPolicy = policyForAccount(policy, account, accounts.central);
  // The policy's `provider: vpc-lattice` entries name the service networks guarded in this account.
  const serviceNetworks = governedServiceNetworks(accountPolicy);
  const lattice =
    serviceNetworks.length === 0
      ? undefined
      : createLatticeRoutes(
          new LatticeAdapter(
            tracer.captureAWSv3Client(
              createLatticeClient({ retryMode: 'standard', maxAttempts: 2, ...clientConfig }),
            ),
          ),
          { serviceNetworks },
        );
  return {
    meshes: recordingOwnWrites(createAppMeshProvider(appMesh), lastKnownGood),
    lastKnownGood,
    // Deployment approvals whose deployment ended are closed here, in the store and in Slack.
    approvals: { store: approvalStore, chat },
    routes: createRouteReader(appMesh),
    ...(lattice === undefined ? {} : { providers: { 'vpc-lattice': lattice } }),
    store: new DynamoDbDeploymentStore(
      createDocumentClient({ retryMode: 'adaptive' }),
      config.MESHWARDEN_TABLE,
      account,
    ),
    alarms: new CloudWatchAlarmSource(
      tracer.captureAWSv3Client(new CloudWatchClient({ retryMode: 'adaptive', ...clientConfig })),
    ),
    scheduler: access.kind === 'central' ? scheduler : schedulerIn(account, scheduler),
    publisher: publisherIn(account, publisher),
    // Rollbacks are told in the mesh's Slack channel (logged where the policy names none).
    notifier: notifierIn(account, functionNotifier(accountPolicy, config.MESHWARDEN_SLACK_SECRET)),
    policy: accountPolicy,
    // In a member account meshwarden writes as the role it assumes there: those writes are its own.
    selfRoleArns:
      access.kind === 'member'
        ? [...config.MESHWARDEN_SELF_ROLE_ARNS, access.roleArn]
        : config.MESHWARDEN_SELF_ROLE_ARNS,
    // The stack's alarm bindings name meshes of meshwarden's own account only.
    staticBindings: access.kind === 'central' ? config.MESHWARDEN_ALARM_BINDINGS : [],
    telemetry,
    retry: { attempts: 4, baseDelayMs: 100 },
    now: () => new Date(),
  };
});
const guard = {
  accounts,
  depsFor: (account: string) => depsByAccount.for(account),
  governedMeshes: (account: string) =>
    governedMeshesIn(accounts, account, config.MESHWARDEN_MESHES, config.MESHWARDEN_MEMBER_MESHES),
  approvals: approvalStore,
  scheduler,
};

/**
 * Deployment guard: route changes open and close deployments, bound alarms roll them back,
 * scheduled steps and approvals move progressive ones forward.
 */
export const handler = eventHandler(parseGuardInput, async (input, context) => {
  functionArn = context.invokedFunctionArn;
  const result = await handleGuardInputInAccount(guard, input);
  if (typeof result === 'object' && result !== null && (result as { kind?: unknown }).kind === 'refused') {
    // An approval event no person's stored decision backs: operators alarm on this metric.
    metrics.addMetric(FORGED_APPROVAL_METRIC, MetricUnit.Count, 1);
    logger.error('approval event refused', { result });
  }
  logger.info('deployment guard', { input: input.kind, result });
  return result;
});

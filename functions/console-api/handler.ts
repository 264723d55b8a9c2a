import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ACMClient } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { AcmCertificateStore } from '../../shared/adapters/acm-certificates/certificate-store';
import { AcmPcaCertificateAuthority } from '../../shared/adapters/acm-pca/certificate-authority';
import { CloudWatchAlarmSource } from '../../shared/adapters/cloudwatch/alarm-source';
import { DynamoDbApprovalStore } from '../../shared/adapters/dynamodb/approval-store';
import { DynamoAuditLog } from '../../shared/adapters/dynamodb/audit-log';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../shared/adapters/dynamodb/deployment-store';
import { DynamoLastKnownGoodStore } from '../../shared/adapters/dynamodb/last-known-good-store';
import { DynamoMeshStateStore } from '../../shared/adapters/dynamodb/mesh-state-store';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import { CaDirectory } from '../../shared/certificates/ca-directory';
import { routeCertificateStores } from '../../shared/certificates/certificate-stores';
import { recordingOwnWrites } from '../../shared/change-control/own-writes';
import { baseConfig, readConfig } from '../../shared/config';
import { type ConsoleApiDeps, handleApiRequest } from '../../shared/console-api/handle';
import { loadConsolePage } from '../../shared/console-api/page';
import type { HttpResult } from '../../shared/console-api/request';
import { governedServiceNetworks } from '../../shared/deployments/route-policy';
import { BadRequestError, ConfigError } from '../../shared/errors';
import { policyForAccount } from '../../shared/policy/account-view';
import { loadPolicy } from '../../shared/policy/compiled-load';
import { CORRELATION_PATHS, logger, tracer } from '../../shared/powertools';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/providers/appmesh';
import { createRouteReader } from '../../shared/providers/appmesh/route-reader';
import { createLatticeClient, createLatticeRoutes, LatticeAdapter } from '../../shared/providers/vpc-lattice';
import { latticeServiceGraph } from '../../shared/providers/vpc-lattice/service-graph';
import * as z from '../../shared/schema';
import { guardConfigSchema } from '../deployment-guard/config';

const config = readConfig(
  z.extend(
    z.pick(baseConfig, {
      AWS_REGION: true,
      MESHWARDEN_EVENT_BUS: true,
      MESHWARDEN_TABLE: true,
      MESHWARDEN_MESHES: true,
      MESHWARDEN_POLICY_FILE: true,
      MESHWARDEN_SELF_ROLE_ARNS: true,
      MESHWARDEN_ACCOUNT_ID: true,
    }),
    // A promotion checks the same bound alarms the guard watches, the configured ones included.
    {
      MESHWARDEN_ALARM_BINDINGS: guardConfigSchema.shape.MESHWARDEN_ALARM_BINDINGS,
      // The console page: its files, and the issuer and client id it signs people in with.
      MESHWARDEN_ASSETS_DIR: z.string().check(z.minLength(1)),
      MESHWARDEN_OIDC_ISSUER: z.url({
        message: 'must be the URL of the OIDC issuer the JWT authorizer trusts',
      }),
      MESHWARDEN_OIDC_CLIENT_ID: z.string().check(z.minLength(1)),
    },
  ),
);
const policy = await loadPolicy(config.MESHWARDEN_POLICY_FILE);
const account = config.MESHWARDEN_ACCOUNT_ID;
// The API acts on the central account's meshes, judged by that account's entries of the policy.
const centralPolicy = policyForAccount(policy, account, account);
const documents = tracer.captureAWSv3Client(createDocumentClient());
const appMesh = tracer.captureAWSv3Client(createAppMeshClient());
const lastKnownGood = new DynamoLastKnownGoodStore(documents, config.MESHWARDEN_TABLE, account);
const approvals = new DynamoDbApprovalStore(documents, config.MESHWARDEN_TABLE);
const publisher = new EventBridgePublisher(
  tracer.captureAWSv3Client(new EventBridgeClient({})),
  config.MESHWARDEN_EVENT_BUS,
);
const now = () => new Date();
const meshProvider = createAppMeshProvider(appMesh);
const certificateAuthorities = new AcmPcaCertificateAuthority(
  tracer.captureAWSv3Client(new ACMPCAClient({})),
);
// A certificate delivered in a secret shares it with its private key: only the rotation function reads those.
const secretRefused = () =>
  Promise.reject(
    new BadRequestError(
      'delivered in a Secrets Manager secret that also holds its private key; see `meshwarden certs`',
    ),
  );
const certificateStore = routeCertificateStores({
  acm: new AcmCertificateStore(tracer.captureAWSv3Client(new ACMClient({}))),
  secret: { describe: secretRefused, deliver: secretRefused },
});
// The policy's `provider: vpc-lattice` entries: their service networks are shown and acted on
// too, through the guard's Lattice routes (no Lattice client at all without one).
const serviceNetworks = governedServiceNetworks(centralPolicy);
const lattice =
  serviceNetworks.length === 0
    ? undefined
    : new LatticeAdapter(tracer.captureAWSv3Client(createLatticeClient()));
const noScheduler = () => Promise.reject(new ConfigError('the HTTP API does not schedule deployment steps'));

const deps: ConsoleApiDeps = {
  account,
  meshes: config.MESHWARDEN_MESHES,
  serviceNetworks,
  ...(lattice === undefined
    ? {}
    : {
        networks: {
          serviceGraph: async (network: string) =>
            latticeServiceGraph(await lattice.readServiceNetwork(network)),
        },
      }),
  // A person acting through the API is answered directly, as at the CLI: no steps, no recovery schedule.
  guard: {
    meshes: recordingOwnWrites(meshProvider, lastKnownGood),
    routes: createRouteReader(appMesh),
    ...(lattice === undefined
      ? {}
      : { providers: { 'vpc-lattice': createLatticeRoutes(lattice, { serviceNetworks }) } }),
    store: new DynamoDbDeploymentStore(documents, config.MESHWARDEN_TABLE, account),
    alarms: new CloudWatchAlarmSource(tracer.captureAWSv3Client(new CloudWatchClient({}))),
    scheduler: {
      schedule: noScheduler,
      cancel: noScheduler,
      ensureRecovery: async () => undefined,
      removeRecovery: async () => undefined,
    },
    lastKnownGood,
    approvals: { store: approvals, chat: undefined },
    publisher,
    notifier: { notify: async () => undefined },
    policy: centralPolicy,
    selfRoleArns: config.MESHWARDEN_SELF_ROLE_ARNS,
    staticBindings: config.MESHWARDEN_ALARM_BINDINGS,
    telemetry: { rolledBack: () => undefined, rollbackFailed: () => undefined },
    retry: { attempts: 4, baseDelayMs: 200 },
    now,
  },
  decide: {
    store: approvals,
    publisher,
    policy,
    policyIn: (other: string) => policyForAccount(policy, other, account),
    now,
    log: logger,
  },
  audit: new DynamoAuditLog(documents, config.MESHWARDEN_TABLE, account),
  meshState: new DynamoMeshStateStore(documents, config.MESHWARDEN_TABLE, account),
  lastKnownGood,
  page: loadConsolePage(config.MESHWARDEN_ASSETS_DIR, {
    issuer: config.MESHWARDEN_OIDC_ISSUER,
    clientId: config.MESHWARDEN_OIDC_CLIENT_ID,
  }),
  certificates: () => ({
    meshes: meshProvider,
    store: certificateStore,
    cas: new CaDirectory(certificateAuthorities),
    now,
  }),
};

/**
 * meshwarden's HTTP API (API Gateway HTTP API, payload 2.0, behind its JWT authorizer): reads
 * for people and pages, and the actions Slack and the CLI offer, under the mesh's api policy.
 */
export const handler = middy<unknown, HttpResult, Error, Context>()
  .use(injectLambdaContext(logger, { correlationIdPath: CORRELATION_PATHS.apiGatewayV2, resetKeys: true }))
  .handler(async (event) => handleApiRequest(deps, event));

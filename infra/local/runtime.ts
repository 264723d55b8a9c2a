import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TABLE } from '../../shared/adapters/dynamodb/table';
import { ruleStateOf } from '../../shared/events/patterns';
import { loadPolicy } from '../../shared/policy/load';
import { roleArnOf as iamRoleArn, publisherRoleNames, sourceGuardStatement } from '../constructs/bus-trust';
import { SLACK_SECRET_NAME } from '../constructs/names';
import { PENDING_KEY_ARN_ENV, PENDING_KEYS_ALIAS, pendingKeyPolicy } from '../constructs/pending-keys';
import {
  ASYNC_INVOKE_RETRY,
  type BusName,
  entryOf,
  FUNCTIONS,
  type FunctionDefinition,
} from '../function-catalog';
import { adminRoutes } from './admin-routes';
import { busArn } from './bus/arns';
import type { BackoffOptions } from './bus/delivery';
import { LocalEventBus } from './bus/event-bus';
import { FaultInjector, type FaultRule } from './edge/faults';
import { DEFAULT_IDENTITIES, IdentityRegistry } from './edge/identities';
import { EdgeServer } from './edge/server';
import { LocalFunctions } from './functions';
import { LocalHttpApi } from './http-api';
import { LOCAL_AUDIENCE, LocalOidcIssuer } from './oidc/issuer';
import { LocalJwtAuthorizer } from './oidc/jwt-authorizer';
import { AcmService } from './services/acm/service';
import { AcmPcaService } from './services/acm-pca/service';
import { AppMeshService } from './services/appmesh/appmesh-service';
import { CloudWatchService } from './services/cloudwatch/cloudwatch-service';
import { DynamoDbService } from './services/dynamodb/dynamodb-service';
import { EventsService } from './services/events/events-service';
import { KmsService } from './services/kms/kms-service';
import { SchedulerService } from './services/scheduler/scheduler-service';
import { SecretsManagerService } from './services/secretsmanager/secretsmanager-service';
import { StsService } from './services/sts/sts-service';
import { DEFAULT_SLACK_CONFIG, type SlackConfig } from './slack/slack-config';
import { LocalSlackServer } from './slack/slack-server';
import { Timeline } from './timeline';
import type { LocalRequest, LocalResponse, LocalService, LocalServiceContext } from './types';

/** Names of what the local runtime creates, as the CDK stack names them in an account. */
export const LOCAL_NAMES = {
  eventBus: 'meshwarden',
  table: 'meshwarden-state',
  slackSecret: SLACK_SECRET_NAME,
} as const;

export interface LocalAwsOptions {
  /** Edge endpoint port; 0 picks a free one (tests). */
  readonly port?: number;
  readonly slackPort?: number;
  readonly httpApiPort?: number;
  /** The local OIDC issuer's port; a free one when absent (`npm start` asks for 4569). */
  readonly oidcPort?: number;
  /** Directory for persisted state; in memory only when undefined. */
  readonly dataDir?: string;
  readonly region?: string;
  readonly identities?: IdentityRegistry;
  readonly faults?: readonly FaultRule[];
  readonly slack?: SlackConfig;
  /** Meshes the functions govern (MESHWARDEN_MESHES). */
  readonly meshes?: readonly string[];
  /** Functions to run; all of the catalog by default. */
  readonly functions?: readonly FunctionDefinition[];
  /** The policy the functions enforce; the demo policy by default. Validated before anything starts. */
  readonly policyFile?: string;
  /** Extra environment for the functions. */
  readonly functionEnv?: Readonly<Record<string, string>>;
  /** Delay before an issued private certificate can be fetched (AWS: a few seconds). */
  readonly pcaIssueDelayMs?: number;
  /** Fire schedules on their timers (npm start); tests fire them by hand. */
  readonly runSchedules?: boolean;
  readonly now?: () => Date;
  /**
   * How the bus spaces retries of a failed delivery (EventBridge: about a second, then
   * doubling). Tests that inject faults shorten it so a retried delivery lands in milliseconds.
   */
  readonly busBackoff?: BackoffOptions;
  /**
   * Append the functions' log lines to this file instead of standard output (they run in this
   * process, and `npm start` prints its timeline there).
   */
  readonly functionLogFile?: string;
}

/** A running local AWS with meshwarden's functions wired to its bus, schedules and HTTP API. */
export interface LocalAws {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly slackUrl: string;
  readonly slackApiUrl: string;
  readonly httpApiUrl: string;
  readonly slackCallbackUrl: string;
  /** The local OIDC issuer whose tokens the HTTP API's `/api/*` routes accept. */
  readonly oidc: LocalOidcIssuer;
  readonly slack: LocalSlackServer;
  readonly slackConfig: SlackConfig;
  readonly bus: LocalEventBus;
  readonly functions: LocalFunctions;
  readonly faults: FaultInjector;
  readonly identities: IdentityRegistry;
  readonly timeline: Timeline;
  readonly scheduler: SchedulerService;
  readonly services: {
    readonly appmesh: AppMeshService;
    readonly acm: AcmService;
    readonly acmPca: AcmPcaService;
    readonly cloudwatch: CloudWatchService;
  };
  /** The environment the functions run with. */
  readonly functionEnv: Readonly<Record<string, string>>;
  /**
   * Every AWS call the edge answered, reads and meshwarden's own bookkeeping included (the
   * timeline leaves those out): for tests that prove a handler had no effect. Returns an unsubscribe.
   */
  onApiCall(listener: (call: LocalApiCall) => void): () => void;
  /** Wait until every event put on the bus has been delivered (or dead-lettered). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** One AWS call as the edge answered it. */
export interface LocalApiCall {
  readonly request: LocalRequest;
  readonly response: LocalResponse;
  readonly operation: string | undefined;
}

const SLACK_ROUTE = 'POST /slack/interactions';

/** The demo policy `npm start` enforces unless `--policy FILE` names another. */
export const DEMO_POLICY_FILE = fileURLToPath(new URL('./demo/meshwarden.policy.yaml', import.meta.url));

/**
 * The IAM role behind an identity's sessions: the functions sign as `meshwarden`, and the loop
 * guard recognises that role's writes as meshwarden's own.
 */
function roleArnOf(identities: IdentityRegistry, accessKeyId: string): string {
  const identity = identities.get(accessKeyId);
  const issuer = (identity?.userIdentity.sessionContext as { sessionIssuer?: { arn?: string } } | undefined)
    ?.sessionIssuer;
  if (issuer?.arn === undefined) {
    throw new Error(
      `The identities file must define the access key "${accessKeyId}" as a role session: meshwarden's functions sign their calls with it`,
    );
  }
  return issuer.arn;
}

/**
 * Start local AWS: the edge endpoint with every emulated service, the event bus with the
 * same rules the CDK stack deploys (from the function catalog and the shared patterns), the
 * functions themselves, local Slack and a local HTTP API for Slack's callbacks.
 *
 * The functions' environment is set on this process before any handler is imported, since
 * handlers read configuration at module load, as in Lambda. Functions sign their calls as
 * meshwarden's own role (access key `meshwarden`), which is what the loop guard recognises.
 */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const region = options.region ?? 'us-east-1';
  const identities = options.identities ?? new IdentityRegistry(DEFAULT_IDENTITIES);
  const accountId = identities.file.accountId;
  const now = options.now ?? (() => new Date());
  const catalog = options.functions ?? FUNCTIONS;
  const slackConfig = options.slack ?? DEFAULT_SLACK_CONFIG;
  const timeline = new Timeline(
    options.dataDir === undefined ? undefined : join(options.dataDir, 'timeline.jsonl'),
  );
  const policyFile = options.policyFile ?? DEMO_POLICY_FILE;
  loadPolicy(policyFile);
  const selfRoleArn = roleArnOf(identities, 'meshwarden');

  const bus = new LocalEventBus({
    region,
    accountId,
    now,
    ...(options.busBackoff === undefined ? {} : { backoff: options.busBackoff }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
  const functions = new LocalFunctions(
    catalog.map((f) => ({
      name: f.name,
      entry: entryOf(f),
      timeoutSeconds: f.timeoutSeconds,
      memoryMb: f.memoryMb,
    })),
    region,
    accountId,
  );
  bus.setInvoker(async (name, event) => {
    await functions.invoke(name, event);
  });

  /** Functions invoked asynchronously (by the scheduler) and still running. */
  const asyncInvocations = new Set<Promise<void>>();
  const context: LocalServiceContext = {
    region,
    accountId,
    now,
    putEvents: (entries) => bus.putEvents(entries),
    invokeFunction: async (nameOrArn, payload) => {
      // Asynchronous, as Lambda's Event invocation: the caller goes on; drain() waits for it.
      const running: Promise<void> = functions.invoke(nameOrArn, payload).then(
        () => undefined,
        () => undefined,
      );
      asyncInvocations.add(running);
      void running.finally(() => asyncInvocations.delete(running));
    },
    dataDir: options.dataDir,
  };
  const appmesh = new AppMeshService(context);
  const acmPca = new AcmPcaService(context, { issueDelayMs: options.pcaIssueDelayMs ?? 200 });
  // ACM renews through the private CA: a renewal takes as long as the CA takes to sign.
  const acm = new AcmService(context, acmPca.authorities, { renewDelayMs: options.pcaIssueDelayMs ?? 200 });
  const cloudwatch = new CloudWatchService(context);
  const dynamodb = new DynamoDbService(context);
  const scheduler = new SchedulerService(context);
  const services = [
    appmesh,
    acmPca,
    acm,
    cloudwatch,
    new EventsService(context, bus, {
      busPolicies: [
        // What the CDK stack puts on the bus policy; locally every function signs as one role.
        sourceGuardStatement(busArn(region, accountId, LOCAL_NAMES.eventBus), [
          selfRoleArn,
          ...publisherRoleNames(catalog).map((name) => iamRoleArn(accountId, name)),
        ]),
      ],
    }),
    dynamodb,
    new SecretsManagerService(context),
    scheduler,
    new StsService(),
    new KmsService(context),
  ];
  const faults = new FaultInjector(options.faults ?? []);
  const callListeners = new Set<(call: LocalApiCall) => void>();
  const edge = new EdgeServer({
    identities,
    services,
    faults,
    putEvents: context.putEvents,
    now,
    onCall: (request, response, operation) => {
      timeline.apiCall(request, response, operation);
      for (const listener of callListeners) listener({ request, response, operation });
    },
    adminRoutes: adminRoutes({ bus, timeline, faults, services: services.map((s) => s.signingName) }),
  });
  const port = await edge.listen(options.port ?? 4566);
  const endpoint = `http://127.0.0.1:${port}`;
  await dynamodb.ready();

  // The key policy names the role each sealing function signs as, as the stack names each
  // one's own role. Locally every function signs as the one role behind the `meshwarden` key.
  const signingRoleOf = (_fn: FunctionDefinition): string => selfRoleArn;
  const pendingKeyArn = await provisionPendingKeys(endpoint, region, identities, [
    ...new Set(catalog.filter((f) => f.capabilities.includes('kms:pending-keys')).map(signingRoleOf)),
  ]);

  const slack = new LocalSlackServer({ config: slackConfig, dataDir: options.dataDir, now });
  const slackPort = await slack.listen(options.slackPort ?? 4567);
  const httpApi = new LocalHttpApi(
    catalog.flatMap((f) =>
      f.triggers.flatMap((t) =>
        t.kind === 'http'
          ? [
              {
                routeKey: t.route,
                invoke: (event: unknown) => functions.invoke(f.name, event),
                ...(t.authorizer === undefined ? {} : { authorizer: t.authorizer }),
              },
            ]
          : [],
      ),
    ),
    now,
  );
  const oidc = await LocalOidcIssuer.start(identities.file.people, { port: options.oidcPort ?? 0, now });
  httpApi.useJwtAuthorizer(new LocalJwtAuthorizer({ issuer: oidc.issuer, audience: [LOCAL_AUDIENCE] }, now));
  const httpApiPort = await httpApi.listen(options.httpApiPort ?? 4568);
  const httpApiUrl = `http://127.0.0.1:${httpApiPort}`;
  const slackCallbackUrl = `${httpApiUrl}${SLACK_ROUTE.split(' ')[1]}`;
  slack.setCallbackUrl(slackCallbackUrl);

  const functionEnv: Record<string, string> = {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'meshwarden',
    AWS_SECRET_ACCESS_KEY: identities.get('meshwarden')?.secretAccessKey ?? '',
    MESHWARDEN_EVENT_BUS: LOCAL_NAMES.eventBus,
    MESHWARDEN_TABLE: LOCAL_NAMES.table,
    MESHWARDEN_MESHES: (options.meshes ?? ['prod']).join(','),
    MESHWARDEN_SLACK_SECRET: LOCAL_NAMES.slackSecret,
    MESHWARDEN_POLICY_FILE: policyFile,
    MESHWARDEN_SELF_ROLE_ARNS: selfRoleArn,
    // Deployment steps are one-time schedules in the default group; local Scheduler takes any role.
    MESHWARDEN_SCHEDULE_GROUP: 'default',
    MESHWARDEN_SCHEDULER_ROLE_ARN: `arn:aws:iam::${accountId}:role/meshwarden-scheduler`,
    [PENDING_KEY_ARN_ENV]: pendingKeyArn,
    SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`,
    POWERTOOLS_SERVICE_NAME: 'meshwarden',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...options.functionEnv,
  };
  if (identities.get('meshwarden') === undefined) {
    throw new Error(
      'The identities file must define the access key "meshwarden": the functions sign their calls with it',
    );
  }
  Object.assign(process.env, functionEnv);
  if (options.functionLogFile !== undefined) mkdirSync(dirname(options.functionLogFile), { recursive: true });
  const functionLog =
    options.functionLogFile === undefined
      ? undefined
      : createWriteStream(options.functionLogFile, { flags: 'a' });
  // Imported only now: Powertools reads its configuration from the environment set just above.
  const { sendLogsTo } = await import('../../shared/powertools');
  if (functionLog !== undefined) sendLogsTo((line) => functionLog.write(`${line}\n`));

  await provisionMeshwardenResources(bus, functionEnv, endpoint, region, identities, slackConfig);
  registerTriggers(bus, catalog, options.runSchedules ?? false);
  bus.onActivity((activity) => timeline.busActivity(activity));
  functions.onInvocation((record) => timeline.invocation(record));
  const owed = bus.owedFromJournal();
  if (owed > 0) {
    timeline.note(`replaying ${owed} event(s) the bus had accepted but not delivered when it last stopped`);
  }
  bus.replayJournal();
  if (options.runSchedules) scheduler.start();

  return {
    endpoint,
    region,
    accountId,
    slackUrl: `http://127.0.0.1:${slackPort}`,
    slackApiUrl: functionEnv.SLACK_API_URL as string,
    httpApiUrl,
    slackCallbackUrl,
    oidc,
    slack,
    slackConfig,
    bus,
    functions,
    faults,
    identities,
    timeline,
    scheduler,
    services: { appmesh, acm, acmPca, cloudwatch },
    functionEnv,
    onApiCall: (listener) => {
      callListeners.add(listener);
      return () => callListeners.delete(listener);
    },
    drain: async () => {
      // Scheduled invocations put events on the bus and bus deliveries may schedule more:
      // settle both until neither has anything left.
      do {
        await bus.drain();
        await Promise.all([...asyncInvocations]);
      } while (asyncInvocations.size > 0);
      await bus.drain();
    },
    close: async () => {
      await bus.drain();
      await bus.close();
      await edge.close();
      await httpApi.close();
      await oidc.close();
      await slack.close();
      for (const service of services as LocalService[]) await service.close?.();
      if (functionLog !== undefined) {
        sendLogsTo(undefined);
        await new Promise<void>((resolve) => functionLog.end(resolve));
      }
    },
  };
}

/** The same rules the CDK stack creates: one per function trigger, named after the function and pattern. */
function registerTriggers(
  bus: LocalEventBus,
  catalog: readonly FunctionDefinition[],
  runSchedules: boolean,
): void {
  const busNames: Record<BusName, string> = { default: 'default', meshwarden: LOCAL_NAMES.eventBus };
  const retryPolicy = {
    maximumRetryAttempts: ASYNC_INVOKE_RETRY.retryAttempts,
    maximumEventAgeInSeconds: ASYNC_INVOKE_RETRY.maxEventAgeSeconds,
  };
  for (const fn of catalog) {
    for (const trigger of fn.triggers) {
      if (trigger.kind === 'pattern') {
        bus.addLocalRule({
          name: `${fn.name}-${trigger.pattern.name}`,
          busName: busNames[trigger.bus],
          eventPattern: trigger.pattern.pattern as Record<string, unknown>,
          state: ruleStateOf(trigger.pattern),
          target: {
            functionName: fn.name,
            retryPolicy,
          },
        });
      } else if (trigger.kind === 'schedule' && runSchedules) {
        bus.addLocalRule({
          name: `${fn.name}-${trigger.schedule.name}`,
          scheduleExpression: trigger.schedule.expression,
          target: {
            functionName: fn.name,
            retryPolicy,
          },
        });
      }
    }
  }
}

/**
 * The KMS key that seals pending private keys, with the stack's key policy naming
 * `userRoleArns`: created on first start, its policy brought up to date on a restart over
 * persisted state. Returns the key ARN.
 */
async function provisionPendingKeys(
  endpoint: string,
  region: string,
  identities: IdentityRegistry,
  userRoleArns: readonly string[],
): Promise<string> {
  const {
    CreateAliasCommand,
    CreateKeyCommand,
    DescribeKeyCommand,
    EnableKeyRotationCommand,
    KMSClient,
    NotFoundException,
    PutKeyPolicyCommand,
  } = await import('@aws-sdk/client-kms');
  const self = identities.get('meshwarden');
  const kms = new KMSClient({
    endpoint,
    region,
    credentials: { accessKeyId: self?.accessKeyId ?? '', secretAccessKey: self?.secretAccessKey ?? '' },
  });
  const policy = JSON.stringify(
    pendingKeyPolicy(`arn:aws:iam::${identities.file.accountId}:root`, userRoleArns),
  );
  try {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: PENDING_KEYS_ALIAS }));
    await kms.send(new PutKeyPolicyCommand({ KeyId: KeyMetadata?.KeyId, Policy: policy }));
    return KeyMetadata?.Arn ?? '';
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
  }
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({
      Description: 'meshwarden: seals private keys while their certificate rotation is pending',
      Policy: policy,
    }),
  );
  await kms.send(new CreateAliasCommand({ AliasName: PENDING_KEYS_ALIAS, TargetKeyId: KeyMetadata?.KeyId }));
  // As the stack creates it: yearly rotation of the key material.
  await kms.send(new EnableKeyRotationCommand({ KeyId: KeyMetadata?.KeyId }));
  return KeyMetadata?.Arn ?? '';
}

/**
 * What the CDK stack provisions for meshwarden itself, created here through the real SDK
 * clients as an administrator: the meshwarden bus, the state table and the Slack secret.
 * Idempotent, so a restart on persisted state finds them in place.
 */
async function provisionMeshwardenResources(
  bus: LocalEventBus,
  env: Readonly<Record<string, string>>,
  endpoint: string,
  region: string,
  identities: IdentityRegistry,
  slackConfig: SlackConfig,
): Promise<void> {
  const { CreateTableCommand, DynamoDBClient, ResourceInUseException } = await import(
    '@aws-sdk/client-dynamodb'
  );
  const { CreateSecretCommand, ResourceExistsException, SecretsManagerClient } = await import(
    '@aws-sdk/client-secrets-manager'
  );
  const self = identities.get('meshwarden');
  const config = {
    endpoint,
    region,
    credentials: { accessKeyId: self?.accessKeyId ?? '', secretAccessKey: self?.secretAccessKey ?? '' },
  };
  if (!bus.listBuses().some((b) => b.name === LOCAL_NAMES.eventBus)) bus.createBus(LOCAL_NAMES.eventBus);
  try {
    await new DynamoDBClient(config).send(
      new CreateTableCommand({
        TableName: env.MESHWARDEN_TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE.sortKey, AttributeType: 'S' },
          { AttributeName: TABLE.auditIndex.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE.auditIndex.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: TABLE.auditIndex.name,
            KeySchema: [
              { AttributeName: TABLE.auditIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: TABLE.auditIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    // dynalite cannot add an index to a table it persisted before the index existed.
    const { DescribeTableCommand } = await import('@aws-sdk/client-dynamodb');
    const { Table } = await new DynamoDBClient(config).send(
      new DescribeTableCommand({ TableName: env.MESHWARDEN_TABLE }),
    );
    if (!(Table?.GlobalSecondaryIndexes ?? []).some((i) => i.IndexName === TABLE.auditIndex.name)) {
      process.emitWarning(
        `the persisted table ${env.MESHWARDEN_TABLE} has no ${TABLE.auditIndex.name} index: the HTTP API cannot list the decisions of all meshes (name a mesh, or start on a fresh data directory)`,
      );
    }
  }
  try {
    await new SecretsManagerClient(config).send(
      new CreateSecretCommand({
        Name: LOCAL_NAMES.slackSecret,
        Description: 'Slack signing secret and bot token for meshwarden (local)',
        SecretString: JSON.stringify({
          signingSecret: slackConfig.signingSecret,
          botToken: slackConfig.botToken,
        }),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceExistsException)) throw error;
  }
}

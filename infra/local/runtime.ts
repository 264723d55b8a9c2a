import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TABLE } from '../../shared/adapters/dynamodb/table';
import { ruleStateOf } from '../../shared/events/patterns';
import { loadPolicy } from '../../shared/policy/load';
import type { PolicyDocument } from '../../shared/policy/schema';
import { roleArnOf as iamRoleArn, publisherRoleNames, sourceGuardStatement } from '../constructs/bus-trust';
import {
  functionRoleName,
  MEMBER_ACCOUNT_ROLE_NAME,
  OIDC_CLIENT_ID_ENV,
  OIDC_ISSUER_ENV,
  SCHEDULE_GROUP_NAME,
  SLACK_SECRET_NAME,
} from '../constructs/names';
import { PENDING_KEY_ARN_ENV, PENDING_KEYS_ALIAS, pendingKeyPolicy } from '../constructs/pending-keys';
import {
  ASSETS_DIR_ENV,
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
import { type FunctionRole, type LocalStackInputs, localStackOf } from './function-roles';
import { LocalFunctions } from './functions';
import { LocalHttpApi } from './http-api';
import { identityVerdict } from './iam/authorize';
import { policyDocumentSchema } from './iam/policy-document';
import { memberForwarding } from './member-forwarding';
import { LOCAL_AUDIENCE, LocalOidcIssuer } from './oidc/issuer';
import { LocalJwtAuthorizer } from './oidc/jwt-authorizer';
import { PerAccountService } from './per-account-service';
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
import { VpcLatticeService } from './services/vpc-lattice/vpc-lattice-service';
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
  /**
   * The ACM Private CAs the stack is configured with (meshwarden:certificateAuthorityArns):
   * the functions' roles may issue from these only. `LocalAws.deploy` changes them later.
   */
  readonly certificateAuthorityArns?: readonly string[];
}

/** What `LocalAws.deploy` may change, as `cdk deploy -c meshwarden:<key>=...` would. */
export interface LocalDeployment {
  readonly certificateAuthorityArns?: readonly string[];
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
  /** The central account's services. */
  readonly services: {
    readonly appmesh: AppMeshService;
    readonly acm: AcmService;
    readonly acmPca: AcmPcaService;
    readonly cloudwatch: CloudWatchService;
    readonly vpcLattice: VpcLatticeService;
  };
  /** The services as another account sees them (its own resources). */
  servicesIn(accountId: string): LocalAws['services'];
  /** Member accounts: those with meshwarden's member role, whose events reach the central bus. */
  readonly memberAccounts: readonly string[];
  /** The environment the functions run with. */
  readonly functionEnv: Readonly<Record<string, string>>;
  /**
   * Every AWS call the edge answered, reads and meshwarden's own bookkeeping included (the
   * timeline leaves those out): for tests that prove a handler had no effect. Returns an unsubscribe.
   */
  onApiCall(listener: (call: LocalApiCall) => void): () => void;
  /** Each function's role as the stack defines it, with the policies the functions sign under. */
  functionRoles(): readonly FunctionRole[];
  /** The keys a function signs with (its stack role's), to act exactly as that function. */
  functionCredentials(functionName: string): { accessKeyId: string; secretAccessKey: string };
  /**
   * Synthesize the stack again with a changed configuration and give the functions' roles
   * its policies, as a `cdk deploy` would (e.g. after creating the CA the stack must name).
   */
  deploy(change: LocalDeployment): Promise<void>;
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

/** The console page's files in the source tree (the console-api function's assets). */
const CONSOLE_ASSETS_DIR = fileURLToPath(new URL('../../functions/console-api/page', import.meta.url));

/** The demo policy `npm start` enforces unless `--policy FILE` names another. */
export const DEMO_POLICY_FILE = fileURLToPath(new URL('./demo/meshwarden.policy.yaml', import.meta.url));

/**
 * The IAM role behind an identity's sessions: the `meshwarden` key provisions meshwarden's
 * resources and stands for meshwarden in tests, so the loop guard counts its role's writes as
 * meshwarden's own, beside the function roles'.
 */
function roleArnOf(identities: IdentityRegistry, accessKeyId: string): string {
  const identity = identities.get(accessKeyId);
  const issuer = (identity?.userIdentity.sessionContext as { sessionIssuer?: { arn?: string } } | undefined)
    ?.sessionIssuer;
  if (issuer?.arn === undefined) {
    throw new Error(
      `The identities file must define the access key "${accessKeyId}" as a role session: local AWS provisions meshwarden's resources with it`,
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
 * handlers read configuration at module load, as in Lambda. Each function signs its calls as
 * its own role from the synthesized stack (`meshwarden-fn-<function>`, with that role's
 * policies), and the loop guard recognises the writing roles' calls as meshwarden's own.
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
  const policy = loadPolicy(policyFile);
  const selfRoleArn = roleArnOf(identities, 'meshwarden');
  const meshes = options.meshes ?? ['prod'];
  const memberRoles = (identities.file.roles ?? []).filter(
    (role) => role.roleName === MEMBER_ACCOUNT_ROLE_NAME && (role.accountId ?? accountId) !== accountId,
  );
  const memberAccounts = memberRoles.map((role) => role.accountId as string);
  let stackInputs: LocalStackInputs = {
    region,
    account: accountId,
    meshes,
    policyFile,
    functions: catalog,
    certificateAuthorityArns: options.certificateAuthorityArns ?? [],
    tableName: LOCAL_NAMES.table,
    // The stack grants the functions sts:AssumeRole on exactly the member roles it is told of.
    memberAccounts: memberAccounts.flatMap((account) => {
      const governed = [...memberMeshesOf(policy.document, account)];
      return governed.length === 0 ? [] : [{ account, meshes: governed }];
    }),
  };
  const stack = await localStackOf(stackInputs);
  let roles = stack.roles;
  const roleKeys = registerFunctionRoles(identities, roles);
  // Whose App Mesh writes are meshwarden's own, as the stack lists them: the roles of the
  // functions that may write to a mesh (and the demo's `meshwarden` key's role).
  const selfRoleArns = [
    selfRoleArn,
    ...catalog
      .filter((f) => f.capabilities.includes('mesh:write'))
      .map((f) => iamRoleArn(accountId, functionRoleName(f.name))),
  ];

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
      environment: roleKeys.get(f.name),
    })),
    region,
    accountId,
  );
  bus.setInvoker(async (name, event) => {
    await functions.invoke(name, event);
  });

  /** Functions invoked asynchronously (by the scheduler) and still running. */
  const asyncInvocations = new Set<Promise<void>>();
  // A member account's events reach meshwarden's bus through the rules its member stack creates.
  const putEvents = memberForwarding({
    bus,
    region,
    centralAccount: accountId,
    memberAccounts,
    centralBus: LOCAL_NAMES.eventBus,
    catalog,
  });
  const context: LocalServiceContext = {
    region,
    accountId,
    now,
    putEvents,
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
  // Each account has its own meshes, alarms, certificates, CAs and secrets.
  const appmesh = new PerAccountService(context, (c) => new AppMeshService(c));
  const acmPca = new PerAccountService(
    context,
    (c) => new AcmPcaService(c, { issueDelayMs: options.pcaIssueDelayMs ?? 200 }),
  );
  const vpcLattice = new PerAccountService(context, (c) => new VpcLatticeService(c));
  const acm = new PerAccountService(
    context,
    (c) =>
      new AcmService(c, acmPca.in(c.accountId).authorities, {
        // ACM renews through the private CA: a renewal takes as long as the CA takes to sign.
        renewDelayMs: options.pcaIssueDelayMs ?? 200,
        // A certificate a Lattice service serves is in use, as ACM reports it in AWS.
        inUseBy: (arn) => vpcLattice.in(c.accountId).servicesUsingCertificate(arn),
      }),
  );
  const cloudwatch = new PerAccountService(context, (c) => new CloudWatchService(c));
  const secrets = new PerAccountService(context, (c) => new SecretsManagerService(c));
  const dynamodb = new DynamoDbService(context);
  const scheduler = new SchedulerService(context);
  const sts = new StsService({ identities, now });
  const servicesIn = (account: string): LocalAws['services'] => ({
    appmesh: appmesh.in(account),
    acm: acm.in(account),
    acmPca: acmPca.in(account),
    cloudwatch: cloudwatch.in(account),
    vpcLattice: vpcLattice.in(account),
  });
  const services = [
    appmesh,
    acmPca,
    acm,
    cloudwatch,
    vpcLattice,
    new EventsService(context, bus, {
      busPolicies: [
        // What the CDK stack puts on the bus policy: the publishing function roles (and the
        // `meshwarden` key's role, which tests publish with).
        sourceGuardStatement(busArn(region, accountId, LOCAL_NAMES.eventBus), [
          selfRoleArn,
          ...publisherRoleNames(catalog).map((name) => iamRoleArn(accountId, name)),
        ]),
      ],
    }),
    dynamodb,
    secrets,
    scheduler,
    sts,
    new KmsService(context, {
      identityDecision: (caller, action, resource) =>
        identityVerdict(caller, action, resource, region, now()),
    }),
  ];
  const faults = new FaultInjector(options.faults ?? []);
  const callListeners = new Set<(call: LocalApiCall) => void>();
  /** As `cdk deploy` with a changed configuration: the functions' roles get the new policies. */
  const deploy = async (change: LocalDeployment): Promise<void> => {
    stackInputs = { ...stackInputs, ...change };
    roles = (await localStackOf(stackInputs)).roles;
    registerFunctionRoles(identities, roles, roleKeys);
  };
  const edge = new EdgeServer({
    identities,
    sessions: sts.sessions,
    services,
    faults,
    putEvents: context.putEvents,
    now,
    resourceLookups: {
      // Resources live per account: an ARN names its account, a bare secret name the caller's.
      secretArn: (id, account) =>
        secrets.in(id.startsWith('arn:') ? (id.split(':')[4] ?? account) : account).secretArn(id),
      resourceTags: (arn) => {
        const [, , service, , account = accountId] = arn.split(':');
        if (service === 'appmesh') return appmesh.in(account).resourceTags(arn);
        if (service === 'cloudwatch') return cloudwatch.in(account).resourceTags(arn);
        if (service === 'vpc-lattice') return vpcLattice.in(account).resourceTags(arn);
        if (service === 'secretsmanager') return secrets.in(account).resourceTags(arn);
        return undefined;
      },
    },
    onCall: (request, response, operation) => {
      timeline.apiCall(request, response, operation);
      for (const listener of callListeners) listener({ request, response, operation });
    },
    adminRoutes: adminRoutes({
      bus,
      timeline,
      faults,
      services: services.map((s) => s.signingName),
      deploy: async (change) => {
        await deploy(change);
        return { certificateAuthorityArns: [...stackInputs.certificateAuthorityArns] };
      },
    }),
  });
  const port = await edge.listen(options.port ?? 4566);
  const endpoint = `http://127.0.0.1:${port}`;
  await dynamodb.ready();

  // The key policy names the role each sealing function signs as, as the stack names each
  // one's own role; locally too, each function signs as its stack role.
  const signingRoleOf = (fn: FunctionDefinition): string => iamRoleArn(accountId, functionRoleName(fn.name));
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
    MESHWARDEN_MESHES: meshes.join(','),
    MESHWARDEN_SLACK_SECRET: LOCAL_NAMES.slackSecret,
    MESHWARDEN_POLICY_FILE: policyFile,
    MESHWARDEN_SELF_ROLE_ARNS: selfRoleArns.join(','),
    // Deployment steps are one-time schedules in meshwarden's group, run as the stack's
    // Scheduler role: the only group the guard may write, the only role it may pass.
    MESHWARDEN_SCHEDULE_GROUP: SCHEDULE_GROUP_NAME,
    ...stack.environment,
    // What only the running local AWS knows: its accounts and its pending-keys key.
    MESHWARDEN_ACCOUNT_ID: accountId,
    ...memberMeshesEnvironment(policy.document, memberAccounts),
    ...(memberRoles.length === 0
      ? {}
      : {
          MESHWARDEN_MEMBER_ROLE_ARNS: memberRoles
            .map((role) => iamRoleArn(role.accountId as string, role.roleName))
            .join(','),
        }),
    [PENDING_KEY_ARN_ENV]: pendingKeyArn,
    SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`,
    // The console page: its files from the source tree (the stack copies them into the bundle),
    // signing people in with the local issuer, whose access tokens carry the local audience.
    [ASSETS_DIR_ENV]: CONSOLE_ASSETS_DIR,
    [OIDC_ISSUER_ENV]: oidc.issuer,
    [OIDC_CLIENT_ID_ENV]: LOCAL_AUDIENCE,
    POWERTOOLS_SERVICE_NAME: 'meshwarden',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...options.functionEnv,
  };
  if (identities.get('meshwarden') === undefined) {
    throw new Error(
      'The identities file must define the access key "meshwarden": local AWS provisions meshwarden\'s resources with it',
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
  registerTriggers(bus, catalog, options.runSchedules ?? false, memberAccounts.length > 0);
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
    services: servicesIn(accountId),
    servicesIn,
    memberAccounts,
    functionEnv,
    functionRoles: () => roles,
    functionCredentials: (functionName) => {
      const keys = roleKeys.get(functionName);
      if (keys === undefined) throw new Error(`no function ${functionName} in the local stack`);
      return { accessKeyId: keys.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: keys.AWS_SECRET_ACCESS_KEY ?? '' };
    },
    deploy,
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

/**
 * The member accounts' governed meshes, as the CDK stack lists them from `memberAccounts`:
 * locally, each policy entry that names a member account and a mesh by its plain name.
 */
function memberMeshesEnvironment(
  policy: PolicyDocument,
  memberAccounts: readonly string[],
): Record<string, string> {
  const meshes = memberAccounts.flatMap((account) =>
    [...memberMeshesOf(policy, account)].map((m) => `${account}/${m}`),
  );
  return meshes.length === 0 ? {} : { MESHWARDEN_MEMBER_MESHES: meshes.join(',') };
}

/** The meshes a policy governs in a member account, by their plain names. */
function memberMeshesOf(policy: PolicyDocument, account: string): Set<string> {
  return new Set(
    policy.meshes.flatMap((entry) =>
      entry.account === account && entry.provider === 'appmesh' && /^[\w-]+$/.test(entry.mesh)
        ? [entry.mesh]
        : [],
    ),
  );
}

/**
 * Register an identity per function role (`meshwarden-fn-<function>`, session named after the
 * deployed function, as Lambda names it) with the role's policies, and return each function's
 * credentials. Given the credentials of an earlier registration, the same keys get the new
 * policies (a redeploy changes a role's policy, not the functions' credentials).
 */
function registerFunctionRoles(
  identities: IdentityRegistry,
  roles: readonly FunctionRole[],
  existing?: ReadonlyMap<string, Readonly<Record<string, string>>>,
): Map<string, Readonly<Record<string, string>>> {
  const keys = new Map<string, Readonly<Record<string, string>>>();
  for (const role of roles) {
    const accessKeyId = existing?.get(role.functionName)?.AWS_ACCESS_KEY_ID ?? role.roleName;
    const secretAccessKey =
      existing?.get(role.functionName)?.AWS_SECRET_ACCESS_KEY ?? randomBytes(20).toString('base64url');
    const spec = {
      type: 'AssumedRole' as const,
      accessKeyId,
      secretAccessKey,
      roleName: role.roleName,
      sessionName: role.sessionName,
      policies: role.policies.map((doc) => policyDocumentSchema.parse(doc)),
    };
    if (existing === undefined) identities.add(spec);
    else identities.replace(spec);
    keys.set(role.functionName, { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey });
  }
  return keys;
}

/** The same rules the CDK stack creates: one per function trigger, named after the function and pattern. */
function registerTriggers(
  bus: LocalEventBus,
  catalog: readonly FunctionDefinition[],
  runSchedules: boolean,
  hasMemberAccounts: boolean,
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
        // As the CDK stack: member accounts forward to meshwarden's bus, where the rule is mirrored.
        if (trigger.bus === 'default' && hasMemberAccounts) {
          bus.addLocalRule({
            name: `${fn.name}-${trigger.pattern.name}-forwarded`,
            busName: busNames.meshwarden,
            eventPattern: trigger.pattern.pattern as Record<string, unknown>,
            target: { functionName: fn.name, retryPolicy },
          });
        }
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
  const { ConflictException, CreateScheduleGroupCommand, SchedulerClient } = await import(
    '@aws-sdk/client-scheduler'
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
    await new SchedulerClient(config).send(new CreateScheduleGroupCommand({ Name: SCHEDULE_GROUP_NAME }));
  } catch (error) {
    if (!(error instanceof ConflictException)) throw error;
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

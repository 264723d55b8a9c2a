import { userInfo } from 'node:os';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { CloudWatchAlarmSource } from '../../shared/adapters/cloudwatch/alarm-source';
import { DynamoDbApprovalStore } from '../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../shared/adapters/dynamodb/deployment-store';
import { DynamoLastKnownGoodStore } from '../../shared/adapters/dynamodb/last-known-good-store';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import { abortDeployment, promoteDeployment, rollbackDeployment } from '../../shared/deployments/commands';
import type { GuardDeps } from '../../shared/deployments/deps';
import type { Deployment, RouteRecord } from '../../shared/deployments/model';
import { governedServiceNetworks } from '../../shared/deployments/route-policy';
import { formatWeights } from '../../shared/deployments/weights';
import { parseRouteId } from '../../shared/domain/weighted-route';
import { ConfigError, MeshwardenError } from '../../shared/errors';
import { MESHWARDEN_CLI_EVENT_SOURCE } from '../../shared/events/patterns';
import { loadPolicy } from '../../shared/policy/load';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/providers/appmesh';
import { createRouteReader } from '../../shared/providers/appmesh/route-reader';
import { createLatticeClient, createLatticeRoutes, LatticeAdapter } from '../../shared/providers/vpc-lattice';
import { type ApiClient, apiClient } from './api-client';
import { POLICY_OPTION_HELP, policyFileOf } from './policy-file';

/** Where the command writes; replaced in tests. */
export interface DeploymentsCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const CONSOLE_IO: DeploymentsCommandIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

interface Options {
  readonly table?: string;
  readonly bus?: string;
  readonly account?: string;
  readonly policy?: string;
  readonly api?: string;
}

/** A deployment as the HTTP API answers it (the fields the CLI prints). */
interface ApiDeployment {
  readonly id: string;
  readonly routeKey: string;
  readonly status: string;
  readonly stableTarget: string;
  readonly startedAt: string;
  readonly startedBy: { readonly label: string };
  readonly weights: { readonly current: Record<string, number> | null };
  readonly history: readonly { readonly at: string; readonly text: string }[];
}

function apiSummary(d: ApiDeployment): string {
  const weights = d.weights.current === null ? 'route gone' : formatWeights(d.weights.current);
  return `${d.routeKey}  ${weights}  ${d.status} ${d.id} (stable ${d.stableTarget})`;
}

/** The current deployment of a route, through the HTTP API (which names deployments by id). */
async function apiDeploymentOf(api: ApiClient, routeKey: string): Promise<ApiDeployment> {
  const mesh = routeKey.split('/')[0] ?? '';
  const { deployments } = (await api.call('GET', `/api/deployments?mesh=${encodeURIComponent(mesh)}`)) as {
    deployments: ApiDeployment[];
  };
  const found = deployments.find((d) => d.routeKey === routeKey);
  if (found === undefined) throw new MeshwardenError(`${routeKey} has no deployment the API shows you`);
  return found;
}

/** The account whose state the command reads and writes: meshwarden's own. */
function accountOf(options: Options): string {
  const account = options.account ?? process.env.MESHWARDEN_ACCOUNT_ID;
  if (account === undefined || !/^\d{12}$/.test(account)) {
    throw new ConfigError(
      "name meshwarden's account (12 digits): --account or MESHWARDEN_ACCOUNT_ID; state is kept per account",
    );
  }
  return account;
}

/** The guard's deps for a person at a terminal: their own AWS credentials, no scheduler. */
function depsFor(options: Options): GuardDeps {
  const table = options.table ?? process.env.MESHWARDEN_TABLE;
  const bus = options.bus ?? process.env.MESHWARDEN_EVENT_BUS;
  if (table === undefined || bus === undefined) {
    throw new ConfigError(
      'name the state table and the event bus: --table/--bus or MESHWARDEN_TABLE/MESHWARDEN_EVENT_BUS',
    );
  }
  const appMesh = createAppMeshClient();
  const policy = loadPolicy(policyFileOf(options.policy));
  // The policy's VPC Lattice service networks: their rules are rolled back and promoted too.
  const serviceNetworks = governedServiceNetworks(policy);
  const noScheduler = () => Promise.reject(new ConfigError('the CLI does not schedule steps'));
  return {
    meshes: createAppMeshProvider(appMesh),
    routes: createRouteReader(appMesh),
    ...(serviceNetworks.length === 0
      ? {}
      : {
          providers: {
            'vpc-lattice': createLatticeRoutes(new LatticeAdapter(createLatticeClient()), {
              serviceNetworks,
            }),
          },
        }),
    store: new DynamoDbDeploymentStore(createDocumentClient(), table, accountOf(options)),
    alarms: new CloudWatchAlarmSource(new CloudWatchClient({})),
    // A person at a terminal is told of a failed rollback directly; the functions run the recovery schedule.
    scheduler: {
      schedule: noScheduler,
      cancel: noScheduler,
      ensureRecovery: async () => undefined,
      removeRecovery: async () => undefined,
    },
    lastKnownGood: new DynamoLastKnownGoodStore(createDocumentClient(), table, accountOf(options)),
    approvals: { store: new DynamoDbApprovalStore(createDocumentClient(), table), chat: undefined },
    // Signed as the person at the terminal: the bus takes `source: meshwarden` only from meshwarden's roles.
    publisher: new EventBridgePublisher(new EventBridgeClient({}), bus, MESHWARDEN_CLI_EVENT_SOURCE),
    notifier: { notify: async () => undefined },
    policy,
    selfRoleArns: [],
    staticBindings: [],
    telemetry: { rolledBack: () => undefined, rollbackFailed: () => undefined },
    retry: { attempts: 4, baseDelayMs: 200 },
    now: () => new Date(),
  };
}

function summary(record: RouteRecord): string {
  const d = record.deployment;
  const state =
    d === undefined ? 'no deployment' : `${d.status} ${d.deploymentId} (stable ${d.stableTarget})`;
  return `${record.routeKey}  ${formatWeights(record.lastWeights)}  ${state}`;
}

function details(d: Deployment): string[] {
  return [
    `  deployment ${d.deploymentId}: ${d.status}`,
    `  started ${d.startedAt} by ${d.startedBy.label} (${d.startedBy.arn})`,
    `  stable ${d.stableTarget} (${d.stableSource}); canary ${d.canaryTargets.join(', ')}`,
    ...(d.stableWeights === undefined
      ? []
      : [`  stable split ${formatWeights(d.stableWeights)} (restored by a rollback)`]),
    ...(d.watches === undefined || d.watches.length === 0
      ? []
      : [`  also rolled back by the alarms of ${d.watches.join(', ')}`]),
    `  weights before ${formatWeights(d.weightsBefore)}; baseline ${formatWeights(d.baseline)}`,
    ...(d.progress === undefined
      ? []
      : [
          `  steps ${d.progress.steps.join(', ')} at step ${d.progress.stepIndex + 1}${d.progress.next ? `, next due ${d.progress.next.dueAt}` : ''}`,
        ]),
    ...(d.rollback === undefined ? [] : [`  rollback: ${JSON.stringify(d.rollback)}`]),
    ...(d.ended === undefined ? [] : [`  ended ${d.ended.at}: ${d.ended.reason}`]),
    ...d.notes.map((n) => `  ${n.at}  ${n.text}`),
  ];
}

/** `meshwarden deployments list|status|promote|abort|rollback`. */
export function registerDeploymentsCommand(
  program: Command,
  io: DeploymentsCommandIo = CONSOLE_IO,
  deps = depsFor,
  api: (url: string) => ApiClient = apiClient,
): void {
  const group = program
    .command('deployments')
    .description('Weighted route deployments the guard watches')
    .option('--table <name>', 'the state table (default: $MESHWARDEN_TABLE)')
    .option('--bus <name>', 'the meshwarden event bus (default: $MESHWARDEN_EVENT_BUS)')
    .option(
      '--account <id>',
      "meshwarden's own account, whose state is read (default: $MESHWARDEN_ACCOUNT_ID)",
    )
    .option('--policy <file>', POLICY_OPTION_HELP)
    .option('--api <url>', "call meshwarden's HTTP API at URL instead of AWS (token: $MESHWARDEN_TOKEN)");
  /** With `--api`, `viaApi` runs instead of `action`: the same command, answered by the HTTP API. */
  const run =
    (action: (d: GuardDeps) => Promise<void>, viaApi?: (a: ApiClient) => Promise<void>) => async () => {
      try {
        const url = group.opts<Options>().api;
        if (url !== undefined && viaApi !== undefined) {
          await viaApi(api(url));
          return;
        }
        await action(deps(group.opts<Options>()));
      } catch (error) {
        if (!(error instanceof MeshwardenError)) throw error;
        io.err(`${error.name}: ${error.message}`);
        process.exitCode = 1;
      }
    };
  const routeKey = (key: string) => {
    parseRouteId(key);
    return key;
  };
  group
    .command('list')
    .description('Every route the guard has seen, its weights and its latest deployment')
    .action(
      run(
        async (d) => {
          const records = await d.store.list();
          for (const r of records.sort((a, b) => a.routeKey.localeCompare(b.routeKey))) io.out(summary(r));
          if (records.length === 0) io.out('no routes seen yet');
        },
        async (a) => {
          const { deployments } = (await a.call('GET', '/api/deployments')) as {
            deployments: ApiDeployment[];
          };
          for (const d of deployments) io.out(apiSummary(d));
          if (deployments.length === 0) io.out('no deployments you may see');
        },
      ),
    );
  group
    .command('status')
    .argument('<route>', '<mesh>/<virtual-router>/<route>')
    .description('The deployment of a route, its story, and earlier deployments')
    .action((key: string) =>
      run(
        async (d) => {
          const record = await d.store.get(routeKey(key));
          if (record === undefined) {
            io.out(`${key}: not seen by meshwarden`);
            return;
          }
          io.out(summary(record));
          if (record.deployment !== undefined) for (const line of details(record.deployment)) io.out(line);
          for (const old of await d.store.history(key, 5))
            io.out(`  earlier: ${old.deploymentId} ${old.status} (${old.startedAt})`);
        },
        async (a) => {
          const { id } = await apiDeploymentOf(a, routeKey(key));
          const { deployment } = (await a.call('GET', `/api/deployments/${encodeURIComponent(id)}`)) as {
            deployment: ApiDeployment;
          };
          io.out(apiSummary(deployment));
          io.out(`  started ${deployment.startedAt} by ${deployment.startedBy.label}`);
          for (const n of deployment.history) io.out(`  ${n.at}  ${n.text}`);
        },
      )(),
    );
  group
    .command('promote')
    .argument('<route>', '<mesh>/<virtual-router>/<route>')
    .option('--force', 'skip the approval gate before the last step, where the policy allows it (audited)')
    .description(
      'Send all weight to the canary now (skips remaining steps; never while a bound alarm is in ALARM)',
    )
    .action((key: string, opts: { force?: boolean }) =>
      run(
        async (d) => {
          const saved = await promoteDeployment(d, routeKey(key), userInfo().username, opts.force === true);
          io.out(summary(saved));
        },
        async (a) => {
          const { id } = await apiDeploymentOf(a, routeKey(key));
          const body = opts.force === true ? { force: true } : {};
          const { deployment } = (await a.call(
            'POST',
            `/api/deployments/${encodeURIComponent(id)}/promote`,
            body,
          )) as {
            deployment: ApiDeployment;
          };
          io.out(apiSummary(deployment));
        },
      )(),
    );
  // Abort and rollback differ only in their use case and their API route.
  const rollBackCommand = (
    verb: 'abort' | 'rollback',
    description: string,
    useCase: typeof abortDeployment | typeof rollbackDeployment,
  ) =>
    group
      .command(verb)
      .argument('<route>', '<mesh>/<virtual-router>/<route>')
      .option('--note <text>', 'why, for the record')
      .description(description)
      .action((key: string, opts: { note?: string }) =>
        run(
          async (d) => {
            const result = await useCase(d, routeKey(key), userInfo().username, opts.note);
            io.out(
              result.kind === 'skipped' ? `${key}: nothing to do (${result.why})` : summary(result.record),
            );
          },
          async (a) => {
            const { id } = await apiDeploymentOf(a, routeKey(key));
            const body = opts.note === undefined ? {} : { note: opts.note };
            const { deployment } = (await a.call(
              'POST',
              `/api/deployments/${encodeURIComponent(id)}/${verb}`,
              body,
            )) as { deployment: ApiDeployment };
            io.out(apiSummary(deployment));
          },
        )(),
      );
  rollBackCommand('abort', 'Roll the deployment back to its stable target now', abortDeployment);
  rollBackCommand(
    'rollback',
    'Roll the route back to its stable target now (also finishes a rollback that failed)',
    rollbackDeployment,
  );
}

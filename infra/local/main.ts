/**
 * `npm start`: local AWS on one machine, with meshwarden's functions wired to it, a demo
 * mesh and a demo policy. `npm run demo` plays the scenarios and prints what happened.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AppMeshClient,
  DescribeRouteCommand,
  NotFoundException,
  type RouteSpec,
} from '@aws-sdk/client-app-mesh';
import { consoleLine, tryItLines } from './banner';
import { findLatticeDemoRule, LATTICE_DEMO, seedLatticeDemo } from './demo/lattice-seed';
import { SCENARIOS } from './demo/scenarios';
import { DEMO, seedDemo } from './demo/seed';
import { FaultInjector } from './edge/faults';
import { DEFAULT_IDENTITIES, IdentityRegistry } from './edge/identities';
import { startLocalAws } from './runtime';
import { formatEntry } from './timeline';

const USAGE = `Usage: npm start -- [options]

  --port N            edge endpoint port (default 4566)
  --slack-port N      local Slack port (default 4567)
  --http-api-port N   local HTTP API (Slack callbacks, /api/*) port (default 4568)
  --oidc-port N       local OIDC issuer port, whose tokens /api/* accepts (default 4569)
  --data-dir DIR      where state persists across restarts (default .meshwarden/local)
  --fresh             delete the data directory first
  --policy FILE       enforce your own policy instead of the demo one (it is validated first)
  --identities FILE   your own access keys and identities instead of the demo ones (YAML or JSON)
  --scenario NAME     play a scenario (or "all") once ready; scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}
  --exit              exit after the scenarios instead of running until Ctrl-C
  --no-seed           do not seed the demo mesh
  --logs              print the functions' logs here (default: DATA_DIR/functions.log)
  -h, --help          this text

Environment: LOCAL_AWS_FAULTS='[{"service":"appmesh","operation":"UpdateRoute","throttleRate":0.2}]'
injects throttling, 5xx errors and latency per service and operation.`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4566' },
    'slack-port': { type: 'string', default: '4567' },
    'http-api-port': { type: 'string', default: '4568' },
    'oidc-port': { type: 'string', default: '4569' },
    'data-dir': { type: 'string', default: '.meshwarden/local' },
    fresh: { type: 'boolean', default: false },
    identities: { type: 'string' },
    policy: { type: 'string' },
    scenario: { type: 'string' },
    exit: { type: 'boolean', default: false },
    'no-seed': { type: 'boolean', default: false },
    logs: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

function port(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`--${name} must be a port number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const started = Date.now();
  const dataDir = values['data-dir'];
  if (values.fresh) rmSync(dataDir, { recursive: true, force: true });
  const identities = values.identities
    ? IdentityRegistry.fromFile(values.identities)
    : new IdentityRegistry(DEFAULT_IDENTITIES);
  const scenarios =
    values.scenario === undefined
      ? []
      : values.scenario === 'all'
        ? SCENARIOS
        : SCENARIOS.filter((s) => s.name === values.scenario);
  if (values.scenario !== undefined && scenarios.length === 0) {
    throw new Error(
      `Unknown scenario "${values.scenario}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}, all`,
    );
  }

  const aws = await startLocalAws({
    port: port('port', values.port),
    slackPort: port('slack-port', values['slack-port']),
    httpApiPort: port('http-api-port', values['http-api-port']),
    oidcPort: port('oidc-port', values['oidc-port']),
    dataDir,
    identities,
    ...(values.policy ? { policyFile: values.policy } : {}),
    faults: process.env.LOCAL_AWS_FAULTS ? FaultInjector.parse(process.env.LOCAL_AWS_FAULTS) : [],
    runSchedules: !values.exit,
    // The functions' JSON logs would interleave with the timeline printed here.
    ...(values.logs ? {} : { functionLogFile: join(dataDir, 'functions.log') }),
  });
  const admin = identities.all().find((i) => i.accessKeyId !== 'meshwarden') ?? identities.all()[0];
  let seeded = 'not seeded (--no-seed)';
  if (!values['no-seed'] && admin !== undefined) {
    const seed = await seedDemo({
      endpoint: aws.endpoint,
      region: aws.region,
      credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
    });
    // The operator's next step in AWS: configure the stack with the CA and deploy it again.
    await aws.deploy({ certificateAuthorityArns: [seed.caArn] });
    const lattice = await seedLatticeDemo({
      endpoint: aws.endpoint,
      region: aws.region,
      credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
    });
    seeded = `${
      seed.created
        ? `seeded: mesh "${DEMO.mesh}", CA ${seed.caArn}`
        : `mesh "${DEMO.mesh}" found in ${dataDir}`
    }; ${
      lattice.created
        ? `seeded: Lattice service network "${LATTICE_DEMO.serviceNetwork}"`
        : `Lattice service network "${LATTICE_DEMO.serviceNetwork}" found`
    }`;
  }
  await aws.drain();

  // Nothing to try in another terminal when this process exits after its scenarios.
  const tryIt =
    values.exit || admin === undefined
      ? []
      : tryItLines({
          endpoint: aws.endpoint,
          region: aws.region,
          accessKeyId: admin.accessKeyId,
          secretAccessKey: admin.secretAccessKey,
          routeSpec: await demoRouteSpec(aws.endpoint, aws.region, admin),
          latticeRule: await findLatticeDemoRule({
            endpoint: aws.endpoint,
            region: aws.region,
            credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
          }),
        });
  console.log(`meshwarden local AWS is ready in ${Date.now() - started} ms
  AWS endpoint    ${aws.endpoint}   (region ${aws.region}, account ${aws.accountId})
  Slack (local)   ${aws.slackUrl}   channels, messages and buttons: open it in a browser
  Slack callback  ${aws.slackCallbackUrl}   signing secret: ${aws.slackConfig.signingSecret}
${consoleLine(aws.httpApiUrl, aws.oidc.names())}
  HTTP API        ${aws.httpApiUrl}/api   e.g. curl -H "authorization: Bearer $(npx meshwarden login --local --as victor --issuer ${aws.oidc.issuer})" ${aws.httpApiUrl}/api/decisions
  OIDC issuer     ${aws.oidc.issuer}   people: ${aws.oidc.names().join(', ')} (identities file); sign-in page: /authorize (code flow with PKCE)
  Data directory  ${dataDir}   (${seeded}; --fresh starts clean)
  Policy          ${aws.functionEnv.MESHWARDEN_POLICY_FILE}
  Functions       ${aws.functions.names().join(', ')}
  Function logs   ${values.logs ? 'printed here (--logs)' : `${join(dataDir, 'functions.log')}   (--logs prints them here)`}

Identities (access key id / secret access key):
${identities
  .all()
  .map((i) => `  ${`${i.accessKeyId} / ${i.secretAccessKey}`.padEnd(34)} ${i.label}`)
  .join('\n')}

${tryIt.join('\n')}
`);

  if (scenarios.length > 0) {
    for (const scenario of scenarios) {
      console.log(`\n== scenario ${scenario.name}: ${scenario.title}`);
      const from = aws.timeline.all().length;
      try {
        await scenario.run(aws);
      } catch (error) {
        // A scenario that did not end as it says fails the run: print what happened, then stop
        // local AWS so the process exits instead of serving on with the error buried above.
        for (const entry of aws.timeline.all().slice(from)) console.log(`  ${formatEntry(entry)}`);
        await aws.close();
        throw new Error(`scenario ${scenario.name} failed: ${(error as Error).message}`);
      }
      for (const entry of aws.timeline.all().slice(from)) console.log(`  ${formatEntry(entry)}`);
    }
  }
  if (values.exit) {
    await aws.close();
    return;
  }
  console.log('Timeline (Ctrl-C to stop):');
  aws.timeline.follow((entry) => console.log(formatEntry(entry)));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('\nstopping local AWS (state kept in', dataDir, ')');
  await aws.close();
}

/** The demo route's spec as it is now, if there is one (the data directory may hold anything). */
async function demoRouteSpec(
  endpoint: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<RouteSpec | undefined> {
  const client = new AppMeshClient({ endpoint, region, credentials });
  try {
    const { route } = await client.send(
      new DescribeRouteCommand({
        meshName: DEMO.mesh,
        virtualRouterName: DEMO.router,
        routeName: DEMO.route,
      }),
    );
    return route?.spec;
  } catch (error) {
    if (error instanceof NotFoundException) return undefined;
    throw error;
  } finally {
    client.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`meshwarden local: ${(error as Error).message}`);
  process.exitCode = 1;
});

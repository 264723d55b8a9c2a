import { FaultInjector } from '../../infra/local/edge/faults';
import { DEFAULT_IDENTITIES, IdentityRegistry } from '../../infra/local/edge/identities';
import { EdgeServer } from '../../infra/local/edge/server';
import type { SessionStore } from '../../infra/local/edge/sessions';
import type { ResourceLookups } from '../../infra/local/iam/service-authorization';
import type { BusEntry, LocalService, LocalServiceContext } from '../../infra/local/types';

/** Credentials of the default local identities, by role in the demo. */
export const CREDENTIALS = {
  admin: { accessKeyId: 'test', secretAccessKey: 'test' },
  oidcDeveloper: { accessKeyId: 'dev-oidc', secretAccessKey: 'dev-oidc-secret' },
  iamUser: { accessKeyId: 'ops-bob', secretAccessKey: 'ops-bob-secret' },
  meshwarden: { accessKeyId: 'meshwarden', secretAccessKey: 'meshwarden-secret' },
} as const;

export interface TestEdge {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Client config for the SDK v3 clients: endpoint, region, admin credentials. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Events the services and local CloudTrail put on the bus, in order. */
  readonly events: BusEntry[];
  /** Function invocations requested by services (e.g. the scheduler), in order. */
  readonly invocations: { target: string; payload: unknown }[];
  readonly faults: FaultInjector;
  readonly context: LocalServiceContext;
  close(): Promise<void>;
}

/**
 * Start the edge endpoint on a random loopback port with the given services, for
 * integration tests of one service at a time. `makeServices` receives the context the
 * services need; events and invocations are recorded for the test to assert on.
 */
export async function startTestEdge(
  makeServices: (context: LocalServiceContext) => LocalService[],
  options: {
    dataDir?: string;
    now?: () => Date;
    /** Identities other than the demo's (several accounts, roles). */
    identities?: IdentityRegistry;
    /** Role sessions STS issues, for the edge to accept. */
    sessions?: SessionStore;
    resourceLookups?: ResourceLookups;
  } = {},
): Promise<TestEdge> {
  const events: BusEntry[] = [];
  const invocations: { target: string; payload: unknown }[] = [];
  let counter = 0;
  const context: LocalServiceContext = {
    region: 'us-east-1',
    accountId: DEFAULT_IDENTITIES.accountId,
    now: options.now ?? (() => new Date()),
    putEvents: async (entries) => {
      events.push(...entries);
      return entries.map(() => `test-event-${++counter}`);
    },
    invokeFunction: async (target, payload) => {
      invocations.push({ target, payload });
    },
    dataDir: options.dataDir,
  };
  const services = makeServices(context);
  const faults = new FaultInjector();
  const edge = new EdgeServer({
    identities: options.identities ?? new IdentityRegistry(DEFAULT_IDENTITIES),
    ...(options.sessions === undefined ? {} : { sessions: options.sessions }),
    services,
    faults,
    putEvents: context.putEvents,
    now: context.now,
    ...(options.resourceLookups === undefined ? {} : { resourceLookups: options.resourceLookups }),
  });
  const port = await edge.listen(0);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    clientConfig: { endpoint, region: 'us-east-1', credentials: { ...CREDENTIALS.admin } },
    events,
    invocations,
    faults,
    context,
    close: async () => {
      await edge.close();
      for (const s of services) await s.close?.();
    },
  };
}

/**
 * meshwarden's HTTP API: read meshes, deployments, decisions and approvals, and promote,
 * abort, roll back, approve or reject under the same rules as Slack and the CLI. API Gateway's
 * JWT authorizer has verified the token; this decides what its claims may do (the mesh's `api`
 * policy, deny by default), validates the input and calls the shared use cases.
 */
import type { Approval } from '../approvals/approval';
import {
  approvalsSectionOf,
  closedExplanation,
  type DecideApprovalDeps,
  decideApproval,
} from '../approvals/decide-approval';
import { mapBounded } from '../bounded-map';
import {
  byExpiry,
  type InventoryDeps,
  type InventoryEntry,
  takeCertificateInventory,
} from '../certificates/inventory';
import { abortDeployment, promoteDeployment, rollbackDeployment } from '../deployments/commands';
import type { GuardDeps } from '../deployments/deps';
import { type Deployment, isGuarded, type RouteRecord } from '../deployments/model';
import { formatResourceKey } from '../domain/resource-key';
import type { ServiceGraph } from '../domain/service-graph';
import { BadRequestError, ConflictError, MeshwardenError, NotFoundError } from '../errors';
import { type ApiAction, type ApiRole, authorizeApiCall, type Claims, rolesOf } from '../policy/sections/api';
import type { CertificatesSection } from '../policy/sections/certificates';
import type { AuditReader, LastKnownGoodStore, MeshStateStore } from '../ports';
import type { MeshResourceOf } from '../providers/appmesh/model';
import * as z from '../schema';
import { meshGraph } from './graph';
import { networkGraph, networkResources } from './network-graph';
import { type ConsolePage, servePageFile, withEtag } from './page';
import {
  type ApiRequestEvent,
  apiRequestEvent,
  bodyOf,
  callerLabel,
  claimsOf,
  describeIssues,
  type HttpResult,
  json,
  problem,
} from './request';
import type { ConsoleApiRouteKey, ConsolePageRouteKey } from './route-keys';
import { approvalResource, approvalView, decisionView, deploymentView, lastKnownGoodView } from './views';

export interface ConsoleApiDeps {
  /** meshwarden's own (central) account: the API acts on its meshes and reads its state. */
  readonly account: string;
  /** The meshes meshwarden governs; no other mesh exists for the API. */
  readonly meshes: readonly string[];
  /**
   * The VPC Lattice service networks the policy governs (its `provider: vpc-lattice` entries):
   * shown and acted on beside the meshes, under their own entries' api policy.
   */
  readonly serviceNetworks?: readonly string[];
  /** A governed service network read whole, as the neutral service graph (NotFoundError when gone). */
  readonly networks?: { readonly serviceGraph: (network: string) => Promise<ServiceGraph> };
  readonly guard: GuardDeps;
  readonly decide: DecideApprovalDeps;
  readonly audit: AuditReader;
  readonly meshState: MeshStateStore;
  readonly lastKnownGood: LastKnownGoodStore;
  /** What a certificate inventory reads, fresh per request (its CA directory caches). */
  readonly certificates: () => InventoryDeps;
  /** The console page's files and sign-in configuration, served without a token. */
  readonly page: ConsolePage;
}

/** The caller may not do this; the answer names the role it needs. */
class Refused extends MeshwardenError {
  constructor(
    message: string,
    readonly role: ApiRole,
  ) {
    super(message);
  }
}

/** Bad input from the caller: a 400 whose message says what and where. */
class InvalidInput extends MeshwardenError {}

interface Call {
  readonly claims: Claims;
  readonly event: ApiRequestEvent;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
}

type RouteHandler = (deps: ConsoleApiDeps, call: Call) => Promise<HttpResult>;

const meshName = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,255}$/, 'expected a mesh name'));
const isoTime = z.iso.datetime({
  offset: true,
  message: 'expected an ISO-8601 time such as 2026-12-06T10:00:00Z',
});
const id = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'expected an id of letters, digits and _.:-'));

function parse<S extends z.core.$ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = z.safeParse(schema, value);
  if (!result.success) throw new InvalidInput(describeIssues(result.error, where));
  return result.data;
}

function isNetwork(deps: ConsoleApiDeps, name: string): boolean {
  // A name that is a governed mesh is answered as the mesh it always was.
  return !deps.meshes.includes(name) && (deps.serviceNetworks ?? []).includes(name);
}

/** What the API shows and acts on: the governed meshes, then the governed service networks. */
function scopes(deps: ConsoleApiDeps): string[] {
  return [...deps.meshes, ...(deps.serviceNetworks ?? []).filter((n) => !deps.meshes.includes(n))];
}

function governs(deps: ConsoleApiDeps, name: string): boolean {
  return deps.meshes.includes(name) || isNetwork(deps, name);
}

function check(
  deps: ConsoleApiDeps,
  claims: Claims,
  action: ApiAction,
  mesh: string,
  resource: string,
): void {
  if (!governs(deps, mesh)) throw new NotFoundError(`meshwarden governs no mesh ${mesh}`);
  const verdict = authorizeApiCall(deps.guard.policy.forMesh(mesh)?.document.api, claims, action, resource);
  if (!verdict.ok) throw new Refused(verdict.message, verdict.role);
}

function readable(deps: ConsoleApiDeps, claims: Claims): string[] {
  return scopes(deps).filter(
    (m) => authorizeApiCall(deps.guard.policy.forMesh(m)?.document.api, claims, 'read', m).ok,
  );
}

/** An approval of one of the API's meshes: in the central account (a member account's mesh may share a name). */
function isOurs(deps: ConsoleApiDeps, approval: Approval): boolean {
  return (approval.account ?? deps.account) === deps.account && governs(deps, approval.meshName);
}

async function deploymentById(deps: ConsoleApiDeps, deploymentId: string) {
  const record = (await deps.guard.store.list()).find((r) => r.deployment?.deploymentId === deploymentId);
  if (record?.deployment === undefined || !governs(deps, record.meshName))
    throw new NotFoundError(`no current deployment ${deploymentId}`);
  return record as RouteRecord & { deployment: Deployment };
}

/** A governed service network read whole, fresh from Lattice. */
function readNetwork(deps: ConsoleApiDeps, network: string): Promise<ServiceGraph> {
  if (deps.networks === undefined) throw new Error('no VPC Lattice reader for a governed service network');
  return deps.networks.serviceGraph(network);
}

/** A service network's resources: none when it does not exist (yet), as for an empty mesh. */
async function networkResourcesOf(deps: ConsoleApiDeps, network: string) {
  try {
    return networkResources(await readNetwork(deps, network));
  } catch (error) {
    if (error instanceof NotFoundError) return [];
    throw error;
  }
}

/** A resource's open violations: the latest decision on it kept a change that breaks rules. */
async function openViolations(deps: ConsoleApiDeps, mesh: string) {
  const { records } = await deps.audit.page({ meshName: mesh, meshes: [mesh], limit: 500 });
  const latest = new Map<string, ReturnType<typeof decisionView>>();
  for (const record of records) {
    const view = decisionView(record);
    const key = String(view.resourceKey);
    if (!latest.has(key)) latest.set(key, view);
  }
  const open = new Map<string, { ruleIds: unknown; findings: unknown; eventId: string; eventTime: string }>();
  for (const [key, view] of latest) {
    const broken = Array.isArray(view.ruleIds) && view.ruleIds.length > 0;
    if (broken && (view.action === 'report' || view.action === 'keep')) {
      open.set(key, {
        ruleIds: view.ruleIds,
        findings: view.findings,
        eventId: view.eventId,
        eventTime: view.eventTime,
      });
    }
  }
  return open;
}

type DeploymentAction = 'promote' | 'abort' | 'rollback';

/**
 * What the caller may do to a deployment now, so a page offers only that: what its state allows
 * and the api policy grants on its route. Every call is still checked when it comes.
 */
function allowedActions(
  deps: ConsoleApiDeps,
  claims: Claims,
  record: RouteRecord & { deployment: Deployment },
): DeploymentAction[] {
  const d = record.deployment;
  if (!isGuarded(d, deps.guard.now())) return [];
  // A rollback under way is finished by `rollback`; a promoted one can only go back.
  const possible: DeploymentAction[] =
    d.status === 'rolling-back'
      ? ['rollback']
      : d.status === 'promoted'
        ? ['abort', 'rollback']
        : ['promote', 'abort', 'rollback'];
  const section = deps.guard.policy.forMesh(record.meshName)?.document.api;
  return possible.filter((action) => authorizeApiCall(section, claims, action, record.routeKey).ok);
}

/** A deployment as the caller sees it: the record's view and what they may do to it. */
function deploymentFor(
  deps: ConsoleApiDeps,
  claims: Claims,
  record: RouteRecord & { deployment: Deployment },
  history: readonly Deployment[] = [],
) {
  return { ...deploymentView(record, history), allowedActions: allowedActions(deps, claims, record) };
}

const actionBody = z.strictObject({
  note: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(1000))),
  force: z.optional(z.boolean()),
});

function deploymentAction(action: DeploymentAction): RouteHandler {
  return async (deps, call) => {
    const deploymentId = parse(id, call.params.id, 'path.id');
    const raw = bodyOf(call.event);
    if (raw === undefined) throw new InvalidInput('body: not JSON');
    const body = parse(actionBody, raw, 'body');
    if (action === 'promote' && body.note !== undefined)
      throw new InvalidInput('body.note: promote takes no note');
    if (action !== 'promote' && body.force !== undefined)
      throw new InvalidInput(`body.force: only promote takes force`);
    const record = await deploymentById(deps, deploymentId);
    check(deps, call.claims, action, record.meshName, record.routeKey);
    const by = callerLabel(call.claims);
    try {
      if (action === 'promote') {
        const saved = await promoteDeployment(deps.guard, record.routeKey, by, body.force === true);
        return json(200, {
          deployment: deploymentFor(deps, call.claims, saved as RouteRecord & { deployment: Deployment }),
        });
      }
      const run = action === 'abort' ? abortDeployment : rollbackDeployment;
      const result = await run(deps.guard, record.routeKey, by, body.note);
      if (result.kind === 'skipped') return problem(409, `nothing to do: ${result.why}`);
      return json(200, {
        deployment: deploymentFor(
          deps,
          call.claims,
          result.record as RouteRecord & { deployment: Deployment },
        ),
      });
    } catch (error) {
      // The use case refuses what the deployment's state does not allow: a conflict, not bad input.
      if (error instanceof BadRequestError) throw new ConflictError(error.message, { cause: error });
      throw error;
    }
  };
}

function approvalDecision(decision: 'approved' | 'rejected'): RouteHandler {
  return async (deps, call) => {
    const approvalId = parse(id, call.params.id, 'path.id');
    const approval = await deps.decide.store.get(approvalId);
    if (approval === undefined || !isOurs(deps, approval))
      throw new NotFoundError(`meshwarden knows no approval ${approvalId}`);
    check(
      deps,
      call.claims,
      decision === 'approved' ? 'approve' : 'reject',
      approval.meshName,
      approvalResource(approval),
    );
    // The person is the approver whose email the token carries; the approvals policy decides the rest.
    const section = approvalsSectionOf(deps.decide, approval);
    // An email the identity provider says it has not verified names nobody.
    const verified = call.claims.email_verified !== false && call.claims.email_verified !== 'false';
    const email =
      verified && typeof call.claims.email === 'string' ? call.claims.email.toLowerCase() : undefined;
    const approverId =
      email === undefined
        ? undefined
        : Object.entries(section?.approvers ?? {}).find(([, a]) => a.email?.toLowerCase() === email)?.[0];
    if (approverId === undefined) {
      throw new Refused(
        `you are not an approver of mesh ${approval.meshName}: no approver in its approvals policy has the email ${email ?? '(your token carries no verified email)'}`,
        'approver',
      );
    }
    const outcome = await decideApproval(deps.decide, {
      approvalId,
      approverId,
      decision,
      interaction: `api:${call.event.requestContext.requestId}`,
    });
    switch (outcome.kind) {
      case 'recorded':
      case 'repeated':
        return json(200, { approval: approvalView(outcome.approval) });
      case 'unknown':
        throw new NotFoundError(`meshwarden knows no approval ${approvalId}`);
      case 'closed':
        throw new ConflictError(closedExplanation(outcome.approval));
      case 'refused':
        throw new Refused(outcome.message, 'approver');
    }
  };
}

const decisionsQuery = z.strictObject({
  mesh: z.optional(meshName),
  resource: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  principal: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  since: z.optional(isoTime),
  until: z.optional(isoTime),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 50),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
});

/** The route table: one handler per route key. */
const ROUTES: Readonly<Record<ConsoleApiRouteKey, RouteHandler>> = {
  'GET /api/meshes': async (deps, call) => {
    parse(z.strictObject({}), call.query, 'query');
    const meshes = await Promise.all(
      readable(deps, call.claims).map(async (name) => ({
        name,
        // App Mesh answers as before: `provider` is named where it is not App Mesh.
        ...(isNetwork(deps, name) ? { provider: 'vpc-lattice' as const } : {}),
        // A service network is read from Lattice: meshwarden keeps no copy of it.
        resources: isNetwork(deps, name)
          ? (await networkResourcesOf(deps, name)).length
          : (await deps.meshState.load(name)).length,
        openViolations: (await openViolations(deps, name)).size,
      })),
    );
    return json(200, { meshes });
  },
  'GET /api/me': async (deps, call) => {
    parse(z.strictObject({}), call.query, 'query');
    // What the page may offer: the roles the caller's grants give on each mesh (the API still
    // checks every action on its resource).
    const meshes = scopes(deps)
      .map((name) => ({
        name,
        ...(isNetwork(deps, name) ? { provider: 'vpc-lattice' as const } : {}),
        roles: rolesOf(deps.guard.policy.forMesh(name)?.document.api, call.claims),
      }))
      .filter((m) => m.roles.length > 0);
    return json(200, { caller: callerLabel(call.claims), meshes });
  },
  'GET /api/meshes/{mesh}/graph': async (deps, call) => {
    parse(z.strictObject({}), call.query, 'query');
    const mesh = parse(meshName, call.params.mesh, 'path.mesh');
    check(deps, call.claims, 'read', mesh, mesh);
    if (isNetwork(deps, mesh)) {
      // Read whole and fresh, as the audit reads it: the weights are Lattice's now.
      return json(200, { graph: networkGraph(await readNetwork(deps, mesh)) });
    }
    const cached = await deps.meshState.load(mesh);
    // A cold cache: read the mesh whole, as judging does.
    const resources = cached.some((r) => r.kind === 'mesh')
      ? cached
      : await deps.guard.meshes
          .readMesh(mesh)
          .then((s) => [
            s.mesh,
            ...s.virtualNodes,
            ...s.virtualServices,
            ...s.virtualRouters,
            ...s.routes,
            ...s.virtualGateways,
            ...s.gatewayRoutes,
          ]);
    // Weights fresh from the provider, one read per route: meshwarden's own writes (a rollback)
    // reach the cache only with the next audit.
    const cachedRoutes = resources.filter(
      (r): r is MeshResourceOf<'route'> & { parentName: string } =>
        r.kind === 'route' && r.parentName !== undefined,
    );
    const routes = (
      await mapBounded(cachedRoutes, 4, (r) =>
        deps.guard.routes.readRoute({ meshName: mesh, virtualRouterName: r.parentName, routeName: r.name }),
      )
    ).filter((r): r is MeshResourceOf<'route'> => r !== undefined);
    return json(200, { graph: meshGraph(mesh, resources, routes) });
  },
  'GET /api/meshes/{mesh}': async (deps, call) => {
    parse(z.strictObject({}), call.query, 'query');
    const mesh = parse(meshName, call.params.mesh, 'path.mesh');
    check(deps, call.claims, 'read', mesh, mesh);
    if (isNetwork(deps, mesh)) {
      // Lattice keeps no versions meshwarden could show: each resource with its open violations.
      const [resources, open] = await Promise.all([
        networkResourcesOf(deps, mesh),
        openViolations(deps, mesh),
      ]);
      const views = resources.map((r) => ({ ...r, openViolations: open.get(r.key) ?? null }));
      return json(200, {
        name: mesh,
        provider: 'vpc-lattice',
        resources: views.sort((a, b) => a.key.localeCompare(b.key)),
      });
    }
    const [resources, open] = await Promise.all([deps.meshState.load(mesh), openViolations(deps, mesh)]);
    const views = await Promise.all(
      resources.map(async (resource) => {
        const key = formatResourceKey(resource);
        return {
          key,
          kind: resource.kind,
          version: resource.metadata?.version ?? null,
          lastUpdatedAt: resource.metadata?.lastUpdatedAt ?? null,
          lastKnownGood: lastKnownGoodView(await deps.lastKnownGood.get(key)),
          openViolations: open.get(key) ?? null,
        };
      }),
    );
    return json(200, { name: mesh, resources: views.sort((a, b) => a.key.localeCompare(b.key)) });
  },
  'GET /api/deployments': async (deps, call) => {
    const query = parse(z.strictObject({ mesh: z.optional(meshName) }), call.query, 'query');
    if (query.mesh !== undefined) check(deps, call.claims, 'read', query.mesh, query.mesh);
    const meshes = new Set(query.mesh === undefined ? readable(deps, call.claims) : [query.mesh]);
    const records = (await deps.guard.store.list()).filter(
      (r): r is RouteRecord & { deployment: Deployment } =>
        r.deployment !== undefined && meshes.has(r.meshName),
    );
    const deployments = records
      .map((r) => deploymentFor(deps, call.claims, r))
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    return json(200, { deployments });
  },
  'GET /api/deployments/{id}': async (deps, call) => {
    parse(z.strictObject({}), call.query, 'query');
    const record = await deploymentById(deps, parse(id, call.params.id, 'path.id'));
    check(deps, call.claims, 'read', record.meshName, record.meshName);
    return json(200, {
      deployment: deploymentFor(
        deps,
        call.claims,
        record,
        await deps.guard.store.history(record.routeKey, 10),
      ),
    });
  },
  'POST /api/deployments/{id}/promote': deploymentAction('promote'),
  'POST /api/deployments/{id}/abort': deploymentAction('abort'),
  'POST /api/deployments/{id}/rollback': deploymentAction('rollback'),
  'GET /api/decisions': async (deps, call) => {
    const query = parse(decisionsQuery, call.query, 'query');
    if (
      query.since !== undefined &&
      query.until !== undefined &&
      Date.parse(query.since) > Date.parse(query.until)
    )
      throw new InvalidInput('query.since: after query.until');
    if (query.mesh !== undefined) check(deps, call.claims, 'read', query.mesh, query.mesh);
    // Stored event times are UTC with a Z: bounds are compared as text, so normalise them.
    const utc = (t: string | undefined) =>
      t === undefined ? undefined : new Date(t).toISOString().replace('.000Z', 'Z');
    const page = await deps.audit.page({
      ...(query.mesh === undefined ? {} : { meshName: query.mesh }),
      meshes: query.mesh === undefined ? readable(deps, call.claims) : [query.mesh],
      ...(query.resource === undefined ? {} : { resourceKey: query.resource }),
      ...(query.principal === undefined ? {} : { principal: query.principal }),
      ...(query.since === undefined ? {} : { since: utc(query.since) }),
      ...(query.until === undefined ? {} : { until: utc(query.until) }),
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    return json(200, { decisions: page.records.map(decisionView), cursor: page.cursor ?? null });
  },
  'GET /api/approvals': async (deps, call) => {
    const query = parse(
      z.strictObject({ status: z._default(z.enum(['pending', 'open']), 'open'), mesh: z.optional(meshName) }),
      call.query,
      'query',
    );
    if (query.mesh !== undefined) check(deps, call.claims, 'read', query.mesh, query.mesh);
    const meshes = new Set(query.mesh === undefined ? readable(deps, call.claims) : [query.mesh]);
    const approvals = (await deps.decide.store.listOpen())
      .filter(
        (a) =>
          isOurs(deps, a) && meshes.has(a.meshName) && (query.status === 'open' || a.status === 'pending'),
      )
      .map(approvalView)
      .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
    return json(200, { approvals });
  },
  'GET /api/approvals/{id}': async (deps, call) => {
    parse(z.strictObject({}), call.query, 'query');
    const approvalId = parse(id, call.params.id, 'path.id');
    const approval = await deps.decide.store.get(approvalId);
    if (approval === undefined || !isOurs(deps, approval))
      throw new NotFoundError(`meshwarden knows no approval ${approvalId}`);
    check(deps, call.claims, 'read', approval.meshName, approval.meshName);
    return json(200, { approval: approvalView(approval) });
  },
  'GET /api/certificates': async (deps, call) => {
    const query = parse(z.strictObject({ mesh: z.optional(meshName) }), call.query, 'query');
    if (query.mesh !== undefined) check(deps, call.claims, 'read', query.mesh, query.mesh);
    // Certificates are App Mesh's here: Lattice's are in the audit's inventory, not rotated.
    const meshes = (query.mesh === undefined ? readable(deps, call.claims) : [query.mesh]).filter(
      (m) => !isNetwork(deps, m),
    );
    const inventory = deps.certificates();
    const entries: (InventoryEntry & { meshName: string })[] = [];
    for (const mesh of meshes) {
      const section = deps.guard.policy.forMesh(mesh)?.document.certificates as
        | CertificatesSection
        | undefined;
      try {
        const taken = await takeCertificateInventory(inventory, mesh, section);
        entries.push(...taken.entries.map((e) => ({ ...e, meshName: mesh })));
      } catch (error) {
        // A mesh that is gone has no certificates to show; any other failure is the API's.
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    const certificates = entries.sort(byExpiry).map((e) => ({
      meshName: e.meshName,
      id: e.id,
      type: e.type,
      notAfter: e.facts?.notAfter ?? null,
      notBefore: e.facts?.notBefore ?? null,
      subject: e.facts?.subject ?? null,
      sans: e.facts?.sans ?? [],
      issuer: e.facts?.issuer ?? null,
      ...(e.issuingCaArn === undefined ? {} : { issuingCaArn: e.issuingCaArn }),
      ...(e.renewable === undefined ? {} : { renewable: e.renewable }),
      usedBy: e.usedBy,
      ...(e.problem === undefined ? {} : { problem: e.problem }),
    }));
    return json(200, { certificates });
  },
  'POST /api/approvals/{id}/approve': approvalDecision('approved'),
  'POST /api/approvals/{id}/reject': approvalDecision('rejected'),
};

/** Answer one request to the HTTP API (API Gateway HTTP API, payload format 2.0, JWT authorizer). */
export async function handleApiRequest(deps: ConsoleApiDeps, event: unknown): Promise<HttpResult> {
  const envelope = z.safeParse(apiRequestEvent, event);
  if (!envelope.success) return problem(400, 'not an API Gateway HTTP API (payload 2.0) request');
  const request = envelope.data;
  const ifNoneMatch = request.headers?.['if-none-match'];
  if (Object.hasOwn(deps.page, request.routeKey))
    return servePageFile(deps.page, request.routeKey as ConsolePageRouteKey, ifNoneMatch);
  // API Gateway's authorizer refuses a request without a valid token before it gets here; this
  // is the second lock, for a route deployed without one.
  const claims = claimsOf(request);
  if (claims === undefined) return problem(401, 'a valid bearer token is required');
  const route = Object.hasOwn(ROUTES, request.routeKey)
    ? ROUTES[request.routeKey as ConsoleApiRouteKey]
    : undefined;
  if (route === undefined) return problem(404, `no route ${request.routeKey}`);
  try {
    const result = await route(deps, {
      claims,
      event: request,
      params: request.pathParameters ?? {},
      query: request.queryStringParameters ?? {},
    });
    // A page polling for changes revalidates its reads: 304 when the answer is the same.
    return request.requestContext.http.method === 'GET' ? withEtag(result, ifNoneMatch) : result;
  } catch (error) {
    if (error instanceof Refused) return problem(403, error.message, { requiredRole: error.role });
    if (error instanceof InvalidInput || error instanceof BadRequestError) return problem(400, error.message);
    if (error instanceof NotFoundError) return problem(404, error.message);
    if (error instanceof ConflictError) return problem(409, error.message);
    throw error;
  }
}

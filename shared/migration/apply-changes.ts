/**
 * What `migrate apply` has to do: the plan against what exists in VPC Lattice under the plan's
 * names. Pure. Something missing is a create (in dependency order: network, target groups,
 * services, listeners, rules, associations); something present that differs from the plan is a
 * difference, and any difference refuses the whole apply before a write; something present
 * and equal is left alone (a re-run after a crash, or an equal resource someone made, which
 * gets the migration tag). So a second run finds nothing to change.
 */
import { createHash } from 'node:crypto';
import type {
  ExistingLattice,
  ExistingListener,
  ExistingService,
  LatticeActionInput,
  LatticeCreate,
  LatticeMatchInput,
  LatticeResourceId,
} from './lattice-target';
import type {
  AuthPolicyDocument,
  MigrationPlan,
  PlannedAction,
  PlannedRuleMatch,
  SourceRef,
} from './plan-model';

/** The tag every resource apply creates carries: `<mesh>/<the App Mesh resource it replaces>`. */
export const MIGRATED_FROM_TAG = 'meshwarden:migrated-from';

/** The id in an identifier Lattice answered with, an id or an ARN (its last path segment). */
function idOf(identifier: string): string {
  return identifier.startsWith('arn:') ? (identifier.split('/').at(-1) ?? identifier) : identifier;
}

/** A resource of the plan, by names. */
export type PlanRef =
  | { readonly kind: 'service-network'; readonly name: string }
  | { readonly kind: 'target-group'; readonly name: string }
  | { readonly kind: 'service'; readonly name: string }
  | { readonly kind: 'listener'; readonly service: string; readonly name: string }
  | { readonly kind: 'rule'; readonly service: string; readonly listener: string; readonly name: string }
  | { readonly kind: 'service-association'; readonly service: string }
  | { readonly kind: 'vpc-association'; readonly vpc: string };

/** A stable, readable key of a ref: `service/web/listener/http/rule/web-route`. */
export function refKey(ref: PlanRef): string {
  switch (ref.kind) {
    case 'listener':
      return `service/${ref.service}/listener/${ref.name}`;
    case 'rule':
      return `service/${ref.service}/listener/${ref.listener}/rule/${ref.name}`;
    case 'service-association':
      return `service-association/${ref.service}`;
    case 'vpc-association':
      return `vpc-association/${ref.vpc}`;
    default:
      return `${ref.kind}/${ref.name}`;
  }
}

/** Ids of resources by ref key: those that exist, then those created as apply goes. */
export type KnownIds = Map<string, LatticeResourceId>;

type CreateBody = LatticeCreate extends infer C
  ? C extends LatticeCreate
    ? Omit<C, 'clientToken' | 'tags'>
    : never
  : never;

export type Change =
  | {
      readonly op: 'create';
      readonly ref: PlanRef;
      readonly tags: Readonly<Record<string, string>>;
      /** The request once the ids it names are known (created earlier in the same run). */
      readonly build: (ids: KnownIds) => CreateBody;
    }
  | { readonly op: 'put-auth-policy'; readonly ref: PlanRef; readonly policy: string }
  | { readonly op: 'tag'; readonly ref: PlanRef; readonly tags: Readonly<Record<string, string>> };

export interface ApplyAnalysis {
  readonly changes: readonly Change[];
  /** Existing resources that differ from the plan, one line each; any refuses the apply. */
  readonly differences: readonly string[];
  readonly known: KnownIds;
}

/** What apply is told besides the plan. */
export interface ApplyOptions {
  /** The VPC of target groups whose plan names none (the mesh does not say). */
  readonly vpcIdentifier?: string;
}

/** One line describing a change, for the terminal and the audit record. */
export function describeChange(change: Change): string {
  const what = refKey(change.ref);
  if (change.op === 'create') return `create ${what}`;
  if (change.op === 'put-auth-policy') return `put auth policy on ${what}`;
  return `tag ${what} ${Object.entries(change.tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}`;
}

/** JSON with sorted keys and no undefined members: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The client token of one create: derived from the mesh, the resource and the request, so a
 * retry of the same create (by the SDK, or a re-run after a crash) is the same token, and a
 * different request never reuses one (Lattice refuses a token reused with other parameters).
 * Lattice takes 1..64 printable ASCII characters; this is 3 + 1 + 43 = 47.
 */
export function clientTokenOf(meshName: string, ref: PlanRef, request: unknown): string {
  const digest = createHash('sha256')
    .update(`${meshName}\n${refKey(ref)}\n${canonicalJson(request)}`)
    .digest('base64url');
  return `mw-${digest}`.slice(0, 47);
}

function sourceTag(meshName: string, source: readonly SourceRef[]): Record<string, string> {
  const first = source[0];
  const path =
    first === undefined
      ? 'mesh'
      : [first.kind, ...(first.parentName === undefined ? [] : [first.parentName]), first.name].join('/');
  // Tag values are at most 256 characters.
  return { [MIGRATED_FROM_TAG]: `${meshName}/${path}`.slice(0, 256) };
}

/** Reasons the plan cannot be applied as it is, before anything is read or written. */
export function blockingProblems(plan: MigrationPlan, options: ApplyOptions): string[] {
  const problems: string[] = [];
  const groups = new Set(plan.targetGroups.map((t) => t.name));
  for (const tg of plan.targetGroups) {
    if (tg.type !== 'LAMBDA' && tg.vpcIdentifier === undefined && options.vpcIdentifier === undefined)
      problems.push(
        `target group ${tg.name} (virtual node ${tg.virtualNode}): the mesh does not say its VPC; pass --vpc VPC_ID`,
      );
  }
  const actionProblems = (where: string, action: PlannedAction) => {
    if (!('forward' in action)) return;
    for (const t of action.forward.targetGroups) {
      if (!groups.has(t.targetGroupName))
        problems.push(
          `${where}: forwards to target group ${t.targetGroupName}, which the plan does not create`,
        );
      if (!Number.isInteger(t.weight) || t.weight < 0 || t.weight > 999)
        problems.push(`${where}: weight ${t.weight} of ${t.targetGroupName} is outside VPC Lattice's 0..999`);
    }
  };
  for (const service of plan.services) {
    for (const listener of service.listeners) {
      actionProblems(
        `service ${service.name} listener ${listener.name} default action`,
        listener.defaultAction,
      );
      for (const rule of listener.rules)
        actionProblems(`service ${service.name} listener ${listener.name} rule ${rule.name}`, rule.action);
    }
  }
  const services = new Set(plan.services.map((s) => s.name));
  for (const a of plan.associations) {
    if (a.serviceNetworkName !== plan.serviceNetwork.name)
      problems.push(
        `an association names service network ${a.serviceNetworkName}, not the plan's ${plan.serviceNetwork.name}`,
      );
    if (a.kind === 'service' && !services.has(a.serviceName))
      problems.push(`association of service ${a.serviceName}, which the plan does not create`);
  }
  for (const difference of plan.routingParity?.differences ?? []) {
    const { request } = difference;
    problems.push(
      `routing differs for service ${difference.service}: ${request.method} ${request.path} on port ${request.port}${
        difference.explanation === undefined ? '' : ` (${difference.explanation})`
      }`,
    );
  }
  return problems;
}

/** The action a plan names, ids resolved; the target groups must be known by then. */
function actionInput(action: PlannedAction, ids: KnownIds): LatticeActionInput {
  if (!('forward' in action)) return { fixedResponse: { statusCode: action.fixedResponse.statusCode } };
  return {
    forward: {
      targetGroups: action.forward.targetGroups.map((t) => {
        const known = ids.get(refKey({ kind: 'target-group', name: t.targetGroupName }));
        if (known === undefined) throw new Error(`target group ${t.targetGroupName} has no id yet`);
        return { targetGroupIdentifier: known.id, weight: t.weight };
      }),
    },
  };
}

function matchInput(match: PlannedRuleMatch): LatticeMatchInput {
  return {
    httpMatch: {
      ...(match.method === undefined ? {} : { method: match.method }),
      ...(match.path === undefined
        ? {}
        : { pathMatch: { match: match.path.match, caseSensitive: match.path.caseSensitive } }),
      ...(match.headerMatches === undefined || match.headerMatches.length === 0
        ? {}
        : {
            headerMatches: match.headerMatches.map((h) => ({
              name: h.name,
              match: h.match,
              caseSensitive: h.caseSensitive,
            })),
          }),
    },
  };
}

/** An action in comparable form, target groups by name (`names`: id -> name). */
function comparableAction(action: unknown, names: ReadonlyMap<string, string>): string {
  const a = (action ?? {}) as {
    forward?: { targetGroups?: { targetGroupIdentifier?: string; weight?: number }[] };
    fixedResponse?: { statusCode?: number };
  };
  if (a.forward !== undefined) {
    const targets = a.forward.targetGroups ?? [];
    return `forward ${targets
      .map((t) => {
        const id = idOf(t.targetGroupIdentifier ?? '');
        return `${names.get(id) ?? id}=${t.weight ?? (targets.length === 1 ? 100 : 0)}`;
      })
      .join(', ')}`;
  }
  if (a.fixedResponse !== undefined) return `fixed response ${a.fixedResponse.statusCode}`;
  return 'no action';
}

function plannedAction(action: PlannedAction): string {
  if (!('forward' in action)) return `fixed response ${action.fixedResponse.statusCode}`;
  return `forward ${action.forward.targetGroups.map((t) => `${t.targetGroupName}=${t.weight}`).join(', ')}`;
}

function comparableMatch(match: unknown): string {
  const http = ((match ?? {}) as { httpMatch?: Record<string, unknown> }).httpMatch ?? {};
  const path = http.pathMatch as { match?: Record<string, string>; caseSensitive?: boolean } | undefined;
  const headers = (http.headerMatches ?? []) as {
    name?: string;
    match?: Record<string, string>;
    caseSensitive?: boolean;
  }[];
  return canonicalJson({
    method: http.method,
    path: path === undefined ? undefined : { match: path.match, caseSensitive: path.caseSensitive ?? false },
    headers: headers.map((h) => ({ name: h.name, match: h.match, caseSensitive: h.caseSensitive ?? false })),
  });
}

function policyText(policy: AuthPolicyDocument): string {
  return JSON.stringify(policy);
}

function samePolicy(existing: string | undefined, planned: AuthPolicyDocument | undefined): boolean {
  if (existing === undefined || planned === undefined) return existing === planned;
  try {
    return canonicalJson(JSON.parse(existing)) === canonicalJson(planned);
  } catch {
    return false;
  }
}

/**
 * Compare the plan with what exists and list the changes, in the order they must be made.
 * `meshName` decides whose migration a tagged resource belongs to.
 */
export function analyseApply(
  plan: MigrationPlan,
  existing: ExistingLattice,
  options: ApplyOptions,
): ApplyAnalysis {
  const changes: Change[] = [];
  const differences: string[] = [];
  const known: KnownIds = new Map();
  const mesh = plan.meshName;
  const differ = (what: string, field: string, inLattice: unknown, inPlan: unknown) => {
    if (canonicalJson(inLattice) !== canonicalJson(inPlan))
      differences.push(
        `${what}: ${field} is ${String(inLattice ?? '(none)')} in VPC Lattice, ${String(inPlan ?? '(none)')} in the plan`,
      );
  };
  /** An existing resource: ours (tagged for this mesh) or someone's equal one (gets the tag). */
  const adopt = (
    ref: PlanRef,
    what: string,
    tags: Readonly<Record<string, string>>,
    wanted: Record<string, string>,
  ) => {
    const from = tags[MIGRATED_FROM_TAG];
    if (from === undefined) changes.push({ op: 'tag', ref, tags: wanted });
    else if (!from.startsWith(`${mesh}/`))
      differences.push(`${what}: tagged ${MIGRATED_FROM_TAG}=${from}, the migration of another mesh`);
  };

  // The service network and its auth policy.
  const sn = plan.serviceNetwork;
  const snRef: PlanRef = { kind: 'service-network', name: sn.name };
  const snTags = sourceTag(mesh, sn.source);
  const snNow = existing.serviceNetwork;
  if (snNow === undefined) {
    changes.push({
      op: 'create',
      ref: snRef,
      tags: snTags,
      build: () => ({ kind: 'service-network', name: sn.name, authType: sn.authType }),
    });
  } else {
    known.set(refKey(snRef), snNow);
    differ(`service network ${sn.name}`, 'authType', snNow.authType ?? 'NONE', sn.authType);
    adopt(snRef, `service network ${sn.name}`, snNow.tags, snTags);
  }
  if (sn.authPolicy !== undefined && !samePolicy(snNow?.authPolicy, sn.authPolicy)) {
    if (snNow?.authPolicy !== undefined)
      differences.push(`service network ${sn.name}: its auth policy differs from the plan's`);
    else changes.push({ op: 'put-auth-policy', ref: snRef, policy: policyText(sn.authPolicy) });
  }

  // Target groups.
  const tgNames = new Map<string, string>();
  for (const tg of existing.targetGroups) tgNames.set(tg.id, tg.name);
  for (const tg of plan.targetGroups) {
    const ref: PlanRef = { kind: 'target-group', name: tg.name };
    const tags = sourceTag(mesh, tg.source);
    const vpc = tg.vpcIdentifier ?? options.vpcIdentifier;
    const now = existing.targetGroups.find((t) => t.name === tg.name);
    if (now === undefined) {
      changes.push({
        op: 'create',
        ref,
        tags,
        build: () => ({
          kind: 'target-group',
          name: tg.name,
          type: tg.type,
          config: {
            port: tg.port,
            protocol: tg.protocol,
            ...(tg.protocolVersion === undefined ? {} : { protocolVersion: tg.protocolVersion }),
            ...(vpc === undefined || tg.type === 'LAMBDA' ? {} : { vpcIdentifier: vpc }),
            ...(tg.healthCheck === undefined ? {} : { healthCheck: { ...tg.healthCheck } }),
          },
        }),
      });
      continue;
    }
    known.set(refKey(ref), now);
    const what = `target group ${tg.name}`;
    differ(what, 'type', now.type, tg.type);
    differ(what, 'port', now.port, tg.port);
    differ(what, 'protocol', now.protocol, tg.protocol);
    if (tg.protocolVersion !== undefined)
      differ(what, 'protocolVersion', now.protocolVersion, tg.protocolVersion);
    if (vpc !== undefined && tg.type !== 'LAMBDA') differ(what, 'vpcIdentifier', now.vpcIdentifier, vpc);
    adopt(ref, what, now.tags, tags);
  }

  // Services, their auth policies, listeners and rules.
  for (const service of plan.services) {
    const ref: PlanRef = { kind: 'service', name: service.name };
    const tags = sourceTag(mesh, service.source);
    const now: ExistingService | undefined = existing.services.find((s) => s.name === service.name);
    const what = `service ${service.name}`;
    if (now === undefined) {
      changes.push({
        op: 'create',
        ref,
        tags,
        build: () => ({
          kind: 'service',
          name: service.name,
          authType: service.auth.authType,
          ...(service.customDomainName === undefined ? {} : { customDomainName: service.customDomainName }),
          ...(service.certificateArn === undefined ? {} : { certificateArn: service.certificateArn }),
        }),
      });
    } else {
      known.set(refKey(ref), now);
      differ(what, 'authType', now.authType ?? 'NONE', service.auth.authType);
      differ(what, 'customDomainName', now.customDomainName, service.customDomainName);
      differ(what, 'certificateArn', now.certificateArn, service.certificateArn);
      adopt(ref, what, now.tags, tags);
    }
    const policy = service.auth.policy;
    if (policy !== undefined && !samePolicy(now?.authPolicy, policy)) {
      if (now?.authPolicy !== undefined) differences.push(`${what}: its auth policy differs from the plan's`);
      else changes.push({ op: 'put-auth-policy', ref, policy: policyText(policy) });
    }
    for (const listener of service.listeners) {
      const lRef: PlanRef = { kind: 'listener', service: service.name, name: listener.name };
      const lTags = sourceTag(mesh, listener.source);
      const lNow: ExistingListener | undefined = now?.listeners.find((l) => l.name === listener.name);
      const lWhat = `${what} listener ${listener.name}`;
      if (lNow === undefined) {
        changes.push({
          op: 'create',
          ref: lRef,
          tags: lTags,
          build: (ids) => ({
            kind: 'listener',
            serviceId: idFor(ids, ref),
            name: listener.name,
            protocol: listener.protocol,
            port: listener.port,
            defaultAction: actionInput(listener.defaultAction, ids),
          }),
        });
      } else {
        known.set(refKey(lRef), lNow);
        differ(lWhat, 'protocol', lNow.protocol, listener.protocol);
        differ(lWhat, 'port', lNow.port, listener.port);
        differ(
          lWhat,
          'default action',
          comparableAction(lNow.defaultAction, tgNames),
          plannedAction(listener.defaultAction),
        );
        adopt(lRef, lWhat, lNow.tags, lTags);
      }
      for (const rule of listener.rules) {
        const rRef: PlanRef = {
          kind: 'rule',
          service: service.name,
          listener: listener.name,
          name: rule.name,
        };
        const rTags = sourceTag(mesh, rule.source);
        const rNow = lNow?.rules.find((r) => r.name === rule.name);
        const rWhat = `${lWhat} rule ${rule.name}`;
        if (rNow === undefined) {
          changes.push({
            op: 'create',
            ref: rRef,
            tags: rTags,
            build: (ids) => ({
              kind: 'rule',
              serviceId: idFor(ids, ref),
              listenerId: idFor(ids, lRef),
              name: rule.name,
              priority: rule.priority,
              match: matchInput(rule.match),
              action: actionInput(rule.action, ids),
            }),
          });
          continue;
        }
        known.set(refKey(rRef), rNow);
        differ(rWhat, 'priority', rNow.priority, rule.priority);
        differ(rWhat, 'match', comparableMatch(rNow.match), comparableMatch(matchInput(rule.match)));
        differ(rWhat, 'action', comparableAction(rNow.action, tgNames), plannedAction(rule.action));
        adopt(rRef, rWhat, rNow.tags, rTags);
      }
    }
  }

  // Associations: present or made; an association has nothing else to compare.
  for (const association of plan.associations) {
    if (association.kind === 'service') {
      if (snNow?.serviceAssociations.includes(association.serviceName)) continue;
      const ref: PlanRef = { kind: 'service-association', service: association.serviceName };
      changes.push({
        op: 'create',
        ref,
        tags: sourceTag(mesh, plan.serviceNetwork.source),
        build: (ids) => ({
          kind: 'service-association',
          serviceNetworkId: idFor(ids, snRef),
          serviceId: idFor(ids, { kind: 'service', name: association.serviceName }),
        }),
      });
    } else {
      if (snNow?.vpcAssociations.includes(association.vpcIdentifier)) continue;
      const ref: PlanRef = { kind: 'vpc-association', vpc: association.vpcIdentifier };
      changes.push({
        op: 'create',
        ref,
        tags: sourceTag(mesh, plan.serviceNetwork.source),
        build: (ids) => ({
          kind: 'vpc-association',
          serviceNetworkId: idFor(ids, snRef),
          vpcIdentifier: association.vpcIdentifier,
        }),
      });
    }
  }
  return { changes, differences, known };
}

function idFor(ids: KnownIds, ref: PlanRef): string {
  const known = ids.get(refKey(ref));
  if (known === undefined) throw new Error(`${refKey(ref)} has no id yet`);
  return known.id;
}

/**
 * A small governed mesh, its policy and CloudTrail events by the demo's identities, for
 * change-control unit tests.
 */

import type { JudgeChangeDeps } from '../../../shared/change-control/judge-change';
import type { CompiledPolicy } from '../../../shared/policy/compile';
import { parsePolicy } from '../../../shared/policy/load';
import { type AppMeshApiCallEvent, parseAppMeshApiCall } from '../../../shared/providers/appmesh/cloudtrail';
import type { MeshResource, RouteSpec } from '../../../shared/providers/appmesh/model';
import { loadEvent } from '../../support/sample-events';
import {
  FixedIssuers,
  MemoryAudit,
  MemoryJudged,
  MemoryLastKnownGood,
  MemoryMesh,
  MemoryMeshState,
  MemorySessions,
  RecordingPublisher,
} from './fakes';

export const ACCOUNT = '000000000000';
export const SELF_ROLE = `arn:aws:iam::${ACCOUNT}:role/meshwarden-functions`;
export const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

export const POLICY_YAML = `
version: 1
meshes:
  - mesh: prod
    changeControl:
      default: deny
      onViolation: revert
      allow:
        - id: admins
          principals: [{ roleArn: 'arn:aws:iam::${ACCOUNT}:role/PlatformAdmin' }]
          actions: ['*']
          resources: [{ kind: '*' }]
        - id: web-team
          principals:
            - roleArn: 'arn:aws:iam::${ACCOUNT}:role/MeshDeveloper'
              oidc:
                provider: '${GITHUB}'
                claims: { repository: acme/web, team: web }
          actions: ['Update*']
          resources: [{ kind: route, parent: web-router }]
      violationOverrides:
        - id: bob-hold
          principals: [{ iamUser: bob }]
          onViolation: hold
        - id: carol-report
          principals: [{ iamUser: carol }]
          onViolation: report
    compliance:
      routes: { requireRetryPolicy: true }
`;

export function testPolicy(): CompiledPolicy {
  return parsePolicy(POLICY_YAML, 'unit.policy.yaml');
}

export function routeSpec(weights: readonly number[], retry = true): RouteSpec {
  const nodes = ['web-v1', 'web-v2'];
  return {
    httpRoute: {
      match: { prefix: '/' },
      action: {
        weightedTargets: weights.map((weight, i) => ({
          virtualNode: nodes[i] ?? 'web-v1',
          weight,
          port: 8080,
        })),
      },
      ...(retry ? { retryPolicy: { maxRetries: 1, perRetryTimeout: { value: 1, unit: 's' as const } } } : {}),
    },
  };
}

const listener = { portMapping: { port: 8080, protocol: 'http' as const } };

/** mesh prod: web-router/web-route (90/10 to web-v1/web-v2), web.prod.local by the router, frontend calling it. */
export function meshResources(): MeshResource[] {
  return [
    { kind: 'mesh', meshName: 'prod', name: 'prod', spec: {} },
    {
      kind: 'virtual-node',
      meshName: 'prod',
      name: 'web-v1',
      spec: { listeners: [listener] },
      tags: { team: 'web' },
    },
    { kind: 'virtual-node', meshName: 'prod', name: 'web-v2', spec: { listeners: [listener] } },
    {
      kind: 'virtual-node',
      meshName: 'prod',
      name: 'frontend',
      spec: {
        listeners: [listener],
        backends: [{ virtualService: { virtualServiceName: 'web.prod.local' } }],
      },
    },
    { kind: 'virtual-router', meshName: 'prod', name: 'web-router', spec: { listeners: [listener] } },
    {
      kind: 'route',
      meshName: 'prod',
      parentName: 'web-router',
      name: 'web-route',
      spec: routeSpec([90, 10]),
    },
    {
      kind: 'virtual-service',
      meshName: 'prod',
      name: 'web.prod.local',
      spec: { provider: { virtualRouter: { virtualRouterName: 'web-router' } } },
    },
  ];
}

export type Who = 'admin' | 'alice' | 'bob' | 'carol' | 'meshwarden';

function identityOf(who: Who, oidcAttributes: Record<string, string>): Record<string, unknown> {
  if (who === 'bob' || who === 'carol') {
    return {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/${who}`,
      accountId: ACCOUNT,
      userName: who,
    };
  }
  const [role, session] =
    who === 'admin'
      ? ['PlatformAdmin', 'admin']
      : who === 'alice'
        ? ['MeshDeveloper', 'alice']
        : ['meshwarden-functions', 'meshwarden'];
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLE',
        arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        accountId: ACCOUNT,
        userName: role,
      },
      attributes: { creationDate: '2026-11-26T10:00:00Z', mfaAuthenticated: 'false' },
      webIdFederationData: who === 'alice' ? { federatedProvider: GITHUB, attributes: oidcAttributes } : {},
    },
  };
}

let counter = 0;

/** A CloudTrail App Mesh event, built on the documented sample and parsed like the handler does. */
export function appMeshEvent(options: {
  who: Who;
  eventName: string;
  requestParameters: Record<string, unknown>;
  resultVersion?: number;
  /** The spec the call's response reported (with resultVersion). */
  resultSpec?: unknown;
  errorCode?: string;
  eventId?: string;
  /** OIDC attributes as CloudTrail records them (empty in AWS; local AWS puts the claims here). */
  oidcAttributes?: Record<string, string>;
}): AppMeshApiCallEvent {
  const base = loadEvent('appmesh/update-route');
  counter += 1;
  const eventId = options.eventId ?? `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  return parseAppMeshApiCall({
    ...base,
    account: ACCOUNT,
    detail: {
      ...base.detail,
      userIdentity: identityOf(options.who, options.oidcAttributes ?? {}),
      eventName: options.eventName,
      eventID: eventId,
      eventTime: '2026-11-26T10:00:00Z',
      recipientAccountId: ACCOUNT,
      requestParameters: options.requestParameters,
      responseElements:
        options.errorCode !== undefined
          ? null
          : options.resultVersion === undefined
            ? {}
            : {
                resource: {
                  ...(options.resultSpec === undefined ? {} : { spec: options.resultSpec }),
                  metadata: { version: options.resultVersion },
                },
              },
      ...(options.errorCode === undefined ? {} : { errorCode: options.errorCode, errorMessage: 'denied' }),
    },
  });
}

export const WEB_ROUTE = { meshName: 'prod', virtualRouterName: 'web-router', routeName: 'web-route' };

/** Claims as local AWS records them (`<issuer host>:<claim>`). */
export const ALICE_CLAIMS = {
  'token.actions.githubusercontent.com:repository': 'acme/web',
  'token.actions.githubusercontent.com:team': 'web',
};

export interface World {
  readonly meshes: MemoryMesh;
  readonly lkg: MemoryLastKnownGood;
  readonly judged: MemoryJudged;
  readonly audit: MemoryAudit;
  readonly sessions: MemorySessions;
  readonly publisher: RecordingPublisher;
  readonly meshState: MemoryMeshState;
  readonly deps: JudgeChangeDeps;
}

/** The mesh stored, every resource recorded as last known good (as the audit would). */
export async function world(options: { withLastKnownGood?: boolean } = {}): Promise<World> {
  const meshes = new MemoryMesh(meshResources());
  const lkg = new MemoryLastKnownGood();
  if (options.withLastKnownGood ?? true) {
    for (const [key, resource] of meshes.resources) {
      await lkg.put({
        resourceKey: key,
        resource,
        version: resource.metadata?.version ?? 1,
        eventId: 'seed',
        recordedAt: 'then',
        source: 'audit',
      });
    }
  }
  const judged = new MemoryJudged();
  const audit = new MemoryAudit();
  const sessions = new MemorySessions();
  const publisher = new RecordingPublisher();
  const meshState = new MemoryMeshState();
  return {
    meshState,
    meshes,
    lkg,
    judged,
    audit,
    sessions,
    publisher,
    deps: {
      meshes,
      policy: testPolicy(),
      selfRoleArns: [SELF_ROLE],
      governedMeshes: ['prod'],
      lastKnownGood: lkg,
      judgedVersions: judged,
      audit,
      sessions,
      issuers: new FixedIssuers(undefined),
      publisher,
      meshState,
      now: () => new Date('2026-11-26T10:00:01Z'),
    },
  };
}

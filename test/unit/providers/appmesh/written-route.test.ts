import { describe, expect, it } from 'vitest';
import { parseAppMeshApiCall, writtenRouteOf } from '../../../../shared/providers/appmesh/cloudtrail';
import type { MeshResourceOf } from '../../../../shared/providers/appmesh/model';
import {
  appMeshWeightedRoute,
  replacedSince,
  WriteNotReadYetError,
} from '../../../../shared/providers/appmesh/weighted-routes';
import { loadEvent } from '../../../support/sample-events';

const UID = 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70';

/** The sample UpdateRoute record with another answer. */
function answering(responseElements: unknown) {
  const event = loadEvent('appmesh/update-route');
  return parseAppMeshApiCall({ ...event, detail: { ...event.detail, responseElements } }).detail;
}

/** The web route as App Mesh holds it: this uid, at this version. */
function routeAt(uid: string, version: number) {
  const route: MeshResourceOf<'route'> = {
    kind: 'route',
    meshName: 'prod',
    parentName: 'web-router',
    name: 'web-route',
    spec: {
      httpRoute: {
        match: { prefix: '/' },
        action: {
          weightedTargets: [
            { virtualNode: 'web-v1', weight: 90 },
            { virtualNode: 'web-v2', weight: 10 },
          ],
        },
      },
    },
    metadata: {
      arn: 'arn:aws:appmesh:us-east-1:123456789012:mesh/prod/virtualRouter/web-router/route/web-route',
      uid,
      version,
      createdAt: '2026-03-10T09:05:03.000Z',
      lastUpdatedAt: '2026-03-10T10:15:09.000Z',
      meshOwner: '123456789012',
      resourceOwner: '123456789012',
    },
  };
  return appMeshWeightedRoute(route);
}

describe('the route an App Mesh record says its call wrote', () => {
  it('is the uid and version of App Mesh’s answer', () => {
    expect(writtenRouteOf(parseAppMeshApiCall(loadEvent('appmesh/update-route')).detail)).toEqual({
      uid: UID,
      version: 2,
    });
    expect(writtenRouteOf(parseAppMeshApiCall(loadEvent('appmesh/create-route')).detail)).toEqual({
      uid: UID,
      version: 1,
    });
  });

  it('is unknown when the record has no usable answer', () => {
    for (const answer of [
      null,
      {},
      { route: null },
      { route: { spec: {} } },
      { route: { metadata: { uid: UID } } },
      { route: { metadata: { uid: UID, version: '2' } } },
      { route: { metadata: { uid: UID, version: 1.5 } } },
      { route: { metadata: { uid: UID, version: 0 } } },
      { virtualNode: { metadata: { uid: UID, version: 2 } } },
    ]) {
      expect(writtenRouteOf(answering(answer))).toBeUndefined();
    }
  });

  it('keeps the version when the answer names no uid', () => {
    expect(writtenRouteOf(answering({ route: { metadata: { version: 3 } } }))).toEqual({
      uid: undefined,
      version: 3,
    });
  });
});

describe('whether a later write replaced a recorded one', () => {
  it('no, while the route is the same resource at the version the call wrote', () => {
    expect(replacedSince({ uid: UID, version: 2 }, routeAt(UID, 2))).toBe(false);
    expect(replacedSince({ uid: undefined, version: 2 }, routeAt(UID, 2))).toBe(false);
  });

  it('yes, once the route is at a later version, or is another resource under the same name', () => {
    expect(replacedSince({ uid: UID, version: 2 }, routeAt(UID, 3))).toBe(true);
    expect(replacedSince({ uid: undefined, version: 2 }, routeAt(UID, 3))).toBe(true);
    expect(replacedSince({ uid: UID, version: 2 }, routeAt('another-uid', 2))).toBe(true);
  });

  it('cannot tell while the route reads before the call’s write: the event is retried', () => {
    expect(() => replacedSince({ uid: UID, version: 3 }, routeAt(UID, 2))).toThrow(WriteNotReadYetError);
  });
});

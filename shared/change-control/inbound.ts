/**
 * The two events the mesh-change function receives: App Mesh writes (to judge) and OIDC
 * federations (to learn session tags). One parser, so the handler stays one line.
 */

import { ValidationError } from '../errors';
import { type AppMeshApiCallEvent, parseAppMeshApiCall } from '../events/appmesh-api-call';
import {
  type AssumeRoleWithWebIdentityEvent,
  parseAssumeRoleWithWebIdentity,
} from '../events/sts-web-identity';

export type MeshChangeInbound =
  | { readonly type: 'appmesh'; readonly event: AppMeshApiCallEvent }
  | { readonly type: 'web-identity'; readonly event: AssumeRoleWithWebIdentityEvent };

/** Parse by `source`; anything else is refused with the path that is wrong. */
export function parseMeshChangeInbound(input: unknown): MeshChangeInbound {
  const source =
    typeof input === 'object' && input !== null ? (input as { source?: unknown }).source : undefined;
  if (source === 'aws.sts') return { type: 'web-identity', event: parseAssumeRoleWithWebIdentity(input) };
  if (source === 'aws.appmesh' || source === undefined || typeof source !== 'string') {
    return { type: 'appmesh', event: parseAppMeshApiCall(input) };
  }
  throw new ValidationError(`mesh-change event: source: expected aws.appmesh or aws.sts, got "${source}"`, [
    { path: 'source', message: `expected aws.appmesh or aws.sts, got "${source}"` },
  ]);
}

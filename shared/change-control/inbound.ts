/**
 * The events the mesh-change function receives: App Mesh and VPC Lattice writes (to judge) and
 * OIDC federations (to learn session tags). One parser, so the handler stays one line.
 */

import { ValidationError } from '../errors';
import {
  type AssumeRoleWithWebIdentityEvent,
  parseAssumeRoleWithWebIdentity,
} from '../events/sts-web-identity';
import { type AppMeshApiCallEvent, parseAppMeshApiCall } from '../providers/appmesh/cloudtrail';
import {
  LATTICE_EVENTBRIDGE_SOURCE,
  type LatticeApiCallEvent,
  parseLatticeApiCall,
} from '../providers/vpc-lattice/cloudtrail';

export type MeshChangeInbound =
  | { readonly type: 'appmesh'; readonly event: AppMeshApiCallEvent }
  | { readonly type: 'vpc-lattice'; readonly event: LatticeApiCallEvent }
  | { readonly type: 'web-identity'; readonly event: AssumeRoleWithWebIdentityEvent };

/** Parse by `source`; anything else is refused with the path that is wrong. */
export function parseMeshChangeInbound(input: unknown): MeshChangeInbound {
  const source =
    typeof input === 'object' && input !== null ? (input as { source?: unknown }).source : undefined;
  if (source === 'aws.sts') return { type: 'web-identity', event: parseAssumeRoleWithWebIdentity(input) };
  if (source === LATTICE_EVENTBRIDGE_SOURCE)
    return { type: 'vpc-lattice', event: parseLatticeApiCall(input) };
  if (source === 'aws.appmesh' || source === undefined || typeof source !== 'string') {
    return { type: 'appmesh', event: parseAppMeshApiCall(input) };
  }
  const expected = `aws.appmesh, ${LATTICE_EVENTBRIDGE_SOURCE} or aws.sts`;
  throw new ValidationError(`mesh-change event: source: expected ${expected}, got "${source}"`, [
    { path: 'source', message: `expected ${expected}, got "${source}"` },
  ]);
}

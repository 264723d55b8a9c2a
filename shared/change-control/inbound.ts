/**
 * The events the mesh-change function receives: every provider's writes (to judge) and OIDC
 * federations (to learn session tags). One parser, so the handler stays one line; the provider
 * of a write is found by its `source` in the provider registry.
 */

import { ValidationError } from '../errors';
import {
  type AssumeRoleWithWebIdentityEvent,
  parseAssumeRoleWithWebIdentity,
} from '../events/sts-web-identity';
import {
  type ApiCallEventOf,
  PROVIDER_EVENTBRIDGE_SOURCES,
  PROVIDERS,
  type ProviderName,
  parseProviderApiCall,
  providerOfSource,
} from '../providers/registry';

/** One provider's write, tagged `type` with the provider. */
type ProviderWrite = {
  readonly [P in ProviderName]: { readonly type: P; readonly event: ApiCallEventOf<P> };
}[ProviderName];

export type MeshChangeInbound =
  | ProviderWrite
  | { readonly type: 'web-identity'; readonly event: AssumeRoleWithWebIdentityEvent };

/** Parse by `source`; anything else is refused with the path that is wrong. */
export function parseMeshChangeInbound(input: unknown): MeshChangeInbound {
  const source =
    typeof input === 'object' && input !== null ? (input as { source?: unknown }).source : undefined;
  if (source === 'aws.sts') return { type: 'web-identity', event: parseAssumeRoleWithWebIdentity(input) };
  // Without a string source, the first provider's schema refuses the event, naming each bad field.
  const provider = typeof source === 'string' ? providerOfSource(source) : PROVIDERS[0]?.provider;
  if (provider !== undefined) {
    const { provider: type, event } = parseProviderApiCall(provider, input);
    return { type, event } as ProviderWrite;
  }
  const expected = `${PROVIDER_EVENTBRIDGE_SOURCES.join(', ')} or aws.sts`;
  throw new ValidationError(`mesh-change event: source: expected ${expected}, got "${source}"`, [
    { path: 'source', message: `expected ${expected}, got "${source}"` },
  ]);
}

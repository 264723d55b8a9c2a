/**
 * What the bundles use in place of `@aws-sdk/credential-provider-node` (an esbuild alias, see
 * infra/bundling.ts): Lambda hands a function its role's credentials in the environment, so
 * the rest of the default chain (SSO, INI files, processes, IMDS, ECS) is dead weight at cold
 * start. Run from the sources (`npm start`, tests, the CLI), the clients keep the full chain.
 */
import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

/** The SDK clients' `credentialDefaultProvider`: the environment, and nothing else. */
export function defaultProvider(init: FromEnvInit = {}): ReturnType<typeof fromEnv> {
  return fromEnv(init);
}

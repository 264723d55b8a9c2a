import { ConfigError } from '../../shared/errors';
import type { CompiledPolicy } from '../../shared/policy/compile';
import { loadPolicy } from '../../shared/policy/load';

/**
 * Validate the policy file while the app is synthesized, with the same loader the functions
 * use at run time, so a policy that would be refused in Lambda never gets deployed. A policy
 * error propagates unchanged (`FILE:LINE:COL path: message` per problem) and fails synth.
 * Every governed mesh must also be governed by an entry of the policy: a mesh meshwarden
 * watches but no rule covers is a configuration mistake, not a policy.
 *
 * @throws PolicyError for an unreadable or invalid policy; ConfigError for an uncovered mesh.
 */
export function validatePolicyAtSynth(path: string, governedMeshes: readonly string[]): CompiledPolicy {
  const policy = loadPolicy(path);
  const uncovered = governedMeshes.filter((mesh) => policy.forMesh(mesh) === undefined);
  if (uncovered.length > 0) {
    throw new ConfigError(
      `${path}: no entry of the policy's \`meshes\` matches ${uncovered.map((m) => `"${m}"`).join(', ')}; ` +
        'add an entry for each mesh meshwarden governs (meshwarden:meshes, meshwarden:memberAccounts)',
    );
  }
  return policy;
}

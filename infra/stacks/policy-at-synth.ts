import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../shared/errors';
import type { CompiledPolicy } from '../../shared/policy/compile';
import { COMPILED_POLICY_FILE, serializeCompiledPolicy } from '../../shared/policy/compiled-artifact';
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

/**
 * Write the validated policy as the data the functions load at cold start (no YAML parsing,
 * no schema validation there), in a fresh temporary directory; returns the file's path.
 * `name` is how the policy is named in the functions' messages: the path as configured, not
 * this machine's absolute path (which would also change the bundle's hash from one machine to
 * the next).
 */
export function writeCompiledPolicy(policy: CompiledPolicy, name: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'meshwarden-policy-')), COMPILED_POLICY_FILE);
  writeFileSync(file, serializeCompiledPolicy(policy, name));
  return file;
}

import type { CompiledMeshPolicy, CompiledPolicy } from './compile';

/**
 * The policy as one account sees it: only the entries for that account, an entry without
 * `account` being the central account's. A mesh is known by (account, name), so `prod` in a
 * member account is never judged by the central account's `prod` entry, nor the reverse.
 */
export function policyForAccount(policy: CompiledPolicy, account: string, central: string): CompiledPolicy {
  const meshes = policy.meshes.filter((m) => (m.document.account ?? central) === account);
  if (meshes.length === policy.meshes.length) return policy;
  const cache = new Map<string, CompiledMeshPolicy | undefined>();
  return {
    document: policy.document,
    meshes,
    ...(policy.source === undefined ? {} : { source: policy.source }),
    forMesh(meshName) {
      if (!cache.has(meshName)) {
        // Bounded as the whole policy's cache: names come from events.
        if (cache.size >= 1024) cache.clear();
        cache.set(
          meshName,
          meshes.find((m) => m.mesh.test(meshName)),
        );
      }
      return cache.get(meshName);
    },
  };
}

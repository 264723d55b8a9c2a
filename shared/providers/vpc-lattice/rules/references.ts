/**
 * The references of a `provider: vpc-lattice` entry resolved against its service network as it
 * is: an exemption whose resource glob matches no Lattice resource covers nothing, and an access
 * graph naming services that do not exist guards nothing. (Callers are principal ARNs, which
 * no read of the network can confirm.)
 */

import type { CompiledPolicy, PolicySource } from '../../../policy/compile';
import { compileGlob, globSyntaxError } from '../../../policy/glob';
import type { PolicyIssue } from '../../../policy/issue';
import { formatPath } from '../../../validation';
import type { LatticeServiceNetworkSnapshot } from '../model';
import { latticeEntryFor, latticeSubjects } from './judge';
import { formatLatticeKey, latticeRefOf } from './resource';

const NO_SOURCE: PolicySource = { file: '(policy)', position: () => ({ line: 1, col: 1 }) };

function matchesAny(pattern: string, values: readonly string[]): boolean {
  if (globSyntaxError(pattern) !== undefined) return false;
  const glob = compileGlob(pattern);
  return values.some((v) => glob.test(v));
}

/** The dangling references of the entry governing each network, positioned in the policy file. */
export function resolveLatticeReferences(
  policy: CompiledPolicy,
  networks: readonly LatticeServiceNetworkSnapshot[],
): PolicyIssue[] {
  const source = policy.source ?? NO_SOURCE;
  const found: PolicyIssue[] = [];
  const add = (path: readonly PropertyKey[], message: string) =>
    found.push({ file: source.file, ...source.position(path), path: formatPath(path), message });
  for (const network of networks) {
    const entry = latticeEntryFor(policy, network.name);
    if (entry === undefined) {
      add(
        ['meshes'],
        `no provider: vpc-lattice entry names service network "${network.name}": nothing of the policy applies to it`,
      );
      continue;
    }
    const label = `service network ${network.name}`;
    const keys = [...latticeSubjects(network)].map((s) => formatLatticeKey(latticeRefOf(network.name, s)));
    for (const [i, exemption] of entry.document.exemptions.entries()) {
      if (matchesAny(exemption.resource, keys)) continue;
      add(
        ['meshes', entry.index, 'exemptions', i, 'resource'],
        `"${exemption.resource}" matches no resource in ${label} (keys read <network>/service/<service>, <network>/listener/<service>/<listener>, <network>/rule/<service>/<listener>/<rule>): the exemption covers nothing`,
      );
    }
    const services = network.services.map((s) => s.name);
    for (const [caller, allowed] of Object.entries(entry.document.compliance.accessGraph ?? {})) {
      for (const [i, service] of allowed.entries()) {
        if (matchesAny(service, services)) continue;
        add(
          ['meshes', entry.index, 'compliance', 'accessGraph', caller, i],
          `"${service}" matches no service in ${label}`,
        );
      }
    }
  }
  return found;
}

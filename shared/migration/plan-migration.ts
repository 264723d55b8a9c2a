/**
 * `migrate plan` as one pure call: translate the mesh, then prove the routing by simulation.
 * The CLI reads the mesh and the policy and hands them here; so do the benchmark and the tests.
 */
import type { MeshSnapshot } from '../domain/snapshot';
import type { MigrationPlan } from './plan-model';
import { simulateRouting } from './simulate-routing';
import { type TranslateOptions, translateMesh } from './translate';

export function planMigration(snapshot: MeshSnapshot, options: TranslateOptions = {}): MigrationPlan {
  const plan = translateMesh(snapshot, options);
  return { ...plan, routingParity: simulateRouting(snapshot, plan) };
}

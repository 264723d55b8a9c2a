/**
 * `npm run bench -- migrate`: `migrate plan` (translation, parity report and routing simulation)
 * of a synthetic mesh of 500 virtual nodes and 1,000 routes, pure, without the mesh read. Target:
 * 2 s.
 */
import { planMigration } from '../../shared/migration/plan-migration';
import { syntheticMesh } from '../support/synthetic-mesh';
import { type Benchmark, latencyFigures, sample } from './harness';

const TARGET_MS = 2000;

const benchmarks: Benchmark[] = [
  {
    name: 'migrate plan of 500 virtual nodes / 1,000 routes (translation + parity + simulation)',
    async run() {
      const snapshot = syntheticMesh(500, 1000);
      const plan = planMigration(snapshot);
      const rp = plan.routingParity;
      console.log(
        `  ${plan.services.length} services, ${plan.targetGroups.length} target groups, ${plan.services.reduce((n, s) => n + s.listeners.reduce((m, l) => m + l.rules.length, 0), 0)} rules, ${plan.parity.length} parity lines, ${rp?.requestsTried} simulated requests, ${rp?.differences.length} differences`,
      );
      const samples = await sample(() => planMigration(snapshot), 5, 1);
      return latencyFigures('plan', samples, TARGET_MS);
    },
  },
];

export default benchmarks;

/**
 * The VPC Lattice provider: everything meshwarden knows about Lattice, in one folder, so the
 * core (shared/deployments, shared/domain, shared/ports.ts) speaks only the neutral model and a
 * third provider is one more folder like this one. Layout of a provider folder:
 *
 * - `client.ts`: the SDK v3 client as the adapter expects it (retry mode, endpoint from env).
 * - `errors.ts`: the service's error names as domain errors.
 * - `arns.ts`, `model.ts`: the provider's ids and the shapes its adapter reads.
 * - `adapter.ts`: SDK calls only (read the network whole, read one rule, write one rule whole).
 * - `mapping.ts`: pure, the provider's shapes into the neutral weighted-route model and back.
 * - `service-graph.ts`: pure, a network snapshot into the neutral service graph the shared
 *   policy checks (shared/policy/neutral) read.
 * - `weighted-routes.ts`: the port implementations the core uses (WeightedRoutes, RouteProvider).
 * - `cloudtrail.ts`: zod schema of the provider's CloudTrail records, as lenient as CloudTrail.
 * - `patterns.ts`: the EventBridge rule patterns for them (read by the CDK stack and local bus).
 * - `alarm-binding.ts`: how an alarm names one of the provider's routes.
 * - `resource-key.ts`: pure, the keys change control and policy selectors give its resources.
 * - `rules/`: pure, the provider's policy rules (on the shared checks) and the judge of a whole
 *   network; `certificates.ts`: the certificates a network serves, for rotation's inventory.
 * - `change-control/`: judging one call (keep, revert, hold), the baselines, the audit of a
 *   network, and re-applying an approved held change.
 *
 * Handlers wire it (functions/<name>/handler.ts); the core's input parsing and rule patterns find
 * its CloudTrail schema and patterns through ../registry.ts, which no provider folder imports.
 * The few core modules that need Lattice import the module that says what they need, not this
 * index: the policy schema reads `resource-key.ts`, the audit across accounts
 * `change-control/audit.ts`, the approval executor `change-control/reapply.ts`. Re-exported
 * here, they went into the bundle of every function that wires Lattice (esbuild keeps local
 * modules, which are not declared side-effect free), using them or not.
 */
export { LatticeAdapter, type LatticeAdapterOptions } from './adapter';
export { latticeAlarmTag, latticeRouteOfTag } from './alarm-binding';
export { LatticeChangeTargetsAdapter } from './change-targets';
export { createLatticeClient } from './client';
export { type LatticeApiCallEvent, parseLatticeApiCall } from './cloudtrail';
export { forwardWeights, weightedRoutesOf, withForwardWeights } from './mapping';
export { latticeMutationsPattern, latticeRouteChangesPattern } from './patterns';
export { createLatticeRoutes, type LatticeRoutesOptions } from './weighted-routes';

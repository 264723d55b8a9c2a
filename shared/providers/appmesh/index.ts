/**
 * The App Mesh provider, laid out as every provider folder is (see ../vpc-lattice/index.ts):
 * `client.ts`, `errors.ts`, `model.ts` (App Mesh's resource shapes), `mapping.ts` (SDK shapes
 * into the model, proven equal at compile time), `provider.ts` and `route-reader.ts` (the
 * MeshProvider port), `weighted-routes.ts` (the neutral WeightedRoutes port), `cloudtrail.ts`,
 * `patterns.ts`, `alarm-binding.ts`, `route-order.ts` (App Mesh's documented route match
 * order), and `rules/`: App Mesh's policy rules, which the core judge (shared/policy/judge.ts)
 * runs over its mesh index, reaching them through `rules/index.ts`. Not through this index:
 * re-exported here, the rules went into the bundle of every function that wires App Mesh
 * (esbuild keeps local modules, which are not declared side-effect free), judging or not.
 */
export { createAppMeshClient } from './client';
export { toDomainError } from './errors';
export { type AppMeshProviderOptions, createAppMeshProvider, DEFAULT_CONCURRENCY } from './provider';

/**
 * The App Mesh provider, laid out as every provider folder is (see ../vpc-lattice/index.ts):
 * `client.ts`, `errors.ts`, `model.ts` (App Mesh's resource shapes), `mapping.ts` (SDK shapes
 * into the model, proven equal at compile time), `provider.ts` and `route-reader.ts` (the
 * MeshProvider port), `weighted-routes.ts` (the neutral WeightedRoutes port), `cloudtrail.ts`,
 * `patterns.ts` and `route-order.ts` (App Mesh's documented route match order).
 */
export { createAppMeshClient } from './client';
export { toDomainError } from './errors';
export { type AppMeshProviderOptions, createAppMeshProvider, DEFAULT_CONCURRENCY } from './provider';

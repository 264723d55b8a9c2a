/** The App Mesh implementation of the MeshProvider port. */
export { createAppMeshClient } from './client';
export { toDomainError } from './errors';
export { type AppMeshProviderOptions, createAppMeshProvider, DEFAULT_CONCURRENCY } from './provider';

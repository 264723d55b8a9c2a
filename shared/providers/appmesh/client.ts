import { AppMeshClient, type AppMeshClientConfig } from '@aws-sdk/client-app-mesh';

/**
 * Create the App Mesh client adapters expect: adaptive retry (client-side rate limiting on
 * throttles, which a whole-mesh read provokes) unless the caller chooses otherwise. The
 * endpoint is left to the SDK, which honours `AWS_ENDPOINT_URL` (and
 * `AWS_ENDPOINT_URL_APP_MESH`) itself, so the local edge endpoint works unchanged.
 */
export function createAppMeshClient(config: AppMeshClientConfig = {}): AppMeshClient {
  return new AppMeshClient({ ...config, retryMode: config.retryMode ?? 'adaptive' });
}

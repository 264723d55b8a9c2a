import { VPCLatticeClient, type VPCLatticeClientConfig } from '@aws-sdk/client-vpc-lattice';

/**
 * Create the VPC Lattice client the adapter expects: adaptive retry unless the caller chooses
 * otherwise (the deployment guard chooses few standard retries, so a throttled rollback fails
 * fast and is retried by the guard itself). The endpoint is left to the SDK, which honours
 * `AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_VPC_LATTICE`), so the local edge endpoint works unchanged.
 */
export function createLatticeClient(config: VPCLatticeClientConfig = {}): VPCLatticeClient {
  return new VPCLatticeClient({ ...config, retryMode: config.retryMode ?? 'adaptive' });
}

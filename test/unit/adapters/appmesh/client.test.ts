import { DescribeMeshCommand } from '@aws-sdk/client-app-mesh';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAppMeshClient } from '../../../../shared/providers/appmesh/client';

afterEach(() => vi.unstubAllEnvs());

describe('createAppMeshClient', () => {
  it('uses adaptive retry by default and lets the caller choose', async () => {
    // Act
    const byDefault = createAppMeshClient({ region: 'eu-west-1' });
    const chosen = createAppMeshClient({ region: 'eu-west-1', retryMode: 'standard' });

    // Assess
    expect(await byDefault.config.retryStrategy()).toHaveProperty('mode', 'adaptive');
    expect(await chosen.config.retryStrategy()).toHaveProperty('mode', 'standard');
  });

  it('leaves the endpoint to the SDK, which honours AWS_ENDPOINT_URL', async () => {
    // Prepare: capture where the request would go instead of sending it.
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:4566');
    const seen: { hostname: string; port?: number | undefined }[] = [];
    const client = createAppMeshClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestHandler: {
        handle: async (request: { hostname: string; port?: number }) => {
          seen.push({ hostname: request.hostname, port: request.port });
          throw new Error('stop here');
        },
      },
    });

    // Act
    await client.send(new DescribeMeshCommand({ meshName: 'prod' })).catch(() => undefined);

    // Assess
    expect(seen[0]).toEqual({ hostname: '127.0.0.1', port: 4566 });
  });
});

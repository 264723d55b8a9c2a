import { type SeedResult, seedDemo } from '../../infra/local/demo/seed';
import { type LocalAws, type LocalAwsOptions, startLocalAws } from '../../infra/local/runtime';
import { CREDENTIALS } from './local-edge';

export interface TestLocalAws {
  readonly aws: LocalAws;
  readonly seed: SeedResult;
  /** SDK client config for an identity of the demo (admin by default). */
  clientConfig(who?: keyof typeof CREDENTIALS): {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
}

/**
 * The whole local runtime on random ports, in memory, with the demo mesh seeded: what
 * `npm start` runs, for integration tests of the functions end to end.
 */
export async function startSeededLocalAws(options: LocalAwsOptions = {}): Promise<TestLocalAws> {
  const aws = await startLocalAws({ port: 0, slackPort: 0, httpApiPort: 0, pcaIssueDelayMs: 0, ...options });
  const clientConfig = (who: keyof typeof CREDENTIALS = 'admin') => ({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { ...CREDENTIALS[who] },
  });
  const seed = await seedDemo(clientConfig());
  // As an operator would: name the seeded CA in the stack's configuration and deploy again.
  await aws.deploy({ certificateAuthorityArns: [seed.caArn] });
  await aws.drain();
  return { aws, seed, clientConfig };
}

import type { WebClient } from '@slack/web-api';

/** Where `@slack/web-api` sends calls: Slack, or local Slack when `SLACK_API_URL` is set. */
export function slackApiUrlFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const url = env.SLACK_API_URL;
  return url === undefined || url === '' ? undefined : url;
}

/**
 * A Web API client for a bot token. The Slack callback must answer within 3 seconds, so calls
 * time out fast and retry little; Slack's rate-limit answers are still honoured by the client.
 *
 * `@slack/web-api` is loaded on first use: most invocations never talk to Slack, and loading it
 * eagerly cost every cold start.
 */
export async function createSlackWebClient(
  token: string,
  slackApiUrl: string | undefined,
): Promise<WebClient> {
  const { WebClient } = await import('@slack/web-api');
  return new WebClient(token, {
    ...(slackApiUrl === undefined ? {} : { slackApiUrl }),
    timeout: 2500,
    retryConfig: { retries: 1, factor: 1, minTimeout: 100, maxTimeout: 300 },
  });
}

/** A client per token, so a rotated token takes effect without a cold start. */
export function webClientFor(
  token: () => Promise<string>,
  slackApiUrl: string | undefined,
): () => Promise<WebClient> {
  let cached: { token: string; client: WebClient } | undefined;
  return async () => {
    const current = await token();
    if (cached?.token !== current)
      cached = { token: current, client: await createSlackWebClient(current, slackApiUrl) };
    return cached.client;
  };
}

/**
 * Builds the Slack callback samples in this folder from `payloads/block-actions-approve.json`:
 * the API Gateway HTTP API (payload format 2.0) event Slack's click produces, once with the
 * form body base64-encoded and once plain, signed for real with the test signing secret.
 *
 * Regenerate: `npx tsx events/slack/build-slack-samples.ts` (from the repository root).
 * A unit test rebuilds them in memory and compares, so the files cannot drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { computeSlackSignature } from '../../shared/events/slack-signature';

/**
 * The signing secret from Slack's "Verifying requests from Slack" guide. It signs nothing
 * real; using the documented one lets anyone check the samples against Slack's own example.
 */
export const SLACK_TEST_SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

/** When the sample click happened (Unix seconds), i.e. `x-slack-request-timestamp`. */
export const SLACK_SAMPLE_TIMESTAMP = '1773137765';

const here = dirname(fileURLToPath(import.meta.url));

/** The raw form body Slack posts: one field, `payload`, holding the interaction JSON. */
export function slackFormBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Build the API Gateway event for one click; `base64` chooses how API Gateway passed the body. */
export function buildSlackCallbackEvent(payload: unknown, base64: boolean): Record<string, unknown> {
  const rawBody = slackFormBody(payload);
  const timeEpoch = Number(SLACK_SAMPLE_TIMESTAMP) * 1000 + 412;
  return {
    version: '2.0',
    routeKey: 'POST /slack/interactions',
    rawPath: '/slack/interactions',
    rawQueryString: '',
    headers: {
      accept: 'application/json,*/*',
      'accept-encoding': 'gzip,deflate',
      'content-length': String(Buffer.byteLength(rawBody)),
      'content-type': 'application/x-www-form-urlencoded',
      host: 'r4nd0m1d.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-amzn-trace-id': 'Root=1-69aff065-5d8c2b1a0e9f4c3b2a1d0e9f',
      'x-forwarded-for': '203.0.113.77',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      'x-slack-request-timestamp': SLACK_SAMPLE_TIMESTAMP,
      'x-slack-signature': computeSlackSignature(SLACK_TEST_SIGNING_SECRET, SLACK_SAMPLE_TIMESTAMP, rawBody),
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'r4nd0m1d',
      domainName: 'r4nd0m1d.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'r4nd0m1d',
      http: {
        method: 'POST',
        path: '/slack/interactions',
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.77',
        userAgent: 'Slackbot 1.0 (+https://api.slack.com/robots)',
      },
      requestId: base64 ? 'Lk3pQhVxIAMEbYw=' : 'Lk3pRgS0oAMEc2Q=',
      routeKey: 'POST /slack/interactions',
      stage: '$default',
      time: '10/Mar/2026:10:16:05 +0000',
      timeEpoch,
    },
    body: base64 ? Buffer.from(rawBody, 'utf8').toString('base64') : rawBody,
    isBase64Encoded: base64,
  };
}

/** The sample files this script owns, by file name. */
export function buildSlackSamples(): Record<string, Record<string, unknown>> {
  const payload: unknown = JSON.parse(
    readFileSync(join(here, 'payloads', 'block-actions-approve.json'), 'utf8'),
  );
  return {
    'block-actions-approve-base64.json': buildSlackCallbackEvent(payload, true),
    'block-actions-approve-plain.json': buildSlackCallbackEvent(payload, false),
  };
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  for (const [name, event] of Object.entries(buildSlackSamples())) {
    writeFileSync(join(here, name), `${JSON.stringify(event, null, 2)}\n`);
  }
}

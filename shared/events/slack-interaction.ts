import { ValidationError } from '../errors';
import * as z from '../schema';
import { parseOrThrow } from '../validation';
import { nonEmpty } from './envelope';

/**
 * A Slack interaction callback as the Lambda receives it: an API Gateway HTTP API request in
 * payload format 2.0, whose body is `application/x-www-form-urlencoded` with one field,
 * `payload`, holding the interaction JSON. API Gateway lower-cases header names and may
 * base64-encode the body (`isBase64Encoded`).
 */

/** The API Gateway HTTP API (payload format 2.0) request envelope. */
export const httpApiV2Event = z.looseObject({
  version: z.literal('2.0'),
  routeKey: nonEmpty,
  rawPath: nonEmpty,
  rawQueryString: z.string(),
  cookies: z.optional(z.array(z.string())),
  headers: z.record(z.string(), z.string()),
  queryStringParameters: z.optional(z.record(z.string(), z.string())),
  pathParameters: z.optional(z.record(z.string(), z.string())),
  stageVariables: z.optional(z.record(z.string(), z.string())),
  requestContext: z.looseObject({
    accountId: nonEmpty,
    apiId: nonEmpty,
    domainName: nonEmpty,
    domainPrefix: nonEmpty,
    http: z.looseObject({
      method: nonEmpty,
      path: nonEmpty,
      protocol: nonEmpty,
      sourceIp: nonEmpty,
      userAgent: z.string(),
    }),
    requestId: nonEmpty,
    routeKey: nonEmpty,
    stage: nonEmpty,
    time: nonEmpty,
    timeEpoch: z.number().check(z.int(), z.nonnegative()),
  }),
  body: z.optional(z.string()),
  isBase64Encoded: z.boolean(),
});

/**
 * A Slack interaction request: the HTTP API envelope plus what signature verification needs
 * (Slack's two headers, lower-cased by API Gateway) and a body.
 */
export const slackInteractionRequest = z.extend(httpApiV2Event, {
  headers: z.catchall(
    z.object({
      'x-slack-signature': z
        .string()
        .check(z.regex(/^v0=[0-9a-f]{64}$/, 'expected v0= followed by 64 hex digits')),
      'x-slack-request-timestamp': z.string().check(z.regex(/^\d{1,12}$/, 'expected Unix seconds')),
    }),
    z.string(),
  ),
  body: z.string(),
});

export type HttpApiV2Event = z.infer<typeof httpApiV2Event>;
export type SlackInteractionRequest = z.infer<typeof slackInteractionRequest>;

/** Parse the API Gateway request of a Slack callback, or throw a ValidationError. */
export function parseSlackInteractionRequest(input: unknown): SlackInteractionRequest {
  return parseOrThrow(slackInteractionRequest, input, 'Slack interaction request');
}

/** One clicked element of a `block_actions` payload (a button for approvals). */
const blockAction = z.looseObject({
  action_id: nonEmpty,
  block_id: nonEmpty,
  type: nonEmpty,
  action_ts: nonEmpty,
  value: z.optional(z.string()),
  text: z.optional(
    z.looseObject({ type: z.literal('plain_text'), text: z.string(), emoji: z.optional(z.boolean()) }),
  ),
  style: z.optional(z.string()),
});

/**
 * The decoded `block_actions` payload (Slack reference: "block_actions payload"). Loose:
 * Slack adds fields (`enterprise`, `is_enterprise_install`, `state`, ...).
 */
export const slackBlockActionsPayload = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({
    id: nonEmpty,
    username: z.optional(z.string()),
    name: z.optional(z.string()),
    team_id: z.optional(z.string()),
  }),
  api_app_id: nonEmpty,
  token: z.string(),
  container: z.looseObject({
    type: nonEmpty,
    message_ts: z.optional(z.string()),
    channel_id: z.optional(z.string()),
    is_ephemeral: z.optional(z.boolean()),
  }),
  trigger_id: nonEmpty,
  team: z.nullable(z.looseObject({ id: nonEmpty, domain: z.optional(z.string()) })),
  channel: z.optional(z.looseObject({ id: nonEmpty, name: z.optional(z.string()) })),
  message: z.optional(
    z.looseObject({
      ts: nonEmpty,
      type: z.optional(z.string()),
      text: z.optional(z.string()),
      blocks: z.optional(z.array(z.unknown())),
    }),
  ),
  response_url: z.url(),
  actions: z.array(blockAction).check(z.minLength(1)),
});

export type SlackBlockActionsPayload = z.infer<typeof slackBlockActionsPayload>;

/** Parse a decoded `block_actions` payload, or throw a ValidationError naming each bad field. */
export function parseSlackBlockActions(input: unknown): SlackBlockActionsPayload {
  return parseOrThrow(slackBlockActionsPayload, input, 'Slack block_actions payload');
}

/** A Slack callback taken apart: the exact signed bytes, and the parsed interaction. */
export interface DecodedSlackInteraction {
  /** The body as Slack sent it; verify `x-slack-signature` against this, nothing else. */
  readonly rawBody: Buffer;
  readonly payload: SlackBlockActionsPayload;
}

/**
 * Decode the body of a parsed Slack request: undo API Gateway's base64, read the `payload`
 * form field, parse its JSON as `block_actions`. Does not verify the signature.
 */
export function decodeSlackInteraction(request: SlackInteractionRequest): DecodedSlackInteraction {
  const rawBody = Buffer.from(request.body, request.isBase64Encoded ? 'base64' : 'utf8');
  const field = new URLSearchParams(rawBody.toString('utf8')).get('payload');
  if (field === null) {
    throw new ValidationError('Invalid Slack interaction request: body has no payload field', [
      { path: 'body.payload', message: 'expected a form field named payload' },
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(field);
  } catch (error) {
    throw new ValidationError(
      'Invalid Slack interaction request: payload is not JSON',
      [{ path: 'body.payload', message: 'expected a JSON document' }],
      { cause: error },
    );
  }
  return { rawBody, payload: parseSlackBlockActions(json) };
}

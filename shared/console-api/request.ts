/**
 * The HTTP API's requests at the edge: the API Gateway payload 2.0 envelope, the caller's
 * token claims as the JWT authorizer passed them, and the answers in JSON.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { httpApiV2Event } from '../events/slack-interaction';
import type { Claims } from '../policy/sections/api';
import * as z from '../schema';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/** A JSON answer. `no-store`: answers carry a caller's view and must not be cached. */
export function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** An error answer: `{ message }` and whatever else helps (e.g. the role a 403 needs). */
export function problem(
  statusCode: number,
  message: string,
  extra: Record<string, unknown> = {},
): HttpResult {
  return json(statusCode, { message, ...extra });
}

/** The envelope with the JWT authorizer's context, as API Gateway passes it to the function. */
export const apiRequestEvent = z.extend(httpApiV2Event, {
  body: z.optional(z.string()),
  isBase64Encoded: z._default(z.boolean(), false),
  requestContext: z.extend(httpApiV2Event.shape.requestContext, {
    authorizer: z.optional(
      z.looseObject({
        jwt: z.looseObject({ claims: z.record(z.string(), z.unknown()), scopes: z.optional(z.unknown()) }),
      }),
    ),
  }),
});
export type ApiRequestEvent = z.output<typeof apiRequestEvent>;

/** The caller's claims; undefined when no verified token came with the request. */
export function claimsOf(event: ApiRequestEvent): Claims | undefined {
  const claims = event.requestContext.authorizer?.jwt.claims;
  if (claims === undefined || typeof claims.iss !== 'string' || typeof claims.sub !== 'string')
    return undefined;
  return claims;
}

/** Who the caller is, for audit records and notes: their email, else subject, and issuer host. */
export function callerLabel(claims: Claims): string {
  const who = typeof claims.email === 'string' ? claims.email : String(claims.sub);
  let host = String(claims.iss);
  try {
    host = new URL(host).host;
  } catch {
    // Not a URL: keep the issuer as it is.
  }
  return `${who} (${host}, via the HTTP API)`;
}

/** A request body as JSON; `{}` when there is none. Undefined when it is not JSON. */
export function bodyOf(event: ApiRequestEvent): unknown {
  if (event.body === undefined || event.body === '') return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** zod's issues as one sentence: where, and what is wrong. */
export function describeIssues(error: z.core.$ZodError, where: string): string {
  return error.issues
    .map((issue) => `${where}${issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}: ${issue.message}`)
    .join('; ');
}

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BodyTooLargeError, close, listen, readBody } from './http-server';
import type { LocalJwtAuthorizer } from './oidc/jwt-authorizer';

/** API Gateway HTTP APIs refuse payloads over 10 MB. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** One route: `POST /slack/interactions` -> a function, invoked synchronously as API Gateway does. */
export interface HttpRoute {
  readonly routeKey: string;
  readonly invoke: (event: APIGatewayProxyEventV2) => Promise<unknown>;
  /** `jwt`: behind the JWT authorizer, as the stack deploys it; `none` or absent: open. */
  readonly authorizer?: 'jwt' | 'none';
}

/** A route key's path as a pattern: `{name}` takes one segment, `{name+}` the rest of the path. */
interface CompiledRoute extends HttpRoute {
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  /** Literal segments: API Gateway prefers the most specific route. */
  readonly literals: number;
}

function compileRoute(route: HttpRoute): CompiledRoute {
  const [method = '', path = ''] = route.routeKey.split(' ');
  const names: string[] = [];
  let literals = 0;
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (param === null) {
        literals += 1;
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      names.push(param[1] as string);
      return param[2] === '+' ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...route, method, pattern: new RegExp(`^${source}$`), names, literals };
}

/** Where a request goes: its route and the path parameters, decoded as API Gateway passes them. */
function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): { route: CompiledRoute; pathParameters: Record<string, string> } | undefined {
  let best: { route: CompiledRoute; pathParameters: Record<string, string> } | undefined;
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match === null) continue;
    if (best !== undefined && best.route.literals >= route.literals) continue;
    const pathParameters: Record<string, string> = {};
    try {
      route.names.forEach((name, i) => {
        pathParameters[name] = decodeURIComponent(match[i + 1] as string);
      });
    } catch {
      continue;
    }
    best = { route, pathParameters };
  }
  return best;
}

/**
 * The Lambda proxy event, payload format 2.0, as API Gateway's HTTP API builds it: header
 * names lower-cased, duplicate headers joined with commas, cookies split out, and a body
 * that is base64-encoded (API Gateway encodes any body that is not clearly text; Slack's
 * form posts arrive encoded, so that is the case handlers must handle).
 */
export function toProxyEventV2(
  req: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer; sourceIp: string },
  routeKey: string,
  now: Date,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url, 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'cookie')
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const cookieHeader = req.headers.cookie;
  const queryStringParameters: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys()))
    queryStringParameters[key] = url.searchParams.getAll(key).join(',');
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookieHeader ? { cookies: cookieHeader.split(';').map((c) => c.trim()) } : {}),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(req.body.length > 0 ? { body: req.body.toString('base64') } : {}),
    isBase64Encoded: req.body.length > 0,
  };
}

/** Turn a handler's answer into an HTTP response, as API Gateway does for payload 2.0. */
export function fromProxyResultV2(result: unknown): {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
} {
  if (result !== null && typeof result === 'object' && 'statusCode' in result) {
    const r = result as APIGatewayProxyStructuredResultV2;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k] = String(v);
    const body =
      r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8');
    return { status: r.statusCode ?? 200, headers, body };
  }
  // A non-structured answer is taken as a JSON body with status 200.
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(result === undefined ? '' : JSON.stringify(result)),
  };
}

/** A local stand-in for an API Gateway HTTP API with Lambda proxy integrations. */
export class LocalHttpApi {
  private readonly server: Server;
  private readonly routes: CompiledRoute[];
  private authorizer: LocalJwtAuthorizer | undefined;

  constructor(
    routes: readonly HttpRoute[],
    private readonly now: () => Date = () => new Date(),
  ) {
    this.routes = routes.map(compileRoute);
    this.server = createServer((req, res) => {
      void this.serve(req).then(
        ({ status, headers, body }) => {
          res.writeHead(status, { ...headers, 'content-length': body.length });
          res.end(body);
        },
        (error: unknown) => {
          // API Gateway hides the integration's error behind a generic 500.
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: 'Internal Server Error' }));
          process.emitWarning(`local HTTP API: ${(error as Error).message}`);
        },
      );
    });
  }

  /** The JWT authorizer of the routes that have one; until it is set, they answer 401. */
  useJwtAuthorizer(authorizer: LocalJwtAuthorizer): void {
    this.authorizer = authorizer;
  }

  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return listen(this.server, port, host);
  }

  close(): Promise<void> {
    return close(this.server);
  }

  private async serve(req: IncomingMessage) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const matched = matchRoute(this.routes, req.method ?? 'GET', url.pathname);
    if (matched === undefined) {
      return {
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from('{"message":"Not Found"}'),
      };
    }
    const { route, pathParameters } = matched;
    const routeKey = route.routeKey;
    let claims: Record<string, string> | undefined;
    if (route.authorizer === 'jwt') {
      const verdict = await this.authorizer?.verify(req.headers.authorization);
      if (verdict?.ok !== true) {
        return {
          status: 401,
          headers: {
            'content-type': 'application/json',
            'www-authenticate': `Bearer error="invalid_token"${verdict === undefined ? '' : ` error_description="${verdict.reason.replace(/["\\]/g, '')}"`}`,
          },
          body: Buffer.from('{"message":"Unauthorized"}'),
        };
      }
      claims = verdict.claims;
    }
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      // The rest of the body is never read: close the connection so no client reuses it.
      return {
        status: 413,
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: Buffer.from('{"message":"Request Entity Too Large"}'),
      };
    }
    const event = toProxyEventV2(
      {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      },
      routeKey,
      this.now(),
    );
    if (Object.keys(pathParameters).length > 0) event.pathParameters = pathParameters;
    if (claims !== undefined) {
      (event.requestContext as unknown as Record<string, unknown>).authorizer = {
        jwt: { claims, scopes: null },
      };
    }
    return fromProxyResultV2(await route.invoke(event));
  }
}

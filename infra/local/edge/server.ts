import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BodyTooLargeError, close, listen, readBody } from '../http-server';
import { authorize } from '../iam/authorize';
import { checksOf, type ResourceLookups } from '../iam/service-authorization';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../protocol/json-depth';
import { detectProtocol, serviceUnavailable, throttlingError, wireError } from '../protocol/wire-errors';
import type { BusEntry, LocalRequest, LocalResponse, LocalService, OperationResolver } from '../types';
import { cloudTrailEntry } from './cloudtrail';
import type { FaultInjector } from './faults';
import type { IdentityRegistry } from './identities';
import type { SessionStore } from './sessions';
import { parseAuthorization, verifySignature } from './sigv4';

/** Requests larger than this are refused before they are read to the end. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface EdgeOptions {
  readonly identities: IdentityRegistry;
  /** Role sessions STS issued; their temporary keys authenticate with their session token. */
  readonly sessions?: SessionStore;
  readonly services: readonly LocalService[];
  readonly faults: FaultInjector;
  readonly putEvents: (entries: readonly BusEntry[]) => Promise<string[]>;
  readonly now?: () => Date;
  /** Extra non-AWS routes (health, admin) tried before SigV4 routing; return undefined to pass. */
  readonly adminRoutes?: (req: IncomingMessage, body: Buffer) => Promise<LocalResponse | undefined>;
  /** Called after every AWS call, for the timeline and tests. */
  readonly onCall?: (req: LocalRequest, res: LocalResponse, operation: string | undefined) => void;
  /** What the services can tell IAM about their resources (a secret's full ARN). */
  readonly resourceLookups?: ResourceLookups;
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function hasOperationResolver(service: LocalService): service is LocalService & OperationResolver {
  return typeof (service as Partial<OperationResolver>).operationOf === 'function';
}

/**
 * The single local AWS endpoint: authenticates each request by its SigV4 signature against
 * the identities file, routes it by the signing name in the credential scope, applies
 * injected faults, and records mutating calls as CloudTrail events on the local bus.
 */
export class EdgeServer {
  private readonly server: Server;
  private readonly byName: Map<string, LocalService>;
  private readonly now: () => Date;

  constructor(private readonly options: EdgeOptions) {
    this.byName = new Map(options.services.map((s) => [s.signingName, s]));
    this.now = options.now ?? (() => new Date());
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: `local AWS internal error: ${(error as Error).message}` }));
        } else {
          res.destroy();
        }
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  /** Start listening; returns the bound port (use 0 for a random free port). */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return listen(this.server, port, host);
  }

  close(): Promise<void> {
    return close(this.server);
  }

  private async serve(httpReq: IncomingMessage, httpRes: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const headers = lowerCaseHeaders(httpReq);
    const protocol = detectProtocol(headers);
    let body: Buffer;
    try {
      body = await readBody(httpReq, MAX_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      const tooLarge = wireError(
        protocol,
        413,
        'RequestEntityTooLarge',
        'Request body is too large',
        requestId,
      );
      // The rest of the body is never read: close the connection so no client reuses it.
      return send(
        httpRes,
        { ...tooLarge, headers: { ...tooLarge.headers, connection: 'close' } },
        requestId,
        this.now(),
      );
    }
    const admin = await this.options.adminRoutes?.(httpReq, body);
    if (admin !== undefined) return send(httpRes, admin, requestId, this.now());

    const auth = parseAuthorization(headers.authorization);
    if (auth === undefined) {
      return send(
        httpRes,
        wireError(
          protocol,
          403,
          'MissingAuthenticationTokenException',
          'Missing Authentication Token',
          requestId,
        ),
        requestId,
        this.now(),
      );
    }
    const session = this.options.sessions?.verify(
      auth.accessKeyId,
      headers['x-amz-security-token'],
      this.now(),
    );
    if (session?.ok === false) {
      const code =
        session.reason === 'expired'
          ? protocol.kind === 'query'
            ? 'ExpiredToken'
            : 'ExpiredTokenException'
          : protocol.kind === 'query'
            ? 'InvalidClientTokenId'
            : 'UnrecognizedClientException';
      return send(httpRes, wireError(protocol, 403, code, session.message, requestId), requestId, this.now());
    }
    const caller = session?.caller ?? this.options.identities.get(auth.accessKeyId);
    if (caller === undefined) {
      const code = protocol.kind === 'query' ? 'InvalidClientTokenId' : 'UnrecognizedClientException';
      return send(
        httpRes,
        wireError(protocol, 403, code, 'The security token included in the request is invalid.', requestId),
        requestId,
        this.now(),
      );
    }
    const url = new URL(httpReq.url ?? '/', 'http://localhost');
    const rawPath = (httpReq.url ?? '/').split('?')[0] ?? '/';
    const verdict = await verifySignature(
      { method: httpReq.method ?? 'GET', rawPath, query: url.searchParams, headers, body },
      auth,
      caller.secretAccessKey,
      this.now(),
    );
    if (!verdict.ok)
      return send(
        httpRes,
        wireError(protocol, 403, verdict.code, verdict.message, requestId),
        requestId,
        this.now(),
      );

    const service = this.byName.get(auth.service);
    if (service === undefined) {
      return send(
        httpRes,
        wireError(
          protocol,
          400,
          'UnknownServiceException',
          `Service "${auth.service}" is not emulated by local AWS`,
          requestId,
        ),
        requestId,
        this.now(),
      );
    }
    if (protocol.kind !== 'query' && nestsDeeperThan(body)) {
      return send(
        httpRes,
        wireError(
          protocol,
          400,
          'SerializationException',
          `The request body is nested deeper than ${MAX_JSON_DEPTH} levels`,
          requestId,
        ),
        requestId,
        this.now(),
      );
    }
    const req: LocalRequest = {
      service: auth.service,
      region: auth.region,
      method: httpReq.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers,
      body,
      caller,
      requestId,
    };
    const operation = hasOperationResolver(service)
      ? service.operationOf(req)
      : headers['x-amz-target']?.split('.')[1];
    const checks = checksOf(req, operation, caller.accountId, this.options.resourceLookups);
    const decision = checks === undefined ? undefined : authorize(caller, checks, auth.region, this.now());
    if (decision !== undefined && !decision.allowed) {
      const denied = accessDenied(protocol, decision.message, requestId, operation as string);
      const trail = cloudTrailEntry(req, denied, this.now());
      if (trail !== undefined) await this.options.putEvents([trail]);
      this.options.onCall?.(req, denied, operation);
      return send(httpRes, denied, requestId, this.now());
    }
    const fault = await this.options.faults.apply(auth.service, operation);
    const res =
      fault.kind === 'throttle'
        ? throttlingError(auth.service, protocol, requestId)
        : fault.kind === 'error'
          ? serviceUnavailable(auth.service, protocol, requestId)
          : await service.handle(req);
    if (fault.kind === 'none') {
      const trail = cloudTrailEntry(req, res, this.now());
      if (trail !== undefined) await this.options.putEvents([trail]);
    }
    this.options.onCall?.(req, res, operation ?? res.apiCall?.eventName);
    send(httpRes, res, requestId, this.now());
  }
}

/**
 * IAM's refusal in the request's protocol: `AccessDeniedException` for the JSON protocols,
 * `AccessDenied` for the query protocol, HTTP 403 either way. CloudTrail records the refused
 * call like any other, with the error, so the call carries an `apiCall` record.
 */
function accessDenied(
  protocol: ReturnType<typeof detectProtocol>,
  message: string,
  requestId: string,
  operation: string,
): LocalResponse {
  const code = protocol.kind === 'query' ? 'AccessDenied' : 'AccessDeniedException';
  return {
    ...wireError(protocol, 403, code, message, requestId),
    apiCall: { eventName: operation, readOnly: /^(Describe|List|Get)/.test(operation) },
  };
}

function send(httpRes: ServerResponse, res: LocalResponse, requestId: string, now: Date): void {
  const body = res.body ?? '';
  httpRes.writeHead(res.status, {
    'x-amzn-requestid': requestId,
    // AWS dates its answers by its own clock; the SDKs correct their clock skew from it.
    date: now.toUTCString(),
    'content-length': Buffer.byteLength(body),
    ...res.headers,
  });
  httpRes.end(body);
}

import { AwsError } from '../../protocol/aws-json';
import type {
  ApiCallRecord,
  LocalRequest,
  LocalResponse,
  LocalService,
  LocalServiceContext,
  OperationResolver,
} from '../../types';
import { badRequest, errorResponse, unknownOperation } from './errors';
import { AppMeshOperations } from './operations';
import { MalformedPathError, matchRoute, type RouteAction, type RouteMatch } from './routes';
import { MeshStore } from './store';

/** Query parameters App Mesh operations take; CloudTrail shows them among the request parameters. */
const QUERY_MEMBERS = ['meshOwner', 'limit', 'nextToken', 'resourceArn'] as const;

function queryMembers(query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of QUERY_MEMBERS) {
    const value = query.get(name);
    if (value === null) continue;
    out[name] = name === 'limit' && /^\d+$/.test(value) ? Number(value) : value;
  }
  return out;
}

/**
 * A call's answer as CloudTrail records it: a resource call's answer under the output member
 * its response shape names (`route`, `virtualNode`, ... as the kind is named), although the
 * HTTP body is that member's payload alone; the guard and change control read which version
 * and spec the call left from there. Tag calls answer as they are.
 */
function recordedAnswer(action: RouteAction, output: unknown): unknown {
  return action.verb === 'create' || action.verb === 'update' || action.verb === 'delete'
    ? { [action.kind]: output }
    : output;
}

function parseBody(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest('The request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/**
 * Local AWS App Mesh (API version 2019-01-25, REST-JSON under `/v20190125/...`): meshes,
 * virtual nodes, services, routers, routes, gateways, gateway routes and their tags, with
 * versioned metadata, pagination, the service's validation and client-token idempotency.
 * State persists in the data directory.
 */
export class AppMeshService implements LocalService, OperationResolver {
  readonly signingName = 'appmesh';
  private readonly store: MeshStore;
  private readonly operations: AppMeshOperations;

  constructor(private readonly context: LocalServiceContext) {
    this.store = new MeshStore(context.dataDir);
    this.operations = new AppMeshOperations(this.store);
  }

  /** A resource's tags, for IAM's `aws:ResourceTag/<key>`; undefined when there is no such resource. */
  resourceTags(arn: string): Record<string, string> | undefined {
    const tags = this.store.get(arn)?.tags;
    return tags === undefined ? undefined : Object.fromEntries(tags.map((t) => [t.key, t.value]));
  }

  operationOf(req: LocalRequest): string | undefined {
    try {
      return matchRoute(req.method, req.path)?.route.operation;
    } catch (error) {
      if (error instanceof MalformedPathError) return undefined;
      throw error;
    }
  }

  async handle(req: LocalRequest): Promise<LocalResponse> {
    let match: RouteMatch | undefined;
    try {
      match = matchRoute(req.method, req.path);
    } catch (error) {
      if (error instanceof MalformedPathError) return errorResponse(badRequest(error.message), req.requestId);
      throw error;
    }
    if (match === undefined) {
      return errorResponse(
        unknownOperation(`No App Mesh operation is ${req.method} ${req.path}`),
        req.requestId,
      );
    }
    const { route, params } = match;
    const requestParameters: Record<string, unknown> = { ...params, ...queryMembers(req.query) };
    const apiCall = (responseElements: unknown): ApiCallRecord => ({
      eventName: route.operation,
      readOnly: route.readOnly,
      requestParameters,
      responseElements,
    });
    try {
      // Only the PUT operations have body members; a body sent with GET or DELETE is ignored.
      const body = req.method === 'PUT' ? parseBody(req.body) : {};
      Object.assign(requestParameters, body);
      const output = this.operations.run(route.action, {
        operation: route.operation,
        region: req.region,
        callerAccount: req.caller.accountId,
        params,
        query: req.query,
        body,
        now: this.context.now(),
      });
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(output),
        apiCall: apiCall(recordedAnswer(route.action, output)),
      };
    } catch (error) {
      if (error instanceof AwsError) return errorResponse(error, req.requestId, apiCall(null));
      throw error;
    }
  }

  async close(): Promise<void> {
    this.store.save();
  }
}

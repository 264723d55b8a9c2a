import { AwsError } from '../../protocol/aws-json';
import type {
  ApiCallRecord,
  LocalRequest,
  LocalResponse,
  LocalService,
  LocalServiceContext,
  OperationResolver,
} from '../../types';
import type { Call, Operation } from './call';
import { errorResponse, invalidRequest } from './errors';
import { networkOperations } from './network-operations';
import { policyOperations } from './policy-operations';
import { MalformedPathError, matchRoute, type RouteMatch } from './routes';
import { serviceOperations } from './service-operations';
import { LatticeStore } from './store';
import { targetGroupOperations } from './target-group-operations';

/** Query parameters the operations take; CloudTrail shows them among the request parameters. */
const QUERY_MEMBERS = [
  'maxResults',
  'nextToken',
  'serviceNetworkIdentifier',
  'serviceIdentifier',
  'vpcIdentifier',
  'targetGroupType',
] as const;

function queryMembers(query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of QUERY_MEMBERS) {
    const value = query.get(name);
    if (value === null) continue;
    out[name] = name === 'maxResults' && /^\d+$/.test(value) ? Number(value) : value;
  }
  const tagKeys = query.getAll('tagKeys');
  if (tagKeys.length > 0) out.tagKeys = tagKeys;
  return out;
}

function parseBody(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON: ${(error as Error).message}`, 'cannotParse');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidRequest('The request body must be a JSON object', 'cannotParse');
  }
  return parsed as Record<string, unknown>;
}

/**
 * Local Amazon VPC Lattice (API version 2022-11-30, REST-JSON, SigV4 name `vpc-lattice`):
 * service networks and their service and VPC associations, services, listeners, rules,
 * target groups and targets, auth and resource policies, and tags; with the service's
 * validation, typed errors, pagination and client-token idempotency. State persists in the
 * data directory. A mutating call changes nothing unless it succeeds as a whole.
 */
export class VpcLatticeService implements LocalService, OperationResolver {
  readonly signingName = 'vpc-lattice';
  private readonly store: LatticeStore;
  private readonly operations: Readonly<Record<string, Operation>>;

  constructor(private readonly context: LocalServiceContext) {
    this.store = new LatticeStore(context.dataDir);
    this.operations = {
      ...networkOperations(this.store),
      ...serviceOperations(this.store),
      ...targetGroupOperations(this.store),
      ...policyOperations(this.store),
    };
  }

  /** A resource's tags, for IAM's `aws:ResourceTag/<key>`; undefined when there is no such resource. */
  resourceTags(arn: string): Record<string, string> | undefined {
    return this.store.get(arn)?.tags;
  }

  /**
   * The services that serve an ACM certificate (their `certificateArn`), for ACM's `InUseBy`: in
   * AWS a certificate a Lattice service uses is in use, which is what makes ACM renew a private one.
   */
  servicesUsingCertificate(certificateArn: string): string[] {
    const region = certificateArn.split(':')[3] ?? this.context.region;
    return this.store
      .find('service', region, (service) => service.certificateArn === certificateArn)
      .map((service) => service.arn);
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
      if (error instanceof MalformedPathError)
        return errorResponse(invalidRequest(error.message, 'cannotParse'));
      throw error;
    }
    if (match === undefined) {
      return errorResponse(
        new AwsError(
          'UnknownOperationException',
          `No VPC Lattice operation is ${req.method} ${req.path}`,
          404,
        ),
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
    const operation = this.operations[route.operation];
    if (operation === undefined)
      throw new Error(`VPC Lattice operation ${route.operation} has no implementation`);
    try {
      const body = req.method === 'GET' || req.method === 'DELETE' ? {} : parseBody(req.body);
      Object.assign(requestParameters, body);
      const call: Call = {
        operation: route.operation,
        region: req.region,
        account: req.caller.accountId,
        params,
        query: req.query,
        body,
        now: this.context.now(),
      };
      // Work on a snapshot: a call that fails half-way leaves the resources as they were.
      const output = route.readOnly ? operation(call) : this.store.transaction(() => operation(call));
      const payload = route.status === 204 ? undefined : (output ?? {});
      return {
        status: route.status,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
        body: payload === undefined ? '' : JSON.stringify(payload),
        apiCall: apiCall(payload ?? null),
      };
    } catch (error) {
      if (error instanceof AwsError) return errorResponse(error, apiCall(null));
      throw error;
    }
  }

  async close(): Promise<void> {
    this.store.save();
  }
}

/**
 * Every VPC Lattice operation local AWS serves, with the HTTP binding of the service model
 * (`@aws-sdk/client-vpc-lattice` schemas, botocore `vpc-lattice/2022-11-30`): method, URI
 * template and the status of a successful answer.
 */
export interface LatticeRoute {
  readonly operation: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly template: string;
  readonly status: 200 | 201 | 204;
  /** Get* and List* calls; CloudTrail marks them readOnly. */
  readonly readOnly: boolean;
}

const route = (
  operation: string,
  method: LatticeRoute['method'],
  template: string,
  status: LatticeRoute['status'] = 200,
): LatticeRoute => ({ operation, method, template, status, readOnly: /^(Get|List)/.test(operation) });

const SERVICE = '/services/{serviceIdentifier}';
const LISTENER = `${SERVICE}/listeners/{listenerIdentifier}`;
const RULE = `${LISTENER}/rules/{ruleIdentifier}`;
const TARGET_GROUP = '/targetgroups/{targetGroupIdentifier}';
const SNSA = '/servicenetworkserviceassociations';
const SNVA = '/servicenetworkvpcassociations';

export const ROUTES: readonly LatticeRoute[] = [
  route('CreateServiceNetwork', 'POST', '/servicenetworks', 201),
  route('ListServiceNetworks', 'GET', '/servicenetworks'),
  route('GetServiceNetwork', 'GET', '/servicenetworks/{serviceNetworkIdentifier}'),
  route('UpdateServiceNetwork', 'PATCH', '/servicenetworks/{serviceNetworkIdentifier}'),
  route('DeleteServiceNetwork', 'DELETE', '/servicenetworks/{serviceNetworkIdentifier}', 204),
  route('CreateServiceNetworkServiceAssociation', 'POST', SNSA),
  route('ListServiceNetworkServiceAssociations', 'GET', SNSA),
  route('GetServiceNetworkServiceAssociation', 'GET', `${SNSA}/{serviceNetworkServiceAssociationIdentifier}`),
  route(
    'DeleteServiceNetworkServiceAssociation',
    'DELETE',
    `${SNSA}/{serviceNetworkServiceAssociationIdentifier}`,
  ),
  route('CreateServiceNetworkVpcAssociation', 'POST', SNVA),
  route('ListServiceNetworkVpcAssociations', 'GET', SNVA),
  route('GetServiceNetworkVpcAssociation', 'GET', `${SNVA}/{serviceNetworkVpcAssociationIdentifier}`),
  route('DeleteServiceNetworkVpcAssociation', 'DELETE', `${SNVA}/{serviceNetworkVpcAssociationIdentifier}`),
  route('CreateService', 'POST', '/services', 201),
  route('ListServices', 'GET', '/services'),
  route('GetService', 'GET', SERVICE),
  route('UpdateService', 'PATCH', SERVICE),
  route('DeleteService', 'DELETE', SERVICE),
  route('CreateListener', 'POST', `${SERVICE}/listeners`, 201),
  route('ListListeners', 'GET', `${SERVICE}/listeners`),
  route('GetListener', 'GET', LISTENER),
  route('UpdateListener', 'PATCH', LISTENER),
  route('DeleteListener', 'DELETE', LISTENER, 204),
  route('CreateRule', 'POST', `${LISTENER}/rules`, 201),
  route('ListRules', 'GET', `${LISTENER}/rules`),
  route('BatchUpdateRule', 'PATCH', `${LISTENER}/rules`),
  route('GetRule', 'GET', RULE),
  route('UpdateRule', 'PATCH', RULE),
  route('DeleteRule', 'DELETE', RULE, 204),
  route('CreateTargetGroup', 'POST', '/targetgroups', 201),
  route('ListTargetGroups', 'GET', '/targetgroups'),
  route('GetTargetGroup', 'GET', TARGET_GROUP),
  route('UpdateTargetGroup', 'PATCH', TARGET_GROUP),
  route('DeleteTargetGroup', 'DELETE', TARGET_GROUP),
  route('RegisterTargets', 'POST', `${TARGET_GROUP}/registertargets`),
  route('DeregisterTargets', 'POST', `${TARGET_GROUP}/deregistertargets`),
  route('ListTargets', 'POST', `${TARGET_GROUP}/listtargets`),
  route('PutAuthPolicy', 'PUT', '/authpolicy/{resourceIdentifier}'),
  route('GetAuthPolicy', 'GET', '/authpolicy/{resourceIdentifier}'),
  route('DeleteAuthPolicy', 'DELETE', '/authpolicy/{resourceIdentifier}', 204),
  route('PutResourcePolicy', 'PUT', '/resourcepolicy/{resourceArn}'),
  route('GetResourcePolicy', 'GET', '/resourcepolicy/{resourceArn}'),
  route('DeleteResourcePolicy', 'DELETE', '/resourcepolicy/{resourceArn}', 204),
  route('TagResource', 'POST', '/tags/{resourceArn}'),
  route('UntagResource', 'DELETE', '/tags/{resourceArn}'),
  route('ListTagsForResource', 'GET', '/tags/{resourceArn}'),
];

/** A route that matched a request, with its path parameters percent-decoded. */
export interface RouteMatch {
  readonly route: LatticeRoute;
  readonly params: Readonly<Record<string, string>>;
}

/** Thrown when a path segment is not valid percent-encoding. */
export class MalformedPathError extends Error {}

const COMPILED = ROUTES.map((r) => ({
  route: r,
  segments: r.template
    .split('/')
    .slice(1)
    .map((s) => (s.startsWith('{') && s.endsWith('}') ? { param: s.slice(1, -1) } : s)),
}));

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new MalformedPathError(`Path segment "${segment}" is not valid percent-encoding`, { cause: error });
  }
}

/**
 * The route a request takes, or undefined when no operation has that method and path.
 * Segments are split before decoding: an ARN in a path arrives with its `/` encoded.
 */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const raw = path.split('/').slice(1);
  if (raw.length > 1 && raw.at(-1) === '') raw.pop();
  for (const { route: r, segments } of COMPILED) {
    if (r.method !== method || segments.length !== raw.length) continue;
    const params: Record<string, string> = {};
    const matched = segments.every((segment, i) => {
      const actual = raw[i] ?? '';
      if (typeof segment === 'string') return segment === actual;
      if (actual === '') return false;
      params[segment.param] = decodeSegment(actual);
      return true;
    });
    if (matched) return { route: r, params };
  }
  return undefined;
}

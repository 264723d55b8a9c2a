/**
 * The App Mesh API calls change control judges: every call that writes to a mesh. Read-only
 * calls (Describe*, List*) change nothing and are not judged. Policy action globs must match
 * at least one of these, so a typo such as `UpdateRoutes` is refused when the policy loads.
 */
const KIND_NOUNS = [
  'Mesh',
  'VirtualNode',
  'VirtualService',
  'VirtualRouter',
  'Route',
  'VirtualGateway',
  'GatewayRoute',
] as const;

/** Every mutating App Mesh action, as CloudTrail names it in `eventName`. */
export const APPMESH_WRITE_ACTIONS: readonly string[] = [
  ...KIND_NOUNS.flatMap((noun) => [`Create${noun}`, `Update${noun}`, `Delete${noun}`]),
  'TagResource',
  'UntagResource',
];

/**
 * Every mutating VPC Lattice action, as CloudTrail names it in `eventName` (the API operation).
 * Policy entries with `provider: vpc-lattice` match their action globs against these.
 */
export const LATTICE_WRITE_ACTIONS: readonly string[] = [
  ...[
    'ServiceNetwork',
    'Service',
    'Listener',
    'Rule',
    'TargetGroup',
    'AccessLogSubscription',
    'ServiceNetworkVpcAssociation',
  ].flatMap((noun) => [`Create${noun}`, `Update${noun}`, `Delete${noun}`]),
  'BatchUpdateRule',
  'CreateServiceNetworkServiceAssociation',
  'DeleteServiceNetworkServiceAssociation',
  'RegisterTargets',
  'DeregisterTargets',
  'PutAuthPolicy',
  'DeleteAuthPolicy',
  'PutResourcePolicy',
  'DeleteResourcePolicy',
  'TagResource',
  'UntagResource',
];

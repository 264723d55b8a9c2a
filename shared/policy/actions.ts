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

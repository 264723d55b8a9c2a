/**
 * The EventBridge rule pattern for VPC Lattice's CloudTrail events, in the shape of
 * shared/events/patterns.ts (plain pattern data the CDK stack and the local bus both read).
 */
import { CLOUDTRAIL_API_CALL } from '../../events/cloudtrail';
import type { NamedPattern } from '../../events/patterns';
import { LATTICE_EVENT_SOURCE, LATTICE_EVENTBRIDGE_SOURCE } from './cloudtrail';

/**
 * The Lattice calls that change a weighted route: rule writes (BatchUpdateRule too), listener
 * writes (a listener's default action is a route), and deletions of rules, listeners and
 * services (which end the deployments of what they held). Failed calls changed nothing.
 */
export const LATTICE_ROUTE_CHANGE_EVENTS = [
  'CreateRule',
  'UpdateRule',
  'BatchUpdateRule',
  'DeleteRule',
  'CreateListener',
  'UpdateListener',
  'DeleteListener',
  'DeleteService',
] as const;

/** Route writes on VPC Lattice for the deployment guard, as `appmesh-route-changes` is on App Mesh. */
export const latticeRouteChangesPattern: NamedPattern = {
  name: 'vpc-lattice-route-changes',
  description: 'Successful VPC Lattice rule and listener writes and deletions recorded by CloudTrail',
  pattern: {
    source: [LATTICE_EVENTBRIDGE_SOURCE],
    'detail-type': [CLOUDTRAIL_API_CALL],
    detail: {
      eventSource: [LATTICE_EVENT_SOURCE],
      eventName: [...LATTICE_ROUTE_CHANGE_EVENTS],
      errorCode: [{ exists: false }],
    },
  },
};

/**
 * Every mutating VPC Lattice call, for change control, as `appmesh-mutations` is for App Mesh.
 * Failed calls match on purpose: a refused change attempt is audited too.
 */
export const latticeMutationsPattern: NamedPattern = {
  name: 'vpc-lattice-mutations',
  description: 'Every mutating VPC Lattice API call recorded by CloudTrail, including failed attempts',
  pattern: {
    source: [LATTICE_EVENTBRIDGE_SOURCE],
    'detail-type': [CLOUDTRAIL_API_CALL],
    detail: {
      eventSource: [LATTICE_EVENT_SOURCE],
      readOnly: [false],
    },
  },
};

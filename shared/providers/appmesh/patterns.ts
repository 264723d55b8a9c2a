/**
 * The EventBridge rule patterns for App Mesh's CloudTrail events, in the shape of
 * shared/events/patterns.ts (plain pattern data the CDK stack and the local bus both read).
 */
import type { NamedPattern } from '../../events/patterns';

/**
 * Mutating App Mesh API calls. `readOnly: [false]` is the CloudTrail field for exactly this;
 * EventBridge also withholds read-only management events from rules unless a rule opts in
 * with state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, so the filter stays right even if
 * someone flips that state. Failed calls (with `errorCode`) still match on purpose: a refused
 * change attempt is audited too.
 */
export const appMeshMutationsPattern: NamedPattern = {
  name: 'appmesh-mutations',
  description: 'Every mutating App Mesh API call recorded by CloudTrail, including failed attempts',
  pattern: {
    source: ['aws.appmesh'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['appmesh.amazonaws.com'],
      readOnly: [false],
    },
  },
};

/**
 * Route writes for the deployment guard, separate from `appmesh-mutations` so each
 * function's rule carries only what it acts on: weight changes open, update and end
 * deployments, and a deleted virtual node ends or rolls back those that send it traffic.
 * Failed calls changed nothing, so they are left out.
 */
export const appMeshRouteChangesPattern: NamedPattern = {
  name: 'appmesh-route-changes',
  description: 'Successful App Mesh route writes and virtual node deletions recorded by CloudTrail',
  pattern: {
    source: ['aws.appmesh'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['appmesh.amazonaws.com'],
      eventName: ['CreateRoute', 'UpdateRoute', 'DeleteRoute', 'DeleteVirtualNode'],
      errorCode: [{ exists: false }],
    },
  },
};

import { type Call, resolve, topLevelArn } from './call';
import type { ServiceNetworkRecord, ServiceRecord, TargetGroupRecord } from './records';
import type { LatticeStore } from './store';
import { serviceIdentifier, serviceNetworkIdentifier, targetGroupIdentifier, validate } from './validation';

// The top-level resources by the id or ARN a request gives, shared by the operations.

/** Look up a service network by the id or ARN a request gives. */
export function serviceNetworkOf(store: LatticeStore, call: Call, identifier: string): ServiceNetworkRecord {
  validate(serviceNetworkIdentifier, identifier, 'serviceNetworkIdentifier');
  return resolve(
    store,
    'servicenetwork',
    identifier,
    (id) => topLevelArn(call, 'servicenetwork', id),
    call.region,
  );
}

/** Look up a service by the id or ARN a request gives. */
export function serviceOf(store: LatticeStore, call: Call, identifier: string): ServiceRecord {
  validate(serviceIdentifier, identifier, 'serviceIdentifier');
  return resolve(store, 'service', identifier, (id) => topLevelArn(call, 'service', id), call.region);
}

/** Look up a target group by the id or ARN a request gives. */
export function targetGroupOf(store: LatticeStore, call: Call, identifier: string): TargetGroupRecord {
  validate(targetGroupIdentifier, identifier, 'targetGroupIdentifier');
  return resolve(store, 'targetgroup', identifier, (id) => topLevelArn(call, 'targetgroup', id), call.region);
}

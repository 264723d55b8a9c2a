import type { GuardDeps } from './deps';
import type { GuardInput } from './inbound';
import { onAlarmStateChange } from './on-alarm';
import { onProviderRouteChange, onRouteChange, onVirtualNodeDeleted } from './on-route-change';
import { onRecovery } from './recovery';
import { onApprovalDecided, onStep } from './steps';

/** The one use case the guard's handler calls: route each input to its use case. */
export async function handleGuardInput(deps: GuardDeps, input: GuardInput): Promise<unknown> {
  switch (input.kind) {
    case 'route-change':
      return input.event.detail.eventName === 'DeleteVirtualNode'
        ? onVirtualNodeDeleted(deps, input.event)
        : onRouteChange(deps, input.event);
    case 'provider-route-change':
      return onProviderRouteChange(deps, input.provider, input.event);
    case 'alarm':
      return onAlarmStateChange(deps, input.event);
    case 'approval':
      return onApprovalDecided(deps, input.event);
    case 'step':
      return onStep(deps, input.step, input.id);
    case 'recovery':
      return onRecovery(deps);
  }
}

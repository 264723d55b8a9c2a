/** ARNs of the local bus's resources, shaped as EventBridge and Lambda shape them. */

export const DEFAULT_BUS = 'default';

export function busArn(region: string, account: string, bus: string): string {
  return `arn:aws:events:${region}:${account}:event-bus/${bus}`;
}

/** Rules on the default bus have no bus segment; rules on a custom bus do. */
export function ruleArn(region: string, account: string, bus: string, rule: string): string {
  return bus === DEFAULT_BUS
    ? `arn:aws:events:${region}:${account}:rule/${rule}`
    : `arn:aws:events:${region}:${account}:rule/${bus}/${rule}`;
}

export function functionArn(region: string, account: string, name: string): string {
  return `arn:aws:lambda:${region}:${account}:function:${name}`;
}

/** Where a target ARN delivers locally, or undefined when local AWS cannot deliver there. */
export type TargetEndpoint =
  | { readonly kind: 'function'; readonly name: string }
  | { readonly kind: 'bus'; readonly name: string };

const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:([A-Za-z0-9_-]{1,64})(?::[\w$-]+)?$/;
const BUS_ARN = /^arn:aws[\w-]*:events:[\w-]+:\d{12}:event-bus\/([\w.\-/]{1,256})$/;

export function targetEndpoint(arn: string): TargetEndpoint | undefined {
  const fn = LAMBDA_ARN.exec(arn);
  if (fn?.[1] !== undefined) return { kind: 'function', name: fn[1] };
  const bus = BUS_ARN.exec(arn);
  if (bus?.[1] !== undefined) return { kind: 'bus', name: bus[1] };
  return undefined;
}

/** A bus given by name or ARN (EventBusName accepts both); undefined means the default bus. */
export function busNameOf(nameOrArn: string | undefined): string {
  if (nameOrArn === undefined || nameOrArn === '') return DEFAULT_BUS;
  const match = BUS_ARN.exec(nameOrArn);
  return match?.[1] ?? nameOrArn;
}

import type { RouteSpec } from '@aws-sdk/client-app-mesh';
import { LATTICE_DEMO, type LatticeDemoRule } from './demo/lattice-seed';
import { DEMO } from './demo/seed';

/** A weighted route's spec with weight moved from its stable target to its canary. */
export interface DeploymentStep {
  readonly spec: RouteSpec;
  /** `90/10 -> 80/20`, in the order of the route's targets. */
  readonly change: string;
  /** The target the guard gives all weight back to. */
  readonly stable: string;
}

/** How much weight the suggested change moves: enough to be a deployment, small enough to look like one. */
const SHIFT = 10;

/**
 * The change that opens a deployment on a two-target weighted HTTP route: move weight from the
 * target holding the most to the other one. The whole spec, since UpdateRoute replaces it and
 * the policy requires the retry policy and timeout it carries. Undefined for any other route.
 */
export function deploymentStep(spec: RouteSpec | undefined): DeploymentStep | undefined {
  const http = spec?.httpRoute;
  const targets = http?.action?.weightedTargets;
  if (http === undefined || targets === undefined || targets.length !== 2) return undefined;
  const [first, second] = targets as [(typeof targets)[number], (typeof targets)[number]];
  const stable = (first.weight ?? 0) >= (second.weight ?? 0) ? first : second;
  const shift = Math.min(SHIFT, stable.weight ?? 0);
  if (shift === 0 || stable.virtualNode === undefined) return undefined;
  const shifted = targets.map((t) => ({
    ...t,
    weight: (t.weight ?? 0) + (t === stable ? -shift : shift),
  }));
  const weights = (list: readonly { weight?: number }[]): string => list.map((t) => t.weight ?? 0).join('/');
  return {
    spec: { ...spec, httpRoute: { ...http, action: { ...http.action, weightedTargets: shifted } } },
    change: `${weights(targets)} -> ${weights(shifted)}`,
    stable: stable.virtualNode,
  };
}

/** A value as one single-quoted shell word. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

export interface TryItInput {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The demo route's spec as it is now; undefined when there is no demo route. */
  readonly routeSpec: RouteSpec | undefined;
  /** The Lattice demo's weighted rule; undefined when there is none. */
  readonly latticeRule?: LatticeDemoRule;
}

/** The commands that show the Lattice demo: its services, and its weighted rule when it is there. */
function latticeLines(cli: string, rule: LatticeDemoRule | undefined): string[] {
  const lines = [
    `  # the same canary on VPC Lattice: ${LATTICE_DEMO.routeKey} sends 90/10 to ${LATTICE_DEMO.stableTargetGroup}/${LATTICE_DEMO.canaryTargetGroup}`,
    `  ${cli} vpc-lattice list-services`,
  ];
  if (rule !== undefined) {
    lines.push(
      `  ${cli} vpc-lattice get-rule --service-identifier ${rule.serviceId} --listener-identifier ${rule.listenerId} --rule-identifier ${rule.ruleId}`,
    );
  }
  return lines;
}

/**
 * The "Try, in another terminal" part of the `npm start` banner, in the order that works on a
 * fresh start: an alarm only rolls back a deployment, so the first command opens one.
 */
export function tryItLines(input: TryItInput): string[] {
  const cli = `aws --endpoint-url ${input.endpoint}`;
  const route = `--mesh-name ${DEMO.mesh} --virtual-router-name ${DEMO.router} --route-name ${DEMO.route}`;
  const lines = [
    'Try, in another terminal (and watch the timeline here):',
    `  export AWS_ACCESS_KEY_ID=${input.accessKeyId} AWS_SECRET_ACCESS_KEY=${input.secretAccessKey} AWS_DEFAULT_REGION=${input.region}`,
    `  ${cli} appmesh describe-route ${route}`,
  ];
  const step = deploymentStep(input.routeSpec);
  if (step === undefined) {
    lines.push(
      `  # an alarm rolls back only a deployment (a weight move on a weighted route); the demo route is not there:`,
      `  # npm start -- --fresh seeds it, or npm run demo plays the whole story`,
    );
  } else {
    lines.push(
      `  # 1. open a deployment: shift ${DEMO.routeKey} ${step.change} (UpdateRoute takes the whole spec)`,
      `  ${cli} appmesh update-route ${route} --spec ${shellQuote(JSON.stringify(step.spec))}`,
      `  # 2. its alarm fires: the guard puts all weight back on ${step.stable} and says why (run again after --state-value OK)`,
    );
  }
  lines.push(
    `  ${cli} cloudwatch set-alarm-state --alarm-name ${DEMO.alarms[0]} --state-value ALARM --state-reason "5xx above threshold"`,
    ...latticeLines(cli, input.latticeRule),
    `  ${cli} sts get-caller-identity`,
  );
  return lines;
}

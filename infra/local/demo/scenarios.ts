import type { LocalAws } from '../runtime';
import { DEMO } from './seed';

/** A scripted story played against the running local AWS by `npm run demo`. */
export interface Scenario {
  readonly name: string;
  /** One sentence: what the scenario shows. */
  readonly title: string;
  run(aws: LocalAws): Promise<void>;
}

/** The events a scheduled rule delivers, as EventBridge shapes them. */
function scheduledEvent(aws: LocalAws, ruleName: string): Record<string, unknown> {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: aws.accountId,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: aws.region,
    resources: [`arn:aws:events:${aws.region}:${aws.accountId}:rule/${ruleName}`],
    detail: {},
  };
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'inventory',
    title: `The scheduled inventory reads mesh "${DEMO.mesh}" whole and publishes what it holds`,
    run: async (aws) => {
      await aws.functions.invoke('mesh-inventory', scheduledEvent(aws, 'mesh-inventory-daily-audit'));
      await aws.drain();
    },
  },
];

import type { IncomingMessage } from 'node:http';
import * as z from 'zod';
import { parseOrThrow } from '../../shared/validation';
import type { LocalEventBus } from './bus/event-bus';
import { FaultInjector, type FaultRule } from './edge/faults';
import type { Timeline } from './timeline';
import type { LocalResponse } from './types';

const json = (status: number, value: unknown): LocalResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value, null, 2),
});

/** What `PUT /_local/stack` may change: the stack's configuration a `cdk deploy -c` would set. */
const stackChangeSchema = z.strictObject({
  certificateAuthorityArns: z
    .array(
      z
        .string()
        .regex(/^arn:aws:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[\w-]+$/, 'must be an ACM PCA ARN'),
    )
    .min(1),
});
export type StackChange = z.infer<typeof stackChangeSchema>;

/**
 * Unsigned routes under `/_local/` on the edge endpoint, for a person or a test to look inside
 * local AWS: health, the dead-letter list, the timeline, and the injected faults (read and set).
 * They never collide with AWS paths, which never start with `/_local/`.
 */
export function adminRoutes(parts: {
  readonly bus: LocalEventBus;
  readonly timeline: Timeline;
  readonly faults: FaultInjector;
  readonly services: readonly string[];
  /** Deploy the local stack again with a changed configuration; answers what it now holds. */
  readonly deploy: (change: StackChange) => Promise<StackChange>;
}): (req: IncomingMessage, body: Buffer) => Promise<LocalResponse | undefined> {
  return async (req, body) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith('/_local/')) return undefined;
    const route = `${req.method ?? 'GET'} ${path}`;
    switch (route) {
      case 'GET /_local/health':
        return json(200, { status: 'ok', services: parts.services });
      case 'GET /_local/dead-letters':
        return json(200, parts.bus.deadLetters());
      case 'GET /_local/timeline':
        return json(200, parts.timeline.all());
      case 'GET /_local/faults':
        return json(200, parts.faults.list());
      case 'PUT /_local/faults': {
        let rules: FaultRule[];
        try {
          rules = FaultInjector.parse(body.toString('utf8'), 'PUT /_local/faults body');
        } catch (error) {
          return json(400, { message: (error as Error).message });
        }
        parts.faults.set(rules);
        return json(200, rules);
      }
      case 'PUT /_local/stack': {
        // The functions may use only the CAs their stack names, as in AWS: a CA created later
        // (for a rollover, say) is added the way `cdk deploy -c meshwarden:certificateAuthorityArns=...` adds it.
        let change: StackChange;
        try {
          change = parseOrThrow(
            stackChangeSchema,
            JSON.parse(body.toString('utf8') || '{}'),
            'PUT /_local/stack body',
          );
        } catch (error) {
          return json(400, { message: (error as Error).message });
        }
        return json(200, await parts.deploy(change));
      }
      default:
        return json(404, {
          message: `No local route ${route}; try GET /_local/health, /_local/dead-letters, /_local/timeline, GET|PUT /_local/faults, PUT /_local/stack`,
        });
    }
  };
}

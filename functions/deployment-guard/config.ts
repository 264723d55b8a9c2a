import { baseConfig, readConfig } from '../../shared/config';
import type { StaticAlarmBinding } from '../../shared/deployments/route-policy';
import { formatRouteId, parseRouteId } from '../../shared/domain/weighted-route';
import * as z from '../../shared/schema';

const nonEmpty = z.string().check(z.minLength(1));
const binding = z.union([
  z.strictObject({
    alarmName: nonEmpty,
    mesh: nonEmpty,
    virtualRouter: nonEmpty,
    route: nonEmpty,
  }),
  z.strictObject({
    alarmName: nonEmpty,
    serviceNetwork: nonEmpty,
    service: nonEmpty,
    listener: nonEmpty,
    rule: nonEmpty,
  }),
]);

/**
 * The route key a binding names. A Lattice key is parsed back, so names the guard could not
 * read as a Lattice rule (e.g. upper case) are refused at start-up instead of guarding nothing.
 */
function routeKeyOf(b: z.output<typeof binding>): string {
  if (!('serviceNetwork' in b)) return `${b.mesh}/${b.virtualRouter}/${b.route}`;
  const key = formatRouteId({ provider: 'vpc-lattice', ...b });
  if (parseRouteId(key).provider !== 'vpc-lattice') throw new Error(`${key} is not a VPC Lattice rule`);
  return key;
}

/** The guard's configuration, read once at start-up. */
export const guardConfigSchema = z.extend(
  z.pick(baseConfig, {
    AWS_REGION: true,
    MESHWARDEN_EVENT_BUS: true,
    MESHWARDEN_TABLE: true,
    MESHWARDEN_MESHES: true,
    MESHWARDEN_POLICY_FILE: true,
    MESHWARDEN_SELF_ROLE_ARNS: true,
    MESHWARDEN_SLACK_SECRET: true,
    MESHWARDEN_ACCOUNT_ID: true,
    MESHWARDEN_MEMBER_ROLE_ARNS: true,
    MESHWARDEN_MEMBER_MESHES: true,
  }),
  {
    /** Alarm bindings of the CDK config (`alarmBindings`), as JSON; absent when there are none. */
    MESHWARDEN_ALARM_BINDINGS: z.pipe(
      z.optional(z.string()),
      z.transform((text, ctx): StaticAlarmBinding[] => {
        if (text === undefined) return [];
        try {
          return z
            .array(binding)
            .parse(JSON.parse(text))
            .map((b) => ({ alarmName: b.alarmName, routeKey: routeKeyOf(b) }));
        } catch {
          ctx.issues.push({
            code: 'custom',
            message:
              'expected a JSON array of {alarmName, mesh, virtualRouter, route} (App Mesh) or {alarmName, serviceNetwork, service, listener, rule} (VPC Lattice)',
            input: text,
          });
          return z.NEVER;
        }
      }),
    ),
  },
);

/**
 * Scheduler settings are needed only by progressive deployments, so they are read when the
 * first step is scheduled: a missing one fails that invocation naming the variable, and the
 * rollback path never depends on them.
 */
export const schedulerConfigSchema = z.object({
  MESHWARDEN_SCHEDULE_GROUP: nonEmpty,
  MESHWARDEN_SCHEDULER_ROLE_ARN: z
    .string()
    .check(z.regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN')),
  MESHWARDEN_SCHEDULER_DLQ_ARN: z.optional(nonEmpty),
});

export const readGuardConfig = () => readConfig(guardConfigSchema);
export const readSchedulerConfig = () => readConfig(schedulerConfigSchema);

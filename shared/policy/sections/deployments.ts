/**
 * The `deployments` section of a mesh's policy: which alarms guard which weighted routes,
 * which target is stable, how long after promotion an alarm still rolls back, and which
 * routes are shifted in steps.
 */
import * as z from 'zod';
import { globSyntaxError } from '../glob';

const routeGlob = /* @__PURE__ */ z
  .string()
  .min(1)
  .max(800)
  .superRefine((value, ctx) => {
    const error = globSyntaxError(value);
    if (error !== undefined) ctx.addIssue({ code: 'custom', message: `invalid glob: ${error}` });
    else if (!value.includes('/')) {
      ctx.addIssue({
        code: 'custom',
        message:
          'expected a glob over "<mesh>/<virtual-router>/<route>" (App Mesh) or "<service-network>/<service>/<listener>/<rule>" (VPC Lattice)',
      });
    }
  })
  .describe(
    'Route key glob over "<mesh>/<virtual-router>/<route>" (App Mesh), e.g. prod/web-router/*, or over "<service-network>/<service>/<listener>/<rule>" (VPC Lattice; "default" is a listener\'s default action), e.g. shop/web/http/* .',
  );

const alarmRef = /* @__PURE__ */ z
  .string()
  .min(1)
  .max(1600)
  .describe(
    'A CloudWatch alarm name, or its ARN (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME). Metric or composite.',
  );

const step = /* @__PURE__ */ z.union([
  z.number().int().min(1).max(100),
  z.strictObject({
    weight: z.number().int().min(1).max(100),
    bakeMinutes: z.number().int().min(1).max(1440).optional(),
  }),
]);

const progressiveSchema = /* @__PURE__ */ z
  .strictObject({
    steps: z
      .array(step)
      .min(1)
      .max(20)
      .describe('Canary weights in percent, increasing, ending at 100; a number or {weight, bakeMinutes}.'),
    bakeMinutes: z
      .number()
      .int()
      .min(1)
      .max(1440)
      .default(10)
      .describe('How long each step bakes before the next, unless the step says otherwise.'),
    onInsufficientData: z
      .enum(['wait', 'proceed'])
      .default('wait')
      .describe('A bound alarm in INSUFFICIENT_DATA before a step: wait (check again later) or proceed.'),
    approvalBeforeLastStep: z
      .boolean()
      .default(false)
      .describe('Ask for approval (Slack) before the last step.'),
    waitDeadlineMinutes: z
      .number()
      .int()
      .min(1)
      .max(10080)
      .default(60)
      .describe(
        'How long a step waits on a bound alarm in INSUFFICIENT_DATA before it stops waiting: automatic steps stop and people are told how to promote or roll back.',
      ),
  })
  .superRefine((p, ctx) => {
    const weights = p.steps.map((s) => (typeof s === 'number' ? s : s.weight));
    for (let i = 1; i < weights.length; i++) {
      if ((weights[i] ?? 0) <= (weights[i - 1] ?? 0)) {
        ctx.addIssue({ code: 'custom', path: ['steps', i], message: 'steps must increase' });
      }
    }
    if (weights[weights.length - 1] !== 100) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps', weights.length - 1],
        message: 'the last step must be 100',
      });
    }
  })
  .describe('Shift traffic to the canary in steps with a bake time each, driven by EventBridge Scheduler.');

const guardedRouteSchema = /* @__PURE__ */ z
  .strictObject({
    route: routeGlob,
    alarms: z.array(alarmRef).max(100).default([]),
    stableTarget: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe(
        'The target that is stable: a virtual node (App Mesh) or a target group id, tg-… (VPC Lattice). Default: the one that held the most weight before.',
      ),
    progressive: progressiveSchema.optional(),
    allowForcePromote: z
      .boolean()
      .default(false)
      .describe(
        'Whether `meshwarden deployments promote --force` may skip the approval gate before the last step (audited). Never while a bound alarm is in ALARM.',
      ),
  })
  .describe('Routes whose key matches: the first entry that matches decides.');

/** The deployment guard's policy for one mesh. */
export const deploymentsPolicySchema = /* @__PURE__ */ z
  .strictObject({
    rollbackWindowMinutes: z
      .number()
      .int()
      .min(0)
      .max(1440)
      .default(30)
      .describe(
        'After a deployment reaches 100%, an alarm within this many minutes still restores the previous stable target.',
      ),
    routes: z.array(guardedRouteSchema).max(200).default([]),
  })
  .describe(
    'Deployment guard: roll a weighted route back when a bound alarm fires. Alarms are also bound by the alarm tag meshwarden:route=<mesh>/<virtual-router>/<route> (App Mesh) or meshwarden:route=<service-network>/<service>/<listener>/<rule> (VPC Lattice).',
  );

export type DeploymentsPolicy = z.output<typeof deploymentsPolicySchema>;
export type GuardedRoutePolicy = DeploymentsPolicy['routes'][number];
export type ProgressivePolicy = NonNullable<GuardedRoutePolicy['progressive']>;

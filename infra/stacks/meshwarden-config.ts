import * as z from 'zod';
import { ConfigError } from '../../shared/errors';
import { formatPath } from '../../shared/validation';

/**
 * What a deployment of meshwarden is configured with. It comes from CDK context (`cdk.json`,
 * or `-c meshwarden:<key>=<value>` on the command line) or from props in tests, and is
 * validated here so a wrong value fails synth with the key's name, not a CloudFormation error
 * twenty minutes into a deploy.
 */

/** Context keys are `meshwarden:<field>`, e.g. `-c meshwarden:meshes=prod,staging`. */
export const CONTEXT_PREFIX = 'meshwarden:';

/**
 * The policy to deploy first: it judges and reports every change but reverts and holds nothing.
 * There is deliberately no default policy file: any policy that acts would act on the changes
 * of people it does not know yet.
 */
export const REPORT_ONLY_POLICY_FILE = 'infra/policies/report-only.policy.yaml';

/** What a deployment without a policy is told: how to start safely. */
export const MISSING_POLICY_MESSAGE =
  `is required: set -c ${CONTEXT_PREFIX}policyFile=FILE. Start with the report-only policy ` +
  `(-c ${CONTEXT_PREFIX}policyFile=${REPORT_ONLY_POLICY_FILE}): it reports every change and ` +
  'reverts nothing; switch rules to revert or hold once its reports show who changes the mesh';

const accountId = z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id');
const region = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'expected an AWS region, e.g. eu-west-1');
/** App Mesh: 1-255 letters, digits, hyphens and underscores. */
const meshName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,255}$/, 'expected an App Mesh name (letters, digits, - and _)');
const alarmName = z.string().min(1).max(255);
const caArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]{36}$/,
    'expected an ACM Private CA ARN (arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/UUID)',
  );
const snsTopicArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'expected an SNS topic ARN');
/** Slack conversation ids: public (C), private (G) channels and DMs (D). */
const slackChannelId = z
  .string()
  .regex(/^[CGD][A-Z0-9]{8,}$/, 'expected a Slack channel id such as C0123456789');

/** A CloudWatch alarm that guards weighted deployments of one App Mesh route. */
export const appMeshAlarmBindingSchema = z.strictObject({
  alarmName,
  mesh: meshName,
  virtualRouter: z.string().min(1).max(255),
  route: z.string().min(1).max(255),
});

/** VPC Lattice names: 3-63 lowercase letters, digits and hyphens, neither first nor last a hyphen. */
const latticeName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
    'expected a VPC Lattice name (3-63 lowercase letters, digits and hyphens)',
  );

/**
 * A CloudWatch alarm that guards weighted deployments of one VPC Lattice listener rule, by
 * names as the `meshwarden:route` tag writes them (`rule: default` for the listener's default
 * action). The service network must be one the policy governs (checked at synth).
 */
export const latticeAlarmBindingSchema = z.strictObject({
  alarmName,
  serviceNetwork: latticeName,
  service: latticeName,
  listener: latticeName,
  rule: latticeName,
});

/** An alarm binding of either provider. */
export type AlarmBinding =
  | z.output<typeof appMeshAlarmBindingSchema>
  | z.output<typeof latticeAlarmBindingSchema>;

/**
 * A CloudWatch alarm that guards weighted deployments of one route, on either provider. The
 * `serviceNetwork` key says which shape is meant, so a wrong binding is told what is wrong with
 * that shape instead of a union's bare "Invalid input".
 */
export const alarmBindingSchema = z.unknown().transform((input, ctx): AlarmBinding => {
  const lattice = typeof input === 'object' && input !== null && 'serviceNetwork' in input;
  const result = (lattice ? latticeAlarmBindingSchema : appMeshAlarmBindingSchema).safeParse(input);
  if (result.success) return result.data;
  // Each issue as the chosen shape reported it; its path is prefixed with the binding's.
  for (const issue of result.error.issues)
    ctx.issues.push({ ...issue, input } as (typeof ctx.issues)[number]);
  return z.NEVER;
});

/** Whether a binding names a VPC Lattice rule (else an App Mesh route). */
export function isLatticeAlarmBinding(
  binding: AlarmBinding,
): binding is z.output<typeof latticeAlarmBindingSchema> {
  return 'serviceNetwork' in binding;
}

/** A member account whose mesh events are forwarded to meshwarden, and whose meshes it may change. */
export const memberAccountSchema = z.strictObject({
  account: accountId,
  /** Defaults to meshwarden's own region. */
  region: region.optional(),
  meshes: z.array(meshName).min(1, 'must name at least one mesh'),
});

/** The validated configuration of one meshwarden deployment. */
export const meshwardenConfigSchema = z
  .strictObject({
    /** Account and region to deploy to; when absent, the stack is environment-agnostic. */
    account: accountId.optional(),
    region: region.optional(),
    /** Meshes in meshwarden's own account that it governs. */
    meshes: z.array(meshName).min(1, 'must name at least one mesh'),
    /** The policy file, relative to the directory `cdk` runs in. No default: see REPORT_ONLY_POLICY_FILE. */
    policyFile: z
      .string({ error: (issue) => (issue.input === undefined ? MISSING_POLICY_MESSAGE : undefined) })
      .min(1, MISSING_POLICY_MESSAGE),
    /** Where approvals and reports are posted. */
    slackChannelIds: z.array(slackChannelId).default([]),
    alarmBindings: z.array(alarmBindingSchema).default([]),
    /** ACM Private CAs that issue the mesh's certificates. */
    certificateAuthorityArns: z.array(caArn).default([]),
    /** Create a CloudTrail trail (EventBridge sees App Mesh API calls only where a trail logs them). */
    createTrail: z.boolean().default(false),
    memberAccounts: z.array(memberAccountSchema).default([]),
    /**
     * X-Ray tracing of the functions (active tracing and the Powertools Tracer). Off, the X-Ray
     * SDK is left out of the bundles: a faster cold start, no traces (see the README).
     */
    tracing: z.boolean().default(true),
    /** An SNS topic the operational alarms notify; none by default. */
    alarmTopicArn: snsTopicArn.optional(),
    /**
     * The OIDC issuer whose tokens the HTTP API's JWT authorizer accepts (https URL, e.g.
     * https://token.actions.githubusercontent.com or your identity provider). Without it and
     * `oidcAudience`, the `/api/*` routes are left out.
     */
    oidcIssuer: z
      .url({ protocol: /^https$/, message: 'expected the https URL of an OIDC issuer' })
      .optional(),
    /** The audiences (`aud`) the JWT authorizer accepts; comma-separated on the command line. */
    oidcAudience: z.array(z.string().min(1).max(256)).min(1).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.memberAccounts.length > 0) {
      // Member stacks name the central bus and roles by account and region, so both must be known.
      for (const key of ['account', 'region'] as const) {
        if (config[key] === undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'is required when memberAccounts are given' });
        }
      }
    }
    config.alarmBindings.forEach((binding, i) => {
      // A Lattice binding's service network is checked against the policy, read at synth.
      if (isLatticeAlarmBinding(binding)) return;
      if (!config.meshes.includes(binding.mesh)) {
        ctx.addIssue({
          code: 'custom',
          path: ['alarmBindings', i, 'mesh'],
          message: `"${binding.mesh}" is not one of the governed meshes (${config.meshes.join(', ')})`,
        });
      }
    });
    const seen = new Set<string>();
    config.memberAccounts.forEach((member, i) => {
      if (member.account === config.account) {
        ctx.addIssue({
          code: 'custom',
          path: ['memberAccounts', i, 'account'],
          message: 'is meshwarden’s own account; list its meshes under `meshes` instead',
        });
      }
      if (seen.has(member.account)) {
        ctx.addIssue({ code: 'custom', path: ['memberAccounts', i, 'account'], message: 'is listed twice' });
      }
      seen.add(member.account);
    });
    if ((config.oidcIssuer === undefined) !== (config.oidcAudience === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [config.oidcIssuer === undefined ? 'oidcIssuer' : 'oidcAudience'],
        message: 'oidcIssuer and oidcAudience go together: set both for the HTTP API, or neither',
      });
    }
    for (const [i, mesh] of config.meshes.entries()) {
      if (config.meshes.indexOf(mesh) !== i) {
        ctx.addIssue({ code: 'custom', path: ['meshes', i], message: `"${mesh}" is listed twice` });
      }
    }
  });

/** Configuration as written (defaults not yet applied). */
export type MeshwardenConfigInput = z.input<typeof meshwardenConfigSchema>;
/** Configuration as validated. */
export type MeshwardenConfig = z.output<typeof meshwardenConfigSchema>;

/** Fields whose context value is a list; on the command line they may be comma-separated. */
const LIST_FIELDS = new Set(['meshes', 'slackChannelIds', 'certificateAuthorityArns', 'oidcAudience']);
/** Fields whose context value is structured; on the command line they are JSON. */
const JSON_FIELDS = new Set(['alarmBindings', 'memberAccounts']);
const BOOLEAN_FIELDS = new Set(['createTrail', 'tracing']);

/**
 * `-c key=value` always yields a string; `cdk.json` yields JSON values. Bring a command-line
 * string to the shape `cdk.json` would have given, and leave everything else for the schema
 * to judge.
 */
function fromContextString(field: string, value: string): unknown {
  if (LIST_FIELDS.has(field)) {
    if (value.trimStart().startsWith('[')) return parseJson(field, value);
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }
  if (JSON_FIELDS.has(field)) return parseJson(field, value);
  if (BOOLEAN_FIELDS.has(field)) {
    if (value === 'true') return true;
    if (value === 'false') return false;
  }
  return value;
}

function parseJson(field: string, value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new ConfigError(`${CONTEXT_PREFIX}${field}: not valid JSON (${String(error)})`, { cause: error });
  }
}

/**
 * The VPC Lattice alarm bindings must name a service network the policy governs (a
 * `provider: vpc-lattice` entry): the guard observes no other, so an alarm bound elsewhere
 * would guard nothing. The policy is read at synth, after the configuration, hence a check of its own.
 *
 * @throws ConfigError naming every binding whose service network the policy does not govern.
 */
export function checkLatticeAlarmBindings(
  config: Pick<MeshwardenConfig, 'alarmBindings'>,
  governedServiceNetworks: readonly string[],
): void {
  const governed =
    governedServiceNetworks.length === 0 ? 'it governs none' : governedServiceNetworks.join(', ');
  const problems = config.alarmBindings.flatMap((binding, i) =>
    isLatticeAlarmBinding(binding) && !governedServiceNetworks.includes(binding.serviceNetwork)
      ? [
          `alarmBindings[${i}].serviceNetwork: "${binding.serviceNetwork}" is not a service network the policy governs (${governed})`,
        ]
      : [],
  );
  if (problems.length > 0)
    throw new ConfigError(`meshwarden configuration is invalid:\n  ${problems.join('\n  ')}`);
}

/**
 * Read and validate meshwarden's configuration from CDK context (`app.node.getAllContext()`).
 * Every `meshwarden:*` key is read, so a misspelt one is refused instead of ignored.
 *
 * @throws ConfigError naming every missing, unknown or invalid `meshwarden:*` key at once.
 */
export function configFromContext(context: Readonly<Record<string, unknown>>): MeshwardenConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (!key.startsWith(CONTEXT_PREFIX)) continue;
    const field = key.slice(CONTEXT_PREFIX.length);
    raw[field] = typeof value === 'string' ? fromContextString(field, value) : value;
  }
  return parseConfig(raw, 'CDK context');
}

/**
 * Validate configuration given as props (tests, or an app that builds its own).
 *
 * @throws ConfigError naming every invalid field.
 */
export function parseConfig(input: unknown, source = 'props'): MeshwardenConfig {
  const result = meshwardenConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const prefix = source === 'CDK context' ? CONTEXT_PREFIX : '';
  const problems = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${prefix}${key}: unknown key`)
      : [`${prefix}${formatPath(issue.path)}: ${issue.message}`],
  );
  throw new ConfigError(`meshwarden configuration (${source}) is invalid:\n  ${problems.join('\n  ')}`, {
    cause: result.error,
  });
}

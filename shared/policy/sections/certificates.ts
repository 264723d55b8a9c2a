/**
 * The `certificates` section of a mesh's policy: how each certificate the mesh relies on is
 * renewed (issuing CA, template, validity, when, key algorithm, names), and which Secrets
 * Manager secret delivers the certificates that listeners read from files or SDS.
 */
import * as z from 'zod';
import { compileGlob } from '../glob';
import { globSchema } from '../glob-schema';

const glob = (what: string) => globSchema(what);

const caArn = /* @__PURE__ */ z
  .string()
  .regex(
    /^arn:aws[\w-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]{36}$/,
    'expected an ACM Private CA ARN (arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/ID)',
  );

/** Key algorithms a rotated certificate may get; always a new key per certificate. */
export const ROTATION_KEY_ALGORITHMS = ['EC_prime256v1', 'RSA_2048'] as const;
export type RotationKeyAlgorithm = (typeof ROTATION_KEY_ALGORITHMS)[number];

/** Both server and client authentication: mesh certificates serve mTLS in both directions. */
export const DEFAULT_TEMPLATE_ARN = 'arn:aws:acm-pca:::template/EndEntityCertificate/V1';
/** Renew at two thirds of the lifetime unless the policy says otherwise. */
export const DEFAULT_RENEW_SHARE = 2 / 3;
export const DEFAULT_VALIDITY_DAYS = 90;
/**
 * A replaced ACM private certificate is kept a day: Envoys pick up the new listener reference
 * within minutes, and a day leaves room for a proxy that is slow to update, or for a person to
 * point a listener back, before the old certificate is gone.
 */
export const DEFAULT_SUPERSEDED_GRACE_HOURS = 24;

const renewSchema = /* @__PURE__ */ z
  .union([
    z.strictObject({
      shareOfLifetime: z
        .number()
        .gt(0)
        .lt(1)
        .describe('Renew once this share of the lifetime (not-before to not-after) has passed.'),
    }),
    z.strictObject({
      daysBeforeExpiry: z.number().int().min(1).max(3650).describe('Renew this many days before not-after.'),
    }),
  ])
  .describe('When a certificate is due (default: at two thirds of its lifetime).');

const ruleSchema = /* @__PURE__ */ z
  .strictObject({
    resources: glob('Resource keys the rule covers, e.g. prod/virtual-node/web-* or prod/virtual-gateway/*'),
    issuingCaArn: caArn
      .optional()
      .describe(
        'The CA that issues renewed certificates. Default: the new CA of the last completed rollover away from the current issuer, else the CA that issued the current one. A change here starts a CA rollover.',
      ),
    templateArn: z
      .string()
      .regex(/^arn:aws[\w-]*:acm-pca:::template\/[A-Za-z0-9_/]+\/V\d+$/, 'expected an ACM PCA template ARN')
      .default(DEFAULT_TEMPLATE_ARN)
      .describe('ACM PCA certificate template (default: EndEntityCertificate/V1, server and client auth).'),
    validityDays: z.number().int().min(1).max(3650).default(DEFAULT_VALIDITY_DAYS),
    renew: renewSchema.default({ shareOfLifetime: DEFAULT_RENEW_SHARE }),
    keyAlgorithm: z
      .enum(ROTATION_KEY_ALGORITHMS)
      .default('EC_prime256v1')
      .describe('Key algorithm of the new key (a new private key every time; never reused).'),
    san: z
      .enum(['service-discovery', 'keep'])
      .default('service-discovery')
      .describe(
        'service-discovery: the certificate names exactly the node’s service-discovery DNS name. keep: the current names (virtual gateways always keep).',
      ),
  })
  .describe('How matching certificates are renewed; the first rule whose resources glob matches applies.');

const secretMappingSchema = /* @__PURE__ */ z
  .strictObject({
    file: glob('Listener certificate chain file path, e.g. /etc/envoy/certs/web/*').optional(),
    sds: glob('SDS secret name').optional(),
    secret: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'expected a Secrets Manager secret name')
      .describe(
        'The Secrets Manager secret whose versions deliver the certificate (JSON certificate, chain, key).',
      ),
  })
  .superRefine((m, ctx) => {
    if ((m.file === undefined) === (m.sds === undefined))
      ctx.addIssue({ code: 'custom', message: 'give exactly one of file, sds' });
  })
  .describe('Maps file or SDS certificate references to the secret that delivers them.');

export const certificatesSectionSchema = /* @__PURE__ */ z
  .strictObject({
    rules: z.array(ruleSchema).max(200).default([]),
    secrets: z.array(secretMappingSchema).max(500).default([]),
    supersededGraceHours: z
      .number()
      .int()
      .min(1)
      .max(8760)
      .optional()
      .describe(
        `Hours an ACM private certificate that rotation replaced by a new one is kept before it is deleted (default ${DEFAULT_SUPERSEDED_GRACE_HOURS}); never while a listener or ACM InUseBy names it.`,
      ),
  })
  .describe('Certificate rotation: renewal rules and secret delivery mappings.');

export type CertificatesSection = z.output<typeof certificatesSectionSchema>;
export type CertificateRule = z.output<typeof ruleSchema>;
export type SecretMapping = z.output<typeof secretMappingSchema>;

/** The renewal rule that applies when no rule matches: the defaults above. */
export const DEFAULT_CERTIFICATE_RULE: CertificateRule = {
  resources: '*',
  templateArn: DEFAULT_TEMPLATE_ARN,
  validityDays: DEFAULT_VALIDITY_DAYS,
  renew: { shareOfLifetime: DEFAULT_RENEW_SHARE },
  keyAlgorithm: 'EC_prime256v1',
  san: 'service-discovery',
};

/** The first rule whose glob matches the resource key, or the defaults. */
export function certificateRuleFor(
  section: CertificatesSection | undefined,
  resourceKey: string,
): CertificateRule {
  return section?.rules.find((r) => compileGlob(r.resources).test(resourceKey)) ?? DEFAULT_CERTIFICATE_RULE;
}

/** The secret delivering a file or SDS reference, or undefined when none is mapped. */
export function secretFor(
  section: CertificatesSection | undefined,
  reference: { readonly file: string } | { readonly sds: string },
): string | undefined {
  return section?.secrets.find((m) =>
    'file' in reference
      ? m.file !== undefined && compileGlob(m.file).test(reference.file)
      : m.sds !== undefined && compileGlob(m.sds).test(reference.sds),
  )?.secret;
}

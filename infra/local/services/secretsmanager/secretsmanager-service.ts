import * as z from 'zod';
import { ValidationError } from '../../../../shared/errors';
import { parseOrThrow } from '../../../../shared/validation';
import { AwsError, handleJsonRequest, type JsonOperationTable } from '../../protocol/aws-json';
import { StateFile } from '../../state-file';
import type {
  ApiCallRecord,
  LocalRequest,
  LocalResponse,
  LocalService,
  LocalServiceContext,
} from '../../types';
import {
  AWSCURRENT,
  epochSeconds,
  newVersionId,
  type SecretRecord,
  SecretStore,
  type SecretsState,
  type SecretValue,
} from './secret-store';

/**
 * Secrets Manager (awsJson 1.1, target prefix `secretsmanager`): secrets with versions and
 * staging labels, persisted in the data directory. Enough for Powertools' `getSecret` and for
 * rotating a Slack token or signing secret by hand.
 */

const DAY_MS = 86_400_000;

const secretName = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\w/+=.@-]+$/, 'must contain only alphanumeric characters and /_+=.@-');
const secretId = z.string().min(1).max(2048);
const token = z.string().min(32, 'must be 32-64 characters long').max(64, 'must be 32-64 characters long');
const stageLabel = z.string().min(1).max(256);
const value = {
  SecretString: z.string().max(65_536).optional(),
  SecretBinary: z.base64('must be base64').optional(),
};

const schemas = {
  CreateSecret: z.looseObject({
    Name: secretName,
    ClientRequestToken: token.optional(),
    Description: z.string().max(2048).optional(),
    KmsKeyId: z.string().max(2048).optional(),
    Tags: z
      .array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) }))
      .max(50)
      .optional(),
    ...value,
  }),
  PutSecretValue: z.looseObject({
    SecretId: secretId,
    ClientRequestToken: token.optional(),
    VersionStages: z.array(stageLabel).min(1).max(20).optional(),
    ...value,
  }),
  GetSecretValue: z.looseObject({
    SecretId: secretId,
    VersionId: token.optional(),
    VersionStage: stageLabel.optional(),
  }),
  DescribeSecret: z.looseObject({ SecretId: secretId }),
  UpdateSecretVersionStage: z.looseObject({
    SecretId: secretId,
    VersionStage: stageLabel,
    RemoveFromVersionId: token.optional(),
    MoveToVersionId: token.optional(),
  }),
  ListSecrets: z.looseObject({
    MaxResults: z.number().int().min(1).max(100).optional(),
    NextToken: z.string().optional(),
    IncludePlannedDeletion: z.boolean().optional(),
    SortOrder: z.enum(['asc', 'desc']).optional(),
    Filters: z
      .array(
        z.object({
          Key: z.enum([
            'description',
            'name',
            'tag-key',
            'tag-value',
            'primary-region',
            'owning-service',
            'all',
          ]),
          Values: z.array(z.string().min(1).max(512)).min(1).max(10),
        }),
      )
      .max(10)
      .optional(),
  }),
  DeleteSecret: z.looseObject({
    SecretId: secretId,
    RecoveryWindowInDays: z.number().int().optional(),
    ForceDeleteWithoutRecovery: z.boolean().optional(),
  }),
  RestoreSecret: z.looseObject({ SecretId: secretId }),
} as const;

function parse<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  try {
    return parseOrThrow(schema, input, `${operation} request`);
  } catch (error) {
    if (error instanceof ValidationError) throw new AwsError('InvalidParameterException', error.message);
    throw error;
  }
}

function secretValueOf(input: {
  SecretString?: string | undefined;
  SecretBinary?: string | undefined;
}): SecretValue | undefined {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw new AwsError(
      'InvalidParameterException',
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (input.SecretString !== undefined) return { secretString: input.SecretString };
  if (input.SecretBinary !== undefined) return { secretBinary: input.SecretBinary };
  return undefined;
}

/** ListSecrets filter semantics: prefix match, `!` negates, any value of a key may match. */
function matchesFilter(secret: SecretRecord, key: string, values: readonly string[]): boolean {
  const fields = (): string[] => {
    switch (key) {
      case 'name':
        return [secret.name];
      case 'description':
        return [secret.description ?? ''];
      case 'tag-key':
        return secret.tags.map((t) => t.Key);
      case 'tag-value':
        return secret.tags.map((t) => t.Value);
      case 'all':
        return [secret.name, secret.description ?? '', ...secret.tags.flatMap((t) => [t.Key, t.Value])];
      default:
        return [];
    }
  };
  return values.some((raw) => {
    const negated = raw.startsWith('!');
    const prefix = negated ? raw.slice(1) : raw;
    const hit = fields().some((f) => f.startsWith(prefix));
    return negated ? !hit : hit;
  });
}

const READ_ONLY = new Set(['GetSecretValue', 'DescribeSecret', 'ListSecrets']);

export class SecretsManagerService implements LocalService {
  readonly signingName = 'secretsmanager';
  private readonly file: StateFile<SecretsState>;
  private readonly store: SecretStore;

  constructor(private readonly context: LocalServiceContext) {
    this.file = new StateFile<SecretsState>(context.dataDir, 'secretsmanager', () => ({ secrets: [] }));
    this.store = new SecretStore(
      this.file.load(),
      `arn:aws:secretsmanager:${context.region}:${context.accountId}:secret:`,
    );
  }

  /** The full ARN (random suffix included) of a secret named or ARN-ed `secretId`, for IAM. */
  secretArn(secretId: string): string | undefined {
    return this.store.find(secretId)?.arn;
  }

  /** A secret's tags, for IAM's `aws:ResourceTag/<key>`; undefined when there is no such secret. */
  resourceTags(secretId: string): Record<string, string> | undefined {
    const tags = this.store.find(secretId)?.tags;
    return tags === undefined ? undefined : Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
  }

  handle(req: LocalRequest): Promise<LocalResponse> {
    if (this.store.purgeExpired(this.now())) this.save();
    return handleJsonRequest(req, {
      version: '1.1',
      targetPrefix: 'secretsmanager',
      operations: this.operations,
      isReadOnly: (op) => READ_ONLY.has(op),
      redact: (operation, input, output) => redact(operation, input, output),
    });
  }

  async close(): Promise<void> {
    this.save();
  }

  private now(): number {
    return this.context.now().getTime();
  }

  private save(): void {
    this.file.save(this.store.state);
  }

  private readonly operations: JsonOperationTable = {
    CreateSecret: (raw) => {
      const input = parse(schemas.CreateSecret, raw, 'CreateSecret');
      const { secret, version } = this.store.create(
        {
          name: input.Name,
          ...(input.Description === undefined ? {} : { description: input.Description }),
          ...(input.KmsKeyId === undefined ? {} : { kmsKeyId: input.KmsKeyId }),
          tags: input.Tags ?? [],
          token: input.ClientRequestToken ?? newVersionId(),
          ...(secretValueOf(input) === undefined ? {} : { value: secretValueOf(input) }),
        },
        this.now(),
      );
      this.save();
      return { ARN: secret.arn, Name: secret.name, VersionId: version?.versionId, ReplicationStatus: [] };
    },

    PutSecretValue: (raw) => {
      const input = parse(schemas.PutSecretValue, raw, 'PutSecretValue');
      const secretValue = secretValueOf(input);
      if (secretValue === undefined) {
        throw new AwsError(
          'InvalidParameterException',
          'You must provide either SecretString or SecretBinary.',
        );
      }
      const secret = this.store.getLive(input.SecretId);
      const version = this.store.putValue(
        secret,
        input.ClientRequestToken ?? newVersionId(),
        secretValue,
        input.VersionStages ?? [AWSCURRENT],
        this.now(),
      );
      this.save();
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        VersionStages: [...version.stages],
      };
    },

    GetSecretValue: (raw) => {
      const input = parse(schemas.GetSecretValue, raw, 'GetSecretValue');
      const secret = this.store.getLive(input.SecretId);
      const stage = input.VersionStage ?? (input.VersionId === undefined ? AWSCURRENT : undefined);
      const version =
        input.VersionId === undefined
          ? secret.versions.find((v) => stage !== undefined && v.stages.includes(stage))
          : secret.versions.find((v) => v.versionId === input.VersionId);
      if (version === undefined) {
        const what =
          input.VersionId === undefined ? `staging label: ${stage}` : `VersionId: ${input.VersionId}`;
        throw new AwsError(
          'ResourceNotFoundException',
          `Secrets Manager can't find the specified secret value for ${what}`,
        );
      }
      if (stage !== undefined && !version.stages.includes(stage)) {
        throw new AwsError(
          'InvalidRequestException',
          'You provided a VersionStage that is not associated to the provided VersionId.',
        );
      }
      const now = this.now();
      // AWS records the last access to the day only.
      secret.lastAccessedAt = now - (now % DAY_MS);
      this.save();
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        SecretString: version.secretString,
        SecretBinary: version.secretBinary,
        VersionStages: [...version.stages],
        CreatedDate: epochSeconds(version.createdAt),
      };
    },

    DescribeSecret: (raw) => {
      const input = parse(schemas.DescribeSecret, raw, 'DescribeSecret');
      const secret = this.store.get(input.SecretId);
      return { ...describe(secret), VersionIdsToStages: SecretStore.versionIdsToStages(secret) };
    },

    UpdateSecretVersionStage: (raw) => {
      const input = parse(schemas.UpdateSecretVersionStage, raw, 'UpdateSecretVersionStage');
      const secret = this.store.getLive(input.SecretId);
      this.store.updateStage(
        secret,
        input.VersionStage,
        input.RemoveFromVersionId,
        input.MoveToVersionId,
        this.now(),
      );
      this.save();
      return { ARN: secret.arn, Name: secret.name };
    },

    ListSecrets: (raw) => {
      const input = parse(schemas.ListSecrets, raw, 'ListSecrets');
      const start = input.NextToken === undefined ? 0 : Number.parseInt(input.NextToken, 10);
      if (!Number.isSafeInteger(start) || start < 0) {
        throw new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.');
      }
      const matching = this.store.state.secrets
        .filter((s) => input.IncludePlannedDeletion === true || s.deletedAt === undefined)
        .filter((s) => (input.Filters ?? []).every((f) => matchesFilter(s, f.Key, f.Values)))
        .sort((a, b) => (input.SortOrder === 'desc' ? b.createdAt - a.createdAt : a.createdAt - b.createdAt));
      const limit = input.MaxResults ?? 100;
      const page = matching.slice(start, start + limit);
      return {
        SecretList: page.map((s) => ({
          ...describe(s),
          SecretVersionsToStages: SecretStore.versionIdsToStages(s),
        })),
        NextToken: start + limit < matching.length ? String(start + limit) : undefined,
      };
    },

    DeleteSecret: (raw) => {
      const input = parse(schemas.DeleteSecret, raw, 'DeleteSecret');
      const window = input.RecoveryWindowInDays;
      if (window !== undefined && input.ForceDeleteWithoutRecovery === true) {
        throw new AwsError(
          'InvalidParameterException',
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        );
      }
      if (window !== undefined && (window < 7 || window > 30)) {
        throw new AwsError(
          'InvalidParameterException',
          'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
        );
      }
      const secret = this.store.get(input.SecretId);
      const now = this.now();
      if (input.ForceDeleteWithoutRecovery === true) {
        this.store.state.secrets = this.store.state.secrets.filter((s) => s !== secret);
        this.save();
        return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(now) };
      }
      if (secret.deletedAt !== undefined) {
        throw new AwsError(
          'InvalidRequestException',
          "You tried to perform the operation on a secret that's currently marked deleted.",
        );
      }
      secret.deletedAt = now;
      secret.deletionAt = now + (window ?? 30) * DAY_MS;
      this.save();
      return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(secret.deletionAt) };
    },

    RestoreSecret: (raw) => {
      const input = parse(schemas.RestoreSecret, raw, 'RestoreSecret');
      const secret = this.store.get(input.SecretId);
      delete secret.deletedAt;
      delete secret.deletionAt;
      secret.lastChangedAt = this.now();
      this.save();
      return { ARN: secret.arn, Name: secret.name };
    },
  };
}

/** The members DescribeSecret and ListSecrets share. */
function describe(secret: SecretRecord): Record<string, unknown> {
  return {
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    RotationEnabled: false,
    LastChangedDate: epochSeconds(secret.lastChangedAt),
    LastAccessedDate: epochSeconds(secret.lastAccessedAt),
    DeletedDate: epochSeconds(secret.deletedAt),
    Tags: secret.tags.length === 0 ? undefined : secret.tags,
    CreatedDate: epochSeconds(secret.createdAt),
  };
}

/** Keep secret values out of what CloudTrail records, as AWS does. */
function redact(operation: string, input: Record<string, unknown>, output: unknown): ApiCallRecord {
  const { SecretString: _s, SecretBinary: _b, ...requestParameters } = input;
  let responseElements: unknown = output ?? null;
  if (operation === 'GetSecretValue' && output !== null && typeof output === 'object') {
    const { SecretString: _os, SecretBinary: _ob, ...rest } = output as Record<string, unknown>;
    responseElements = rest;
  }
  return { eventName: operation, readOnly: READ_ONLY.has(operation), requestParameters, responseElements };
}

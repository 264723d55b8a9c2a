import { randomInt, randomUUID } from 'node:crypto';
import { AwsError } from '../../protocol/aws-json';

/**
 * Secrets Manager's data model and its rules: secrets, their versions and the staging labels
 * that say which version is current. Pure state manipulation; the service persists it.
 */

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';

/** Secrets Manager keeps at most this many versions; unlabelled (deprecated) ones go first. */
const MAX_VERSIONS = 100;

export interface SecretTag {
  readonly Key: string;
  readonly Value: string;
}

export interface SecretVersion {
  readonly versionId: string;
  stages: string[];
  readonly secretString?: string;
  /** Base64, as the JSON protocol carries blobs. */
  readonly secretBinary?: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

export interface SecretRecord {
  readonly arn: string;
  readonly name: string;
  description?: string;
  kmsKeyId?: string;
  tags: SecretTag[];
  readonly createdAt: number;
  lastChangedAt: number;
  lastAccessedAt?: number;
  /** Set when the secret is scheduled for deletion: when that was asked. */
  deletedAt?: number;
  /** When a scheduled deletion takes effect. */
  deletionAt?: number;
  /** In creation order. */
  versions: SecretVersion[];
}

export interface SecretsState {
  secrets: SecretRecord[];
}

export interface SecretValue {
  readonly secretString?: string;
  readonly secretBinary?: string;
}

const ARN_SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function arnSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += ARN_SUFFIX_ALPHABET[randomInt(ARN_SUFFIX_ALPHABET.length)];
  return suffix;
}

const notFound = () =>
  new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const markedForDeletion = () =>
  new AwsError(
    'InvalidRequestException',
    "You can't perform this operation on the secret because it was marked for deletion.",
  );

/** Epoch milliseconds as the JSON protocol's timestamp: epoch seconds. */
export const epochSeconds = (ms: number | undefined): number | undefined =>
  ms === undefined ? undefined : ms / 1000;

function sameValue(version: SecretVersion, value: SecretValue): boolean {
  return version.secretString === value.secretString && version.secretBinary === value.secretBinary;
}

/** Secrets of one account and region, with Secrets Manager's lookup and staging rules. */
export class SecretStore {
  constructor(
    readonly state: SecretsState,
    private readonly arnPrefix: string,
  ) {}

  /** Drop secrets whose recovery window has ended. */
  purgeExpired(now: number): boolean {
    const before = this.state.secrets.length;
    this.state.secrets = this.state.secrets.filter((s) => s.deletionAt === undefined || s.deletionAt > now);
    return this.state.secrets.length !== before;
  }

  /** Find by name, full ARN, or partial ARN (the ARN without its random suffix). */
  find(secretId: string): SecretRecord | undefined {
    return this.state.secrets.find(
      (s) =>
        s.name === secretId ||
        s.arn === secretId ||
        (secretId.startsWith('arn:') && s.arn.slice(0, -7) === secretId),
    );
  }

  get(secretId: string): SecretRecord {
    const secret = this.find(secretId);
    if (secret === undefined) throw notFound();
    return secret;
  }

  /** A secret that is not scheduled for deletion, for operations that refuse deleted ones. */
  getLive(secretId: string): SecretRecord {
    const secret = this.get(secretId);
    if (secret.deletedAt !== undefined) throw markedForDeletion();
    return secret;
  }

  /**
   * Create a secret, or recognise a retry of the same creation by its ClientRequestToken.
   * Returns the secret and the version created (or found), if a value was given.
   */
  create(
    input: {
      name: string;
      description?: string;
      kmsKeyId?: string;
      tags: SecretTag[];
      token: string;
      value?: SecretValue;
    },
    now: number,
  ): { secret: SecretRecord; version?: SecretVersion } {
    const existing = this.state.secrets.find((s) => s.name === input.name);
    if (existing !== undefined) {
      const retried = existing.versions.find((v) => v.versionId === input.token);
      if (retried !== undefined && input.value !== undefined) {
        this.assertSameContent(existing, retried, input.value);
        return { secret: existing, version: retried };
      }
      if (existing.deletedAt !== undefined) {
        throw new AwsError(
          'InvalidRequestException',
          "You can't create this secret because a secret with this name is already scheduled for deletion.",
        );
      }
      throw new AwsError(
        'ResourceExistsException',
        `The operation failed because the secret ${input.name} already exists.`,
      );
    }
    const secret: SecretRecord = {
      arn: `${this.arnPrefix}${input.name}-${arnSuffix()}`,
      name: input.name,
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.kmsKeyId === undefined ? {} : { kmsKeyId: input.kmsKeyId }),
      tags: input.tags,
      createdAt: now,
      lastChangedAt: now,
      versions: [],
    };
    this.state.secrets.push(secret);
    if (input.value === undefined) return { secret };
    return { secret, version: this.addVersion(secret, input.token, input.value, [AWSCURRENT], now) };
  }

  /**
   * Store a new version (PutSecretValue). A retry with the same token and content returns
   * the version it created; the same token with other content is refused.
   */
  putValue(
    secret: SecretRecord,
    token: string,
    value: SecretValue,
    stages: string[],
    now: number,
  ): SecretVersion {
    const retried = secret.versions.find((v) => v.versionId === token);
    if (retried !== undefined) {
      this.assertSameContent(secret, retried, value);
      return retried;
    }
    // The first version of a secret is always current, whatever labels were asked for.
    const labels =
      secret.versions.length === 0 && !stages.includes(AWSCURRENT) ? [...stages, AWSCURRENT] : stages;
    return this.addVersion(secret, token, value, labels, now);
  }

  /**
   * Move or remove one staging label (UpdateSecretVersionStage). A label attached elsewhere
   * must be named in RemoveFromVersionId; moving AWSCURRENT carries AWSPREVIOUS along.
   */
  updateStage(
    secret: SecretRecord,
    stage: string,
    removeFrom: string | undefined,
    moveTo: string | undefined,
    now: number,
  ): void {
    const holder = secret.versions.find((v) => v.stages.includes(stage));
    const version = (id: string) => {
      const found = secret.versions.find((v) => v.versionId === id);
      if (found === undefined) throw new AwsError('InvalidParameterException', `Not a valid version: ${id}`);
      return found;
    };
    const target = moveTo === undefined ? undefined : version(moveTo);
    if (removeFrom !== undefined) {
      const source = version(removeFrom);
      if (source !== holder) {
        throw new AwsError(
          'InvalidParameterException',
          `The staging label ${stage} is not attached to version ${removeFrom}, so you can't remove it.`,
        );
      }
    } else if (holder !== undefined && target !== holder) {
      throw new AwsError(
        'InvalidParameterException',
        `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ` +
          `${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
    if (stage === AWSCURRENT && target === undefined) {
      throw new AwsError(
        'InvalidParameterException',
        `You can only move staging label ${AWSCURRENT} to a different secret version. It can't be completely removed.`,
      );
    }
    if (target === undefined) {
      if (holder !== undefined) holder.stages = holder.stages.filter((s) => s !== stage);
    } else {
      this.attach(secret, target, [stage]);
    }
    secret.lastChangedAt = now;
  }

  /** Versions that carry at least one label, as DescribeSecret and ListSecrets show them. */
  static versionIdsToStages(secret: SecretRecord): Record<string, string[]> {
    return Object.fromEntries(
      secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.versionId, [...v.stages]]),
    );
  }

  private assertSameContent(secret: SecretRecord, version: SecretVersion, value: SecretValue): void {
    if (!sameValue(version, value)) {
      throw new AwsError(
        'ResourceExistsException',
        `You can't use ClientRequestToken ${version.versionId} because that value is already in use for a version of secret ${secret.arn}.`,
      );
    }
  }

  private addVersion(
    secret: SecretRecord,
    token: string,
    value: SecretValue,
    stages: string[],
    now: number,
  ): SecretVersion {
    const version: SecretVersion = { versionId: token, stages: [], ...value, createdAt: now };
    secret.versions.push(version);
    this.attach(secret, version, stages);
    secret.lastChangedAt = now;
    this.dropDeprecated(secret);
    return version;
  }

  /** Attach labels to a version, taking each from the version that had it. */
  private attach(secret: SecretRecord, target: SecretVersion, stages: readonly string[]): void {
    for (const stage of stages) {
      const holder = secret.versions.find((v) => v.stages.includes(stage));
      if (holder === target) continue;
      if (holder !== undefined) holder.stages = holder.stages.filter((s) => s !== stage);
      target.stages.push(stage);
      if (stage === AWSCURRENT && holder !== undefined) {
        // AWS moves AWSPREVIOUS to the version AWSCURRENT was taken from, and nowhere else.
        for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== AWSPREVIOUS);
        holder.stages.push(AWSPREVIOUS);
      }
    }
  }

  private dropDeprecated(secret: SecretRecord): void {
    while (secret.versions.length > MAX_VERSIONS) {
      const index = secret.versions.findIndex((v) => v.stages.length === 0);
      if (index < 0) return;
      secret.versions.splice(index, 1);
    }
  }
}

/** A fresh version id for requests that bring no ClientRequestToken (raw HTTP callers). */
export const newVersionId = (): string => randomUUID();

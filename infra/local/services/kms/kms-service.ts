import { randomBytes, randomUUID } from 'node:crypto';
import { AwsError, handleJsonRequest, type JsonOperationTable } from '../../protocol/aws-json';
import { StateFile } from '../../state-file';
import type {
  ApiCallRecord,
  CallerIdentity,
  LocalRequest,
  LocalResponse,
  LocalService,
  LocalServiceContext,
} from '../../types';
import { open, readHeader, seal } from './ciphertext';
import {
  authorize,
  defaultKeyPolicy,
  IAM_ALLOWS_EVERYTHING,
  type IdentityDecision,
  type KeyPolicy,
  parseKeyPolicy,
} from './key-policy';

/**
 * AWS KMS (awsJson 1.1, target prefix `TrentService`): symmetric customer managed keys with
 * aliases, key policies and real AES-256-GCM cryptography. Each key's secret material is
 * random, persisted in the data directory, and never leaves this service; ciphertext blobs name
 * their key, so Decrypt needs no KeyId. Every call on a key is authorized by the key policy
 * (see key-policy.ts), which defers to the caller's IAM policies where it names the account.
 *
 * Not emulated: asymmetric and HMAC keys, grants, multi-Region keys, imported key material,
 * custom key stores, automatic rotation of key material (the rotation flag is kept).
 */

const DAY_MS = 86_400_000;

interface KeyRecord {
  readonly keyId: string;
  readonly arn: string;
  readonly createdAt: number;
  description: string;
  state: 'Enabled' | 'Disabled' | 'PendingDeletion';
  deletionAt?: number;
  policy: string;
  /** Base64 AES-256 secrets; a blob names the index of the one that sealed it. */
  readonly materials: string[];
  rotationEnabled: boolean;
  readonly tags: { TagKey: string; TagValue: string }[];
}

interface AliasRecord {
  readonly name: string;
  targetKeyId: string;
  readonly createdAt: number;
}

interface KmsState {
  keys: KeyRecord[];
  aliases: AliasRecord[];
}

type Input = Record<string, unknown>;
type Context = Readonly<Record<string, string>>;

const READ_ONLY = new Set([
  'DescribeKey',
  'ListAliases',
  'ListKeys',
  'GetKeyPolicy',
  'GetKeyRotationStatus',
  'Encrypt',
  'Decrypt',
  'GenerateDataKey',
]);

function validation(member: string, constraint: string, value: unknown = null): AwsError {
  const shown = value === null ? 'null' : `'${String(value)}'`;
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

function requiredString(input: Input, name: string, max: number): string {
  const value = input[name];
  const member = name[0]?.toLowerCase() + name.slice(1);
  if (value === undefined || value === null) throw validation(member, 'Member must not be null');
  if (typeof value !== 'string') throw new AwsError('SerializationException', `${name} must be a string`);
  if (value.length < 1 || value.length > max) {
    throw validation(member, `Member must have length between 1 and ${max}`, value);
  }
  return value;
}

function optionalString(input: Input, name: string, max: number): string | undefined {
  return input[name] === undefined ? undefined : requiredString(input, name, max);
}

function blob(input: Input, name: string, max: number, required = true): Buffer | undefined {
  const value = input[name];
  const member = name[0]?.toLowerCase() + name.slice(1);
  if (value === undefined || value === null) {
    if (required) throw validation(member, 'Member must not be null');
    return undefined;
  }
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new AwsError('SerializationException', `${name} must be base64`);
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 1 || bytes.length > max) {
    throw validation(member, `Member must have length between 1 and ${max}`, '[blob]');
  }
  return bytes;
}

function encryptionContext(input: Input): Context {
  const value = input.EncryptionContext;
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new AwsError('SerializationException', 'EncryptionContext must be a map of strings');
  }
  for (const v of Object.values(value)) {
    if (typeof v !== 'string')
      throw new AwsError('SerializationException', 'EncryptionContext values must be strings');
  }
  return value as Context;
}

function algorithm(input: Input): void {
  const value = input.EncryptionAlgorithm;
  if (value !== undefined && value !== 'SYMMETRIC_DEFAULT') {
    throw new AwsError(
      'InvalidKeyUsageException',
      `The EncryptionAlgorithm ${String(value)} is not supported by a symmetric encryption KMS key`,
    );
  }
}

function tagsOf(value: unknown): { TagKey: string; TagValue: string }[] {
  if (value === undefined || value === null) return [];
  const valid =
    Array.isArray(value) &&
    value.length <= 50 &&
    value.every(
      (t: unknown) =>
        t !== null &&
        typeof t === 'object' &&
        typeof (t as { TagKey?: unknown }).TagKey === 'string' &&
        typeof (t as { TagValue?: unknown }).TagValue === 'string',
    );
  if (!valid) throw new AwsError('TagException', 'Tags must be at most 50 {TagKey, TagValue} string pairs');
  return (value as { TagKey: string; TagValue: string }[]).map((t) => ({
    TagKey: t.TagKey,
    TagValue: t.TagValue,
  }));
}

const epochSeconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export interface KmsServiceOptions {
  /** What the caller's IAM policies decide, where a key policy defers to them. */
  readonly identityDecision?: IdentityDecision;
}

export class KmsService implements LocalService {
  readonly signingName = 'kms';
  private readonly file: StateFile<KmsState>;
  private readonly state: KmsState;
  private readonly identity: IdentityDecision;

  constructor(
    private readonly context: LocalServiceContext,
    options: KmsServiceOptions = {},
  ) {
    this.file = new StateFile<KmsState>(context.dataDir, 'kms', () => ({ keys: [], aliases: [] }));
    this.state = this.file.load();
    this.identity = options.identityDecision ?? IAM_ALLOWS_EVERYTHING;
  }

  handle(req: LocalRequest): Promise<LocalResponse> {
    if (this.purgeDeleted()) this.save();
    return handleJsonRequest(req, {
      version: '1.1',
      targetPrefix: 'TrentService',
      operations: this.operations,
      isReadOnly: (op) => READ_ONLY.has(op),
      redact,
    });
  }

  async close(): Promise<void> {
    this.save();
  }

  private now(): number {
    return this.context.now().getTime();
  }

  private save(): void {
    this.file.save(this.state);
  }

  /** Keys whose deletion date passed are gone, with their aliases: their ciphertexts never open again. */
  private purgeDeleted(): boolean {
    const now = this.now();
    const gone = new Set(
      this.state.keys.filter((k) => k.deletionAt !== undefined && k.deletionAt <= now).map((k) => k.keyId),
    );
    if (gone.size === 0) return false;
    this.state.keys = this.state.keys.filter((k) => !gone.has(k.keyId));
    this.state.aliases = this.state.aliases.filter((a) => !gone.has(a.targetKeyId));
    return true;
  }

  private keyPrefix(): string {
    return `arn:aws:kms:${this.context.region}:${this.context.accountId}:`;
  }

  /** A key by id, key ARN, alias name or alias ARN, as every KeyId parameter takes it. */
  private resolve(keyId: string, allowAlias = true): KeyRecord {
    const prefix = this.keyPrefix();
    const local = keyId.startsWith('arn:')
      ? keyId.startsWith(prefix)
        ? keyId.slice(prefix.length)
        : ''
      : keyId;
    if (local.startsWith('alias/')) {
      if (!allowAlias) throw new AwsError('NotFoundException', `Invalid keyId '${keyId}'`);
      const alias = this.state.aliases.find((a) => a.name === local);
      const key =
        alias === undefined ? undefined : this.state.keys.find((k) => k.keyId === alias.targetKeyId);
      if (key === undefined) throw new AwsError('NotFoundException', `Alias ${prefix}${local} is not found.`);
      return key;
    }
    const id = local.startsWith('key/') ? local.slice(4) : keyId.startsWith('arn:') ? '' : local;
    if (!/^[0-9a-f-]{36}$/.test(id)) {
      if (keyId.startsWith('arn:') && !keyId.startsWith(prefix)) {
        throw new AwsError('NotFoundException', `Key '${keyId}' does not exist`);
      }
      throw new AwsError('NotFoundException', `Invalid keyId '${keyId}'`);
    }
    const key = this.state.keys.find((k) => k.keyId === id);
    if (key === undefined) throw new AwsError('NotFoundException', `Key '${prefix}key/${id}' does not exist`);
    return key;
  }

  private authorizeOn(key: KeyRecord, caller: CallerIdentity, action: string, context?: Context): void {
    const verdict = authorize(
      parseKeyPolicy(key.policy),
      {
        caller,
        action: `kms:${action}`,
        keyArn: key.arn,
        keyAccountId: this.context.accountId,
        ...(context === undefined ? {} : { encryptionContext: context }),
      },
      this.identity,
    );
    if (!verdict.allowed) {
      throw new AwsError(
        'AccessDeniedException',
        `User: ${caller.arn} is not authorized to perform: kms:${action} on resource: ${key.arn} ${verdict.why}`,
      );
    }
  }

  /** Only an enabled key encrypts or decrypts. */
  private usable(key: KeyRecord): void {
    if (key.state === 'Disabled') throw new AwsError('DisabledException', `${key.arn} is disabled.`);
    if (key.state === 'PendingDeletion') {
      throw new AwsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
    }
  }

  /** A new policy must still let the caller change it, unless the caller says otherwise (as KMS checks). */
  private checkLockout(policy: KeyPolicy, caller: CallerIdentity, bypass: unknown): void {
    if (bypass === true) return;
    const verdict = authorize(
      policy,
      { caller, action: 'kms:PutKeyPolicy', keyArn: '*', keyAccountId: this.context.accountId },
      this.identity,
    );
    if (!verdict.allowed) {
      throw new AwsError(
        'MalformedPolicyDocumentException',
        'The new key policy will not allow you to update the key policy in the future.',
      );
    }
  }

  private metadata(key: KeyRecord): Record<string, unknown> {
    return {
      AWSAccountId: this.context.accountId,
      KeyId: key.keyId,
      Arn: key.arn,
      CreationDate: epochSeconds(key.createdAt),
      Enabled: key.state === 'Enabled',
      Description: key.description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: key.state,
      DeletionDate: epochSeconds(key.deletionAt),
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    };
  }

  private encryptWith(key: KeyRecord, plaintext: Buffer, context: Context): Buffer {
    const material = key.materials.length - 1;
    return seal(
      { keyId: key.keyId, material },
      Buffer.from(key.materials[material] ?? '', 'base64'),
      plaintext,
      context,
    );
  }

  private readonly operations: JsonOperationTable = {
    CreateKey: (input, req) => {
      const keyUsage = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
      const keySpec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
      if (keyUsage !== 'ENCRYPT_DECRYPT' || keySpec !== 'SYMMETRIC_DEFAULT') {
        throw new AwsError(
          'UnsupportedOperationException',
          `local KMS creates only SYMMETRIC_DEFAULT ENCRYPT_DECRYPT keys, not ${String(keySpec)} ${String(keyUsage)}`,
        );
      }
      if (input.Origin !== undefined && input.Origin !== 'AWS_KMS') {
        throw new AwsError('UnsupportedOperationException', `local KMS supports only Origin AWS_KMS`);
      }
      const iam = this.identity(req.caller, 'kms:CreateKey', '*');
      if (iam !== 'allow') {
        throw new AwsError(
          'AccessDeniedException',
          `User: ${req.caller.arn} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`,
        );
      }
      const document = optionalString(input, 'Policy', 32_768) ?? defaultKeyPolicy(this.context.accountId);
      const policy = parseKeyPolicy(document);
      this.checkLockout(policy, req.caller, input.BypassPolicyLockoutSafetyCheck);
      const tags = tagsOf(input.Tags);
      const keyId = randomUUID();
      const key: KeyRecord = {
        keyId,
        arn: `${this.keyPrefix()}key/${keyId}`,
        createdAt: this.now(),
        description: optionalString(input, 'Description', 8192) ?? '',
        state: 'Enabled',
        policy: document,
        materials: [randomBytes(32).toString('base64')],
        rotationEnabled: false,
        tags,
      };
      this.state.keys.push(key);
      this.save();
      return { KeyMetadata: this.metadata(key) };
    },

    DescribeKey: (input, req) => {
      const key = this.resolve(requiredString(input, 'KeyId', 2048));
      this.authorizeOn(key, req.caller, 'DescribeKey');
      return { KeyMetadata: this.metadata(key) };
    },

    ListKeys: () => ({
      Keys: this.state.keys.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })),
      Truncated: false,
    }),

    CreateAlias: (input, req) => {
      const name = requiredString(input, 'AliasName', 256);
      if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name)) {
        throw validation(
          'aliasName',
          'Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$',
          name,
        );
      }
      if (name.startsWith('alias/aws/')) {
        throw new AwsError(
          'NotAuthorizedException',
          'Alias names that begin with alias/aws/ are reserved for AWS.',
        );
      }
      const key = this.resolve(requiredString(input, 'TargetKeyId', 2048), false);
      this.authorizeOn(key, req.caller, 'CreateAlias');
      if (key.state === 'PendingDeletion') {
        throw new AwsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
      }
      if (this.state.aliases.some((a) => a.name === name)) {
        throw new AwsError(
          'AlreadyExistsException',
          `An alias with the name ${this.keyPrefix()}${name} already exists`,
        );
      }
      this.state.aliases.push({ name, targetKeyId: key.keyId, createdAt: this.now() });
      this.save();
      return {};
    },

    DeleteAlias: (input, req) => {
      const name = requiredString(input, 'AliasName', 256);
      const alias = this.state.aliases.find((a) => a.name === name);
      if (alias === undefined) {
        throw new AwsError('NotFoundException', `Alias ${this.keyPrefix()}${name} is not found.`);
      }
      const key = this.resolve(alias.targetKeyId, false);
      this.authorizeOn(key, req.caller, 'DeleteAlias');
      this.state.aliases = this.state.aliases.filter((a) => a !== alias);
      this.save();
      return {};
    },

    ListAliases: (input, req) => {
      const target = optionalString(input, 'KeyId', 2048);
      const key = target === undefined ? undefined : this.resolve(target, false);
      if (key !== undefined) this.authorizeOn(key, req.caller, 'ListAliases');
      const limit = input.Limit === undefined ? 100 : Number(input.Limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw validation('limit', 'Member must have value between 1 and 100', input.Limit);
      }
      const start = input.Marker === undefined ? 0 : Number.parseInt(String(input.Marker), 10);
      if (!Number.isSafeInteger(start) || start < 0) {
        throw new AwsError('InvalidMarkerException', 'The marker is not valid.');
      }
      const matching = this.state.aliases
        .filter((a) => key === undefined || a.targetKeyId === key.keyId)
        .sort((a, b) => a.name.localeCompare(b.name));
      const page = matching.slice(start, start + limit);
      const truncated = start + limit < matching.length;
      return {
        Aliases: page.map((a) => ({
          AliasName: a.name,
          AliasArn: `${this.keyPrefix()}${a.name}`,
          TargetKeyId: a.targetKeyId,
          CreationDate: epochSeconds(a.createdAt),
        })),
        Truncated: truncated,
        ...(truncated ? { NextMarker: String(start + limit) } : {}),
      };
    },

    Encrypt: (input, req) => {
      const key = this.resolve(requiredString(input, 'KeyId', 2048));
      const plaintext = blob(input, 'Plaintext', 4096) as Buffer;
      const context = encryptionContext(input);
      algorithm(input);
      this.authorizeOn(key, req.caller, 'Encrypt', context);
      this.usable(key);
      return {
        CiphertextBlob: this.encryptWith(key, plaintext, context).toString('base64'),
        KeyId: key.arn,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },

    GenerateDataKey: (input, req) => {
      const key = this.resolve(requiredString(input, 'KeyId', 2048));
      const spec = input.KeySpec;
      const count = input.NumberOfBytes;
      if ((spec === undefined) === (count === undefined)) {
        throw new AwsError('ValidationException', 'Please specify either number of bytes or key spec.');
      }
      if (spec !== undefined && spec !== 'AES_256' && spec !== 'AES_128') {
        throw validation('keySpec', 'Member must satisfy enum value set: [AES_256, AES_128]', spec);
      }
      if (count !== undefined && (!Number.isInteger(count) || Number(count) < 1 || Number(count) > 1024)) {
        throw validation('numberOfBytes', 'Member must have value between 1 and 1024', count);
      }
      const context = encryptionContext(input);
      this.authorizeOn(key, req.caller, 'GenerateDataKey', context);
      this.usable(key);
      const plaintext = randomBytes(spec === 'AES_128' ? 16 : spec === 'AES_256' ? 32 : Number(count));
      return {
        CiphertextBlob: this.encryptWith(key, plaintext, context).toString('base64'),
        Plaintext: plaintext.toString('base64'),
        KeyId: key.arn,
      };
    },

    Decrypt: (input, req) => {
      const ciphertext = blob(input, 'CiphertextBlob', 6144) as Buffer;
      const context = encryptionContext(input);
      algorithm(input);
      const header = readHeader(ciphertext);
      const key = header === undefined ? undefined : this.state.keys.find((k) => k.keyId === header.keyId);
      // A blob that names no key of this account and region cannot be opened: KMS says no more.
      if (header === undefined || key === undefined) throw new AwsError('InvalidCiphertextException', '');
      const named = optionalString(input, 'KeyId', 2048);
      if (named !== undefined && this.resolve(named).keyId !== key.keyId) {
        throw new AwsError(
          'IncorrectKeyException',
          'The key ID in the request does not identify a KMS key that can perform this operation.',
        );
      }
      this.authorizeOn(key, req.caller, 'Decrypt', context);
      this.usable(key);
      const material = key.materials[header.material];
      const plaintext =
        material === undefined ? undefined : open(ciphertext, Buffer.from(material, 'base64'), context);
      if (plaintext === undefined) throw new AwsError('InvalidCiphertextException', '');
      return {
        KeyId: key.arn,
        Plaintext: plaintext.toString('base64'),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },

    GetKeyPolicy: (input, req) => {
      const key = this.resolve(requiredString(input, 'KeyId', 2048), false);
      this.authorizeOn(key, req.caller, 'GetKeyPolicy');
      const name = input.PolicyName ?? 'default';
      if (name !== 'default')
        throw new AwsError('NotFoundException', `No such policy exists: ${String(name)}`);
      return { Policy: key.policy, PolicyName: 'default' };
    },

    PutKeyPolicy: (input, req) => {
      const key = this.resolve(requiredString(input, 'KeyId', 2048), false);
      const name = input.PolicyName ?? 'default';
      if (name !== 'default') throw validation('policyName', 'Member must be default', name);
      const document = requiredString(input, 'Policy', 32_768);
      this.authorizeOn(key, req.caller, 'PutKeyPolicy');
      const policy = parseKeyPolicy(document);
      this.checkLockout(policy, req.caller, input.BypassPolicyLockoutSafetyCheck);
      key.policy = document;
      this.save();
      return {};
    },

    EnableKey: (input, req) => this.setState(input, req, 'EnableKey', 'Enabled'),
    DisableKey: (input, req) => this.setState(input, req, 'DisableKey', 'Disabled'),

    EnableKeyRotation: (input, req) => {
      const key = this.resolve(requiredString(input, 'KeyId', 2048), false);
      this.authorizeOn(key, req.caller, 'EnableKeyRotation');
      this.usable(key);
      key.rotationEnabled = true;
      this.save();
      return {};
    },

    GetKeyRotationStatus: (input, req) => {
      const key = this.resolve(requiredString(input, 'KeyId', 2048), false);
      this.authorizeOn(key, req.caller, 'GetKeyRotationStatus');
      return { KeyRotationEnabled: key.rotationEnabled, KeyId: key.arn, RotationPeriodInDays: 365 };
    },

    ScheduleKeyDeletion: (input, req) => {
      const key = this.resolve(requiredString(input, 'KeyId', 2048), false);
      const days = input.PendingWindowInDays === undefined ? 30 : Number(input.PendingWindowInDays);
      if (!Number.isInteger(days) || days < 7 || days > 30) {
        throw validation(
          'pendingWindowInDays',
          'Member must have value between 7 and 30',
          input.PendingWindowInDays,
        );
      }
      this.authorizeOn(key, req.caller, 'ScheduleKeyDeletion');
      if (key.state === 'PendingDeletion') {
        throw new AwsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
      }
      key.state = 'PendingDeletion';
      key.deletionAt = this.now() + days * DAY_MS;
      this.save();
      return {
        KeyId: key.arn,
        DeletionDate: epochSeconds(key.deletionAt),
        KeyState: 'PendingDeletion',
        PendingWindowInDays: days,
      };
    },

    CancelKeyDeletion: (input, req) => {
      const key = this.resolve(requiredString(input, 'KeyId', 2048), false);
      this.authorizeOn(key, req.caller, 'CancelKeyDeletion');
      if (key.state !== 'PendingDeletion') {
        throw new AwsError('KMSInvalidStateException', `${key.arn} is not pending deletion.`);
      }
      // KMS leaves a key whose deletion was cancelled disabled.
      key.state = 'Disabled';
      delete key.deletionAt;
      this.save();
      return { KeyId: key.arn };
    },
  };

  private setState(input: Input, req: LocalRequest, action: string, state: 'Enabled' | 'Disabled'): unknown {
    const key = this.resolve(requiredString(input, 'KeyId', 2048), false);
    this.authorizeOn(key, req.caller, action);
    if (key.state === 'PendingDeletion') {
      throw new AwsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
    }
    key.state = state;
    this.save();
    return {};
  }
}

/** Keep plaintexts and ciphertexts out of what CloudTrail records, as AWS does. */
function redact(operation: string, input: Record<string, unknown>, output: unknown): ApiCallRecord {
  const { Plaintext: _p, CiphertextBlob: _c, ...requestParameters } = input;
  let responseElements: unknown = output ?? null;
  if (output !== null && typeof output === 'object') {
    const { Plaintext: _op, CiphertextBlob: _oc, ...rest } = output as Record<string, unknown>;
    responseElements = rest;
  }
  return { eventName: operation, readOnly: READ_ONLY.has(operation), requestParameters, responseElements };
}

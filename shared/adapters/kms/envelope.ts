import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { BadRequestError, ForbiddenError, NotFoundError, ThrottledError } from '../../errors';
import { awsErrorTranslator } from '../aws-errors';

/**
 * Envelope encryption with KMS: GenerateDataKey gives a fresh AES-256 key per secret, the
 * secret is sealed here with AES-256-GCM, and only the KMS-encrypted data key is kept with it.
 * The plaintext data key lives only for the call. The encryption context is bound twice: KMS
 * binds it to the data key (Decrypt with another context fails), and it is the GCM additional
 * data, so a sealed value moved to another record never opens.
 *
 * Envelope rather than KMS Encrypt: a PEM private key (RSA 4096 is over 3 KB) comes close to
 * Encrypt's 4 KB limit, and the plaintext never travels to KMS, only a 32-byte key does.
 */

/** What is stored: all base64, never the plaintext. */
export interface SealedValue {
  /** The KMS key that encrypted the data key (its ARN, as KMS reports it). */
  readonly keyArn: string;
  readonly encryptedDataKey: string;
  readonly iv: string;
  readonly tag: string;
  readonly ciphertext: string;
  readonly algorithm: 'AES-256-GCM';
}

/** Binds a sealed value to what it belongs to; KMS keeps it with the data key and logs it in CloudTrail. */
export type EncryptionContext = Readonly<Record<string, string>>;

const kmsError = awsErrorTranslator({
  NotFoundException: NotFoundError,
  InvalidCiphertextException: BadRequestError,
  IncorrectKeyException: BadRequestError,
  InvalidKeyUsageException: BadRequestError,
  DisabledException: BadRequestError,
  KMSInvalidStateException: BadRequestError,
  ValidationException: BadRequestError,
  AccessDeniedException: ForbiddenError,
  ThrottlingException: ThrottledError,
});

/** The AAD: the context in a canonical order, so the order its keys were written in does not matter. */
function additionalData(context: EncryptionContext): Buffer {
  return Buffer.from(
    JSON.stringify(
      Object.keys(context)
        .sort()
        .map((k) => [k, context[k]]),
    ),
  );
}

export class KmsEnvelope {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  async seal(plaintext: Buffer, context: EncryptionContext): Promise<SealedValue> {
    let dataKey: Uint8Array | undefined;
    try {
      const out = await this.kms.send(
        new GenerateDataKeyCommand({
          KeyId: this.keyId,
          KeySpec: 'AES_256',
          EncryptionContext: { ...context },
        }),
      );
      dataKey = out.Plaintext;
      if (dataKey === undefined || out.CiphertextBlob === undefined || out.KeyId === undefined) {
        throw new Error('KMS GenerateDataKey answered without a data key');
      }
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
      cipher.setAAD(additionalData(context));
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return {
        keyArn: out.KeyId,
        encryptedDataKey: Buffer.from(out.CiphertextBlob).toString('base64'),
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        ciphertext: ciphertext.toString('base64'),
        algorithm: 'AES-256-GCM',
      };
    } catch (error) {
      throw kmsError(error, `KMS GenerateDataKey with ${this.keyId}`);
    } finally {
      dataKey?.fill(0);
    }
  }

  /** The plaintext; throws BadRequestError when the value was changed or belongs to another context. */
  async open(sealed: SealedValue, context: EncryptionContext): Promise<Buffer> {
    let dataKey: Uint8Array | undefined;
    try {
      const out = await this.kms.send(
        new DecryptCommand({
          // Named, so a value sealed under another key is refused rather than opened with it.
          KeyId: this.keyId,
          CiphertextBlob: Buffer.from(sealed.encryptedDataKey, 'base64'),
          EncryptionContext: { ...context },
        }),
      );
      dataKey = out.Plaintext;
      if (dataKey === undefined) throw new Error('KMS Decrypt answered without a plaintext');
      const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(additionalData(context));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
      } catch (error) {
        throw new BadRequestError('the sealed value was changed: its authentication tag does not match', {
          cause: error,
        });
      }
    } catch (error) {
      throw kmsError(error, `KMS Decrypt with ${this.keyId}`);
    } finally {
      dataKey?.fill(0);
    }
  }
}

/** The KMS client the functions share: adaptive retries, like the other adapters. */
export function createKmsClient(config: KMSClientConfig = {}): KMSClient {
  return new KMSClient({ retryMode: 'adaptive', ...config });
}

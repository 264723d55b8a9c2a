import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * The ciphertext blobs local KMS hands out: opaque to callers, like AWS's, and carrying the id
 * of the key (and which of its key materials) that sealed them, so Decrypt needs no KeyId.
 *
 * Layout: version (1 byte) | key id length (1) | key id (UTF-8) | material index (1) |
 * IV (12) | GCM tag (16) | ciphertext. AES-256-GCM with the encryption context as additional
 * authenticated data: another context, a changed byte or a blob of another key fails to open.
 */

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What a blob says about itself before it is opened. */
export interface BlobHeader {
  readonly keyId: string;
  readonly material: number;
}

/** The encryption context as AAD: canonical (sorted keys), so the caller's key order does not matter. */
function contextBytes(context: Readonly<Record<string, string>>): Buffer {
  const sorted = Object.keys(context)
    .sort()
    .map((k) => [k, context[k]]);
  return Buffer.from(JSON.stringify(sorted), 'utf8');
}

export function seal(
  header: BlobHeader,
  secret: Buffer,
  plaintext: Buffer,
  context: Readonly<Record<string, string>>,
): Buffer {
  const keyId = Buffer.from(header.keyId, 'utf8');
  const prefix = Buffer.concat([Buffer.from([VERSION, keyId.length]), keyId, Buffer.from([header.material])]);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', secret, iv);
  // The header is authenticated too: a blob re-labelled with another key id fails to open.
  cipher.setAAD(Buffer.concat([prefix, contextBytes(context)]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([prefix, iv, cipher.getAuthTag(), body]);
}

/** The key a blob names, or undefined when it is not a local KMS blob at all. */
export function readHeader(blob: Buffer): (BlobHeader & { readonly prefixLength: number }) | undefined {
  if (blob.length < 2 || blob[0] !== VERSION) return undefined;
  const idLength = blob[1] ?? 0;
  const prefixLength = 2 + idLength + 1;
  if (idLength === 0 || blob.length < prefixLength + IV_BYTES + TAG_BYTES) return undefined;
  return {
    keyId: blob.subarray(2, 2 + idLength).toString('utf8'),
    material: blob[2 + idLength] ?? 0,
    prefixLength,
  };
}

/** The plaintext, or undefined when the blob, the secret or the context does not match. */
export function open(
  blob: Buffer,
  secret: Buffer,
  context: Readonly<Record<string, string>>,
): Buffer | undefined {
  const header = readHeader(blob);
  if (header === undefined) return undefined;
  const prefix = blob.subarray(0, header.prefixLength);
  const iv = blob.subarray(header.prefixLength, header.prefixLength + IV_BYTES);
  const tag = blob.subarray(header.prefixLength + IV_BYTES, header.prefixLength + IV_BYTES + TAG_BYTES);
  const body = blob.subarray(header.prefixLength + IV_BYTES + TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', secret, iv);
    decipher.setAAD(Buffer.concat([prefix, contextBytes(context)]));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}

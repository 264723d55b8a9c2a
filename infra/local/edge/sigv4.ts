import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** The parts of an `AWS4-HMAC-SHA256` Authorization header. */
export interface SigV4Authorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

/** Parse an Authorization header, or return undefined when it is not a SigV4 header. */
export function parseAuthorization(header: string | undefined): SigV4Authorization | undefined {
  const match = header === undefined ? null : AUTH_PATTERN.exec(header.trim());
  if (match === null) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  return {
    accessKeyId: accessKeyId as string,
    date: date as string,
    region: region as string,
    service: service as string,
    signedHeaders: (signedHeaders as string).split(';'),
    signature: signature as string,
  };
}

/** `20260101T120000Z` -> Date */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
}

export interface SignedRequest {
  readonly method: string;
  /** The path exactly as it arrived on the wire (still percent-encoded). */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export type VerifyResult =
  | { ok: true }
  | { ok: false; code: 'SignatureDoesNotMatch' | 'RequestExpired'; message: string };

/** AWS refuses requests whose signing time is more than 15 minutes away from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

const CONTENT_SHA256 = 'x-amz-content-sha256';

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.';

/** Hex SHA-256 of the bytes that arrived: the only payload hash a signature can vouch for. */
function payloadHash(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Recompute the request's signature with the caller's secret and compare it in constant
 * time. Uses the SDK's own signer, so the canonical request is built exactly as clients
 * build it, but over the hash of the body that arrived: `x-amz-content-sha256` is only a claim.
 * A claim that differs from the body (a body swapped after signing, or `UNSIGNED-PAYLOAD`,
 * which only S3 honours; none of the services here does) fails the signature, as in AWS.
 */
export async function verifySignature(
  req: SignedRequest,
  auth: SigV4Authorization,
  secretAccessKey: string,
  now: Date,
): Promise<VerifyResult> {
  const amzDate = req.headers['x-amz-date'];
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (signingDate === undefined) {
    return { ok: false, code: 'SignatureDoesNotMatch', message: 'Missing or malformed X-Amz-Date header' };
  }
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
    return {
      ok: false,
      code: 'RequestExpired',
      message: `Signature expired: ${amzDate} is now earlier or later than allowed`,
    };
  }
  const bodyHash = payloadHash(req.body);
  const claimed = req.headers[CONTENT_SHA256];
  // Compared exactly: the signer then finds the same value in the header as in the body.
  if (claimed !== undefined && claimed !== bodyHash) {
    return { ok: false, code: 'SignatureDoesNotMatch', message: SIGNATURE_MISMATCH };
  }
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(req.query.keys())) {
    const values = req.query.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const request = new HttpRequest({
    method: req.method,
    protocol: 'http:',
    hostname: (req.headers.host ?? 'localhost').split(':')[0] ?? 'localhost',
    // Clients sign the already-encoded path; the signer escapes it once more, as AWS does.
    path: req.rawPath === '' ? '/' : req.rawPath,
    query,
    headers,
    // The bytes as received (not re-decoded text), so the signer hashes exactly what arrived.
    body: req.body.length > 0 ? new Uint8Array(req.body) : undefined,
  });
  const signed = await signer.sign(request, {
    signingDate,
    signableHeaders: new Set(auth.signedHeaders),
    unsignableHeaders: new Set(),
  });
  const authorization = String(signed.headers.authorization ?? signed.headers.Authorization ?? '');
  const expected = /Signature=([0-9a-f]{64})/.exec(authorization)?.[1] ?? '';
  const a = Buffer.from(expected);
  const b = Buffer.from(auth.signature);
  if (a.length === b.length && timingSafeEqual(a, b)) return { ok: true };
  return { ok: false, code: 'SignatureDoesNotMatch', message: SIGNATURE_MISMATCH };
}

import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { X509Certificate } from '../x509';
import { dnsNamesOf, parseCertificate, parseCertificates } from './pem';

/** Why an issued certificate must not be delivered, or undefined when it may. */
export interface VerificationInput {
  readonly certificatePem: string;
  readonly chainPem: string;
  /** The issuing CA's own certificate, fetched from the CA (the trust anchor, not the returned chain). */
  readonly caCertificatePem: string;
  /** The key the certificate must be for; absent when ACM made and keeps the key. */
  readonly privateKeyPem?: string;
  readonly expectedSans: readonly string[];
  readonly now: Date;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const sa = [...new Set(a.map((n) => n.toLowerCase()))].sort();
  const sb = [...new Set(b.map((n) => n.toLowerCase()))].sort();
  return sa.length === sb.length && sa.every((n, i) => n === sb[i]);
}

async function signedBy(child: X509Certificate, parent: X509Certificate): Promise<boolean> {
  try {
    return await child.verify({ publicKey: parent.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

/**
 * Check an issued certificate before it is delivered: it is for our key (when we made it), it carries exactly
 * the expected DNS names, it is valid now, and it chains up to the issuing CA's certificate.
 * A wrong certificate is never delivered, so every failure is a reason string, not a warning.
 */
export async function verifyIssued(input: VerificationInput): Promise<string | undefined> {
  let leaf: X509Certificate;
  let chain: X509Certificate[];
  let anchor: X509Certificate;
  try {
    leaf = await parseCertificate(input.certificatePem);
    chain = input.chainPem.trim() === '' ? [] : await parseCertificates(input.chainPem);
    anchor = await parseCertificate(input.caCertificatePem);
  } catch (error) {
    return `the issued certificate or chain cannot be parsed: ${(error as Error).message}`;
  }
  if (input.privateKeyPem !== undefined) {
    const ours = createPublicKey(createPrivateKey(input.privateKeyPem)).export({
      type: 'spki',
      format: 'der',
    });
    if (!ours.equals(Buffer.from(leaf.publicKey.rawData))) return 'the certificate is not for the new key';
  }
  const names = dnsNamesOf(leaf);
  if (!sameNames(names, input.expectedSans))
    return `wrong subject alternative names: got [${names.join(', ')}], expected [${input.expectedSans.join(', ')}]`;
  const now = input.now.getTime();
  if (leaf.notBefore.getTime() > now || leaf.notAfter.getTime() <= now)
    return `the certificate is not valid now (${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()})`;
  // Walk leaf -> chain until a certificate signed by the anchor; the anchor itself may be in the chain.
  let child = leaf;
  for (const link of [undefined, ...chain]) {
    if (link !== undefined) {
      if (!(await signedBy(child, link))) return `the chain is broken at "${child.subject}"`;
      child = link;
    }
    if (child.equal(anchor) || (await signedBy(child, anchor))) return undefined;
  }
  return `the certificate does not chain up to the issuing CA "${anchor.subject}"`;
}

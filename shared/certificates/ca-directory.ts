import { NotFoundError } from '../errors';
import type { CertificateAuthority, CertificateAuthorityState } from '../ports';
import { parseCertificate } from './pem';
import { retryThrottled } from './retry';

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Normalised distinguished name: attributes trimmed and sorted, so formatting differences do not matter. */
export function normaliseDn(dn: string): string {
  return dn
    .split(/,(?=\s*[A-Za-z0-9.]+=)/)
    .map((part) => part.trim().toLowerCase())
    .sort()
    .join(',');
}

/**
 * The private CAs one run deals with, each described once (DescribeCertificateAuthority and
 * GetCertificateAuthorityCertificate are per CA, not per certificate).
 */
export class CaDirectory {
  private readonly states = new Map<string, Promise<CertificateAuthorityState | undefined>>();

  constructor(
    private readonly authorities: CertificateAuthority,
    private readonly sleep: (ms: number) => Promise<void> = wait,
  ) {}

  /** The CA's state, or undefined when it does not exist. */
  get(caArn: string): Promise<CertificateAuthorityState | undefined> {
    let state = this.states.get(caArn);
    if (state === undefined) {
      state = retryThrottled(() => this.authorities.describe(caArn), this.sleep).catch((error: unknown) => {
        if (error instanceof NotFoundError) return undefined;
        this.states.delete(caArn);
        throw error;
      });
      this.states.set(caArn, state);
    }
    return state;
  }

  /**
   * Which of `candidates` issued a certificate with this issuer name (the subject of the CA
   * certificate, or its common name, which is how ACM reports some issuers).
   */
  async issuerOf(issuer: string, candidates: Iterable<string>): Promise<string | undefined> {
    const wanted = normaliseDn(issuer);
    for (const arn of candidates) {
      const state = await this.get(arn);
      if (state === undefined || state.certificatePem === '') continue;
      const ca = await parseCertificate(state.certificatePem);
      const cn = ca.subjectName.getField('CN')[0];
      if (
        normaliseDn(ca.subject) === wanted ||
        (cn !== undefined && cn.toLowerCase() === issuer.toLowerCase())
      )
        return arn;
    }
    return undefined;
  }
}

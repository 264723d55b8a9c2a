import type { PendingKeyRef, PendingKeyVault } from '../../shared/ports';

/**
 * The CLI's pending keys: held in this process only. The KMS key that seals them in the table
 * is usable by the rotation function's role alone, not by the person at the terminal, so a
 * key made by `certs rotate` never leaves the process. A run that stops midway leaves a
 * rotation whose key is gone: the next run refuses it as abandoned and starts a fresh one.
 */
export class InProcessPendingKeyVault implements PendingKeyVault {
  private readonly keys = new Map<string, { readonly pem: string; readonly expiresAt: number }>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** How many keys are held. */
  get size(): number {
    return this.keys.size;
  }

  private id(ref: PendingKeyRef): string {
    return `${ref.recordKey}|${ref.rotationId}`;
  }

  async keep(ref: PendingKeyRef, privateKeyPem: string, expiresAt: Date): Promise<void> {
    this.keys.set(this.id(ref), { pem: privateKeyPem, expiresAt: expiresAt.getTime() });
  }

  async open(ref: PendingKeyRef): Promise<string | undefined> {
    const kept = this.keys.get(this.id(ref));
    if (kept === undefined || kept.expiresAt <= this.now().getTime()) return undefined;
    return kept.pem;
  }

  async discard(ref: PendingKeyRef): Promise<void> {
    this.keys.delete(this.id(ref));
  }
}

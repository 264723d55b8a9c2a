/**
 * Envoy's part in tests: what the App Mesh Envoy does to serve a listener whose TLS certificate
 * is an ACM certificate. It calls ACM ExportCertificate with the listener's ARN and a
 * passphrase of its own, decrypts the key, and loads the certificate, its chain and key. ACM
 * refuses ExportCertificate for an imported certificate, so a listener on one serves nothing.
 */
import { createPrivateKey, createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import { type ACMClient, ExportCertificateCommand } from '@aws-sdk/client-acm';
import type { MeshSnapshot } from '../../shared/domain/snapshot';

/** What Envoy loaded for one listener. */
export interface LoadedListenerCertificate {
  readonly certificateArn: string;
  readonly certificate: X509Certificate;
  readonly chain: readonly X509Certificate[];
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Load a listener's ACM certificate as Envoy does, or throw saying why Envoy could not: ACM's
 * error, an unparsable certificate or chain, a key that does not match, a certificate not valid now.
 */
export async function envoyLoadsListenerCertificate(
  acm: ACMClient,
  certificateArn: string,
  now: Date = new Date(),
): Promise<LoadedListenerCertificate> {
  const passphrase = randomBytes(16).toString('hex');
  let exported: { Certificate?: string; CertificateChain?: string; PrivateKey?: string };
  try {
    exported = await acm.send(
      new ExportCertificateCommand({
        CertificateArn: certificateArn,
        Passphrase: new TextEncoder().encode(passphrase),
      }),
    );
  } catch (error) {
    const e = error as Error;
    throw new Error(`Envoy cannot export ${certificateArn}: ${e.name}: ${e.message}`);
  }
  const certificate = new X509Certificate(exported.Certificate ?? '');
  const chain = (exported.CertificateChain?.match(PEM_BLOCK) ?? []).map((pem) => new X509Certificate(pem));
  const key = createPrivateKey({ key: exported.PrivateKey ?? '', passphrase });
  const ours = createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (!ours.equals(certificate.publicKey.export({ type: 'spki', format: 'der' })))
    throw new Error(`Envoy cannot load ${certificateArn}: the exported key is not the certificate's`);
  const t = now.getTime();
  if (Date.parse(certificate.validFrom) > t || Date.parse(certificate.validTo) <= t)
    throw new Error(`Envoy cannot load ${certificateArn}: not valid now (${certificate.validTo})`);
  for (const [i, link] of chain.entries()) {
    const child = i === 0 ? certificate : chain[i - 1];
    if (child !== undefined && !child.verify(link.publicKey))
      throw new Error(`Envoy cannot load ${certificateArn}: its chain is broken at ${child.subject}`);
  }
  return { certificateArn, certificate, chain };
}

/** Every ACM certificate the listeners of a mesh name, with the resource and port that serves it. */
export function listenerCertificateArns(snapshot: MeshSnapshot): { where: string; arn: string }[] {
  return [...snapshot.virtualNodes, ...snapshot.virtualGateways].flatMap((resource) =>
    (resource.spec.listeners ?? []).flatMap((listener) =>
      listener.tls && 'acm' in listener.tls.certificate
        ? [
            {
              where: `${resource.kind} ${resource.name}:${listener.portMapping.port}`,
              arn: listener.tls.certificate.acm.certificateArn,
            },
          ]
        : [],
    ),
  );
}

/** What each listener of the mesh serves, as Envoy would load it: `where -> loaded` or `where -> why not`. */
export async function envoyLoadsEveryListener(
  acm: ACMClient,
  snapshot: MeshSnapshot,
): Promise<Record<string, LoadedListenerCertificate | string>> {
  const loaded: Record<string, LoadedListenerCertificate | string> = {};
  for (const { where, arn } of listenerCertificateArns(snapshot)) {
    try {
      loaded[where] = await envoyLoadsListenerCertificate(acm, arn);
    } catch (error) {
      loaded[where] = (error as Error).message;
    }
  }
  return loaded;
}

import {
  AcmPcaCertificateAuthority,
  createAcmPcaClient,
} from '../../../shared/adapters/acm-pca/certificate-authority';
import { createKeyAndCsr } from '../../../shared/certificates/key-and-csr';
import { NotFoundError } from '../../../shared/errors';

/**
 * Bundled like a function (test/integration/certificates/bundled-acm-pca.test.ts): the ACM PCA
 * adapter as the cert-rotation bundle holds it, run against local AWS in a process of its own.
 */
export async function handler(): Promise<unknown> {
  const ca = new AcmPcaCertificateAuthority(createAcmPcaClient());
  const [caArn] = await ca.listCertificateAuthorities();
  if (caArn === undefined) throw new Error('local AWS has no CA');
  const described = await ca.describe(caArn);
  const { csrPem } = await createKeyAndCsr('EC_prime256v1', ['web.prod.local']);
  const certificateArn = await ca.issue({
    caArn,
    csrPem,
    signingAlgorithm: described.signingAlgorithm,
    templateArn: 'arn:aws:acm-pca:::template/EndEntityCertificate/V1',
    validityDays: 30,
    idempotencyToken: 'bundled',
  });
  let issued = await ca.fetch(caArn, certificateArn);
  for (let i = 0; issued === undefined && i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    issued = await ca.fetch(caArn, certificateArn);
  }
  let missing: string;
  try {
    await ca.describe(`${caArn.slice(0, -4)}ffff`);
    missing = 'found';
  } catch (error) {
    missing = error instanceof NotFoundError ? 'NotFoundError' : String(error);
  }
  return {
    status: described.status,
    caCertificate: described.certificatePem.startsWith('-----BEGIN CERTIFICATE-----'),
    issued: issued?.certificatePem.startsWith('-----BEGIN CERTIFICATE-----') ?? false,
    missing,
  };
}

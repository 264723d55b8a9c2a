import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import { factsOf, parseCertificate } from '../../certificates/pem';
import { BadRequestError, NotFoundError } from '../../errors';
import type {
  CertificateBundle,
  CertificateLocation,
  CertificateStore,
  StoredCertificate,
} from '../../ports';
import * as z from '../../schema';
import { certificateServiceError } from '../acm-pca/errors';

export function createCertificateSecretsClient(
  config: SecretsManagerClientConfig = {},
): SecretsManagerClient {
  return new SecretsManagerClient({ maxAttempts: 8, ...config });
}

/** What one certificate secret holds (its SecretString): what Envoy's files or SDS agent serve. */
export const certificateSecretSchema = z.object({
  certificate: z.string().check(z.minLength(1)),
  certificateChain: z._default(z.string(), ''),
  privateKey: z.string().check(z.minLength(1)),
  issuingCaArn: z.optional(z.string()),
});

/**
 * Secrets Manager as a CertificateStore for `secret` locations: each delivery is a new secret
 * version (AWSCURRENT moves to it; the old one becomes AWSPREVIOUS, so a rollback is one
 * stage move). The rotation id is the ClientRequestToken, so a retried write is one version.
 */
export class SecretCertificateStore implements Pick<CertificateStore, 'describe' | 'deliver'> {
  constructor(private readonly client: SecretsManagerClient) {}

  async describe(location: CertificateLocation): Promise<StoredCertificate | undefined> {
    if (location.kind !== 'secret')
      throw new BadRequestError(`Secrets Manager cannot read ${location.kind} locations`);
    let text: string | undefined;
    try {
      ({ SecretString: text } = await this.client.send(
        new GetSecretValueCommand({ SecretId: location.name }),
      ));
    } catch (error) {
      const mapped = certificateServiceError(error, `Secrets Manager GetSecretValue ${location.name}`);
      if (mapped instanceof NotFoundError) return undefined;
      throw mapped;
    }
    let value: z.infer<typeof certificateSecretSchema>;
    try {
      value = z.parse(certificateSecretSchema, JSON.parse(text ?? ''));
    } catch (error) {
      throw new BadRequestError(
        `secret ${location.name} does not hold a certificate bundle (JSON certificate, certificateChain, privateKey)`,
        { cause: error },
      );
    }
    return {
      location,
      ...factsOf(await parseCertificate(value.certificate)),
      origin: 'secret',
      ...(value.issuingCaArn ? { issuingCaArn: value.issuingCaArn } : {}),
      inUseBy: [],
    };
  }

  async deliver(
    location: CertificateLocation,
    bundle: CertificateBundle,
    options: { readonly token: string; readonly issuingCaArn: string },
  ): Promise<{ versionId?: string }> {
    if (location.kind !== 'secret')
      throw new BadRequestError(`Secrets Manager cannot deliver to ${location.kind} locations`);
    const SecretString = JSON.stringify({
      certificate: bundle.certificatePem,
      certificateChain: bundle.chainPem,
      privateKey: bundle.privateKeyPem,
      issuingCaArn: options.issuingCaArn,
    });
    try {
      const out = await this.client.send(
        new PutSecretValueCommand({
          SecretId: location.name,
          SecretString,
          ClientRequestToken: options.token,
        }),
      );
      return out.VersionId ? { versionId: out.VersionId } : {};
    } catch (error) {
      const mapped = certificateServiceError(error, `Secrets Manager PutSecretValue ${location.name}`);
      if (!(mapped instanceof NotFoundError)) throw mapped;
    }
    try {
      const out = await this.client.send(
        new CreateSecretCommand({
          Name: location.name,
          SecretString,
          ClientRequestToken: options.token,
          Description: 'Certificate, chain and private key delivered by meshwarden certificate rotation',
        }),
      );
      return out.VersionId ? { versionId: out.VersionId } : {};
    } catch (error) {
      throw certificateServiceError(error, `Secrets Manager CreateSecret ${location.name}`);
    }
  }
}

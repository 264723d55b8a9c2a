import {
  type ACMPCAClient,
  IssueCertificateCommand,
  RequestInProgressException,
} from '@aws-sdk/client-acm-pca';
import { describe, expect, it } from 'vitest';
import { AcmPcaCertificateAuthority } from '../../../shared/adapters/acm-pca/certificate-authority';
import { certificateServiceError } from '../../../shared/adapters/acm-pca/errors';
import { BadRequestError, MeshwardenError, NotFoundError, ThrottledError } from '../../../shared/errors';

function awsError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, ...extra });
}

describe('certificateServiceError', () => {
  it.each([
    ['MalformedCSRException', BadRequestError],
    ['InvalidStateException', BadRequestError],
    ['ResourceNotFoundException', NotFoundError],
    ['ThrottlingException', ThrottledError],
    ['TooManyRequestsException', ThrottledError],
  ])('maps %s', (name, type) => {
    const mapped = certificateServiceError(awsError(name), 'ACM PCA IssueCertificate');
    expect(mapped).toBeInstanceOf(type);
    expect(mapped.message).toBe(`ACM PCA IssueCertificate failed: ${name}: ${name} happened`);
  });

  it('maps an SDK throttling flag and keeps anything else as a MeshwardenError with its cause', () => {
    const flagged = awsError('SlowDown', { $retryable: { throttling: true } });
    expect(certificateServiceError(flagged, 'x')).toBeInstanceOf(ThrottledError);
    const other = certificateServiceError('boom', 'x');
    expect(other.constructor).toBe(MeshwardenError);
    expect(other.cause).toBe('boom');
  });
});

/** A client double: records each command and answers with `answer` (the installed acm-pca SDK predates aws-sdk-client-mock's types). */
function fakePcaClient(answer: (command: unknown) => unknown) {
  const sent: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      sent.push(command);
      return answer(command);
    },
  } as unknown as ACMPCAClient;
  return { client, sent };
}

describe('AcmPcaCertificateAuthority', () => {
  it('answers undefined while the CA is still signing', async () => {
    // Prepare
    const { client } = fakePcaClient(() => {
      throw new RequestInProgressException({ message: 'still signing', $metadata: {} });
    });

    // Act
    const fetched = await new AcmPcaCertificateAuthority(client).fetch('ca', 'cert');

    // Assess
    expect(fetched).toBeUndefined();
  });

  it('maps a throttled GetCertificate to ThrottledError', async () => {
    const { client } = fakePcaClient(() => {
      throw awsError('ThrottlingException');
    });
    await expect(new AcmPcaCertificateAuthority(client).fetch('ca', 'cert')).rejects.toThrow(ThrottledError);
  });

  it('sends the CSR, template, validity in days and the idempotency token', async () => {
    // Prepare
    const { client, sent } = fakePcaClient(() => ({ CertificateArn: 'arn:cert' }));

    // Act
    const arn = await new AcmPcaCertificateAuthority(client).issue({
      caArn: 'arn:ca',
      csrPem: 'CSR',
      signingAlgorithm: 'SHA256WITHECDSA',
      templateArn: 'arn:aws:acm-pca:::template/EndEntityCertificate/V1',
      validityDays: 30,
      idempotencyToken: 'tok',
    });

    // Assess
    expect(arn).toBe('arn:cert');
    const command = sent[0];
    expect(command).toBeInstanceOf(IssueCertificateCommand);
    const input = (command as IssueCertificateCommand).input;
    expect(input).toMatchObject({
      CertificateAuthorityArn: 'arn:ca',
      Validity: { Type: 'DAYS', Value: 30 },
      IdempotencyToken: 'tok',
      TemplateArn: 'arn:aws:acm-pca:::template/EndEntityCertificate/V1',
    });
    expect(new TextDecoder().decode(input.Csr)).toBe('CSR');
  });
});

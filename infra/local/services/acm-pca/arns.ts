import { AwsError } from '../../protocol/aws-json';

const CA_ARN = /^arn:aws:acm-pca:([a-z0-9-]+):(\d{12}):certificate-authority\/([0-9a-f-]{36})$/;
const CERTIFICATE_ARN =
  /^(arn:aws:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]{36})\/certificate\/([0-9a-f]{32})$/;

/** The ARN of a private CA. */
export function caArn(region: string, accountId: string, id: string): string {
  return `arn:aws:acm-pca:${region}:${accountId}:certificate-authority/${id}`;
}

/** The ARN of a certificate a private CA issued: the CA ARN, then the serial in hex. */
export function issuedCertificateArn(ca: string, serialHex: string): string {
  return `${ca}/certificate/${serialHex}`;
}

/** Check the shape of a CA ARN as AWS does before looking it up. */
export function requireCaArn(arn: string): string {
  if (!CA_ARN.test(arn))
    throw new AwsError('InvalidArnException', `The certificate authority ARN "${arn}" is not valid.`);
  return arn;
}

/** Check the shape of an issued certificate ARN; returns the CA ARN it belongs to. */
export function caOfCertificateArn(arn: string): string {
  const match = CERTIFICATE_ARN.exec(arn);
  if (match?.[1] === undefined)
    throw new AwsError('InvalidArnException', `The certificate ARN "${arn}" is not valid.`);
  return match[1];
}

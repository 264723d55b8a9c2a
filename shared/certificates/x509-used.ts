/**
 * The @peculiar/x509 classes the functions use, and only those: `loadX509` (pem.ts) imports this
 * module on first use, and a module imported dynamically keeps every export in the bundle.
 */
export {
  cryptoProvider,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
  X509Certificate,
} from '../x509';

import type { CertificateBundle, CertificateLocation, CertificateStore, StoredCertificate } from '../ports';

/** The certificate stores by location kind: ACM for `acm`, Secrets Manager for `secret`. */
export interface StoresByKind {
  readonly acm: Pick<CertificateStore, 'describe' | 'deliver' | 'importNew'>;
  readonly secret: Pick<CertificateStore, 'describe' | 'deliver'>;
}

/** One CertificateStore that sends each location to the store of its kind. */
export function routeCertificateStores(stores: StoresByKind): CertificateStore {
  return {
    describe: (location: CertificateLocation): Promise<StoredCertificate | undefined> =>
      stores[location.kind].describe(location),
    deliver: (location, bundle, options) => stores[location.kind].deliver(location, bundle, options),
    importNew: (bundle: CertificateBundle, options) => stores.acm.importNew(bundle, options),
  };
}

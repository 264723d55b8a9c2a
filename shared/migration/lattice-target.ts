/**
 * The port `migrate apply` creates a plan through: VPC Lattice read by the plan's names, and
 * one create per resource, each with a client token. Plain shapes (the SDK's own, without its
 * optional-everything), so the use case never imports the SDK; the adapter is
 * `shared/providers/vpc-lattice/migration-target.ts`.
 */

export type LatticeActionInput =
  | {
      readonly forward: {
        readonly targetGroups: readonly { readonly targetGroupIdentifier: string; readonly weight: number }[];
      };
    }
  | { readonly fixedResponse: { readonly statusCode: number } };

type StringMatch = { readonly exact: string } | { readonly prefix: string } | { readonly contains: string };

export interface LatticeMatchInput {
  readonly httpMatch: {
    readonly method?: string;
    readonly pathMatch?: {
      readonly match: { readonly exact: string } | { readonly prefix: string };
      readonly caseSensitive: boolean;
    };
    readonly headerMatches?: readonly {
      readonly name: string;
      readonly match: StringMatch;
      readonly caseSensitive: boolean;
    }[];
  };
}

/** What identifies a created resource. */
export interface LatticeResourceId {
  readonly id: string;
  readonly arn: string;
}

type Tags = Readonly<Record<string, string>>;

export interface ExistingRule extends LatticeResourceId {
  readonly name: string;
  readonly priority: number | undefined;
  /** As Lattice answered: loose, compared after normalising. */
  readonly match: unknown;
  readonly action: unknown;
  readonly tags: Tags;
}

export interface ExistingListener extends LatticeResourceId {
  readonly name: string;
  readonly protocol: string | undefined;
  readonly port: number | undefined;
  readonly defaultAction: unknown;
  readonly tags: Tags;
  readonly rules: readonly ExistingRule[];
}

export interface ExistingService extends LatticeResourceId {
  readonly name: string;
  readonly authType: string | undefined;
  readonly customDomainName: string | undefined;
  /** The service's own DNS name (`dnsEntry.domainName`), what a client resolves to reach it. */
  readonly domainName?: string;
  readonly certificateArn: string | undefined;
  readonly authPolicy: string | undefined;
  readonly tags: Tags;
  readonly listeners: readonly ExistingListener[];
}

export interface ExistingTargetGroup extends LatticeResourceId {
  readonly name: string;
  readonly type: string | undefined;
  readonly port: number | undefined;
  readonly protocol: string | undefined;
  readonly protocolVersion: string | undefined;
  readonly vpcIdentifier: string | undefined;
  readonly tags: Tags;
}

export interface ExistingServiceNetwork extends LatticeResourceId {
  readonly name: string;
  readonly authType: string | undefined;
  readonly authPolicy: string | undefined;
  readonly tags: Tags;
  /** Names of the services associated with it. */
  readonly serviceAssociations: readonly string[];
  /** Ids of the VPCs associated with it. */
  readonly vpcAssociations: readonly string[];
}

/** What exists in Lattice under the plan's names (absent: nothing by that name). */
export interface ExistingLattice {
  readonly serviceNetwork: ExistingServiceNetwork | undefined;
  readonly services: readonly ExistingService[];
  readonly targetGroups: readonly ExistingTargetGroup[];
}

/** One create call, ids resolved. `clientToken` makes a retried create one create. */
export type LatticeCreate = { readonly clientToken: string; readonly tags: Tags } & (
  | { readonly kind: 'service-network'; readonly name: string; readonly authType: string }
  | {
      readonly kind: 'target-group';
      readonly name: string;
      readonly type: string;
      readonly config: {
        readonly port: number;
        readonly protocol: string;
        readonly protocolVersion?: string;
        readonly vpcIdentifier?: string;
        readonly healthCheck?: Readonly<Record<string, unknown>>;
      };
    }
  | {
      readonly kind: 'service';
      readonly name: string;
      readonly authType: string;
      readonly customDomainName?: string;
      readonly certificateArn?: string;
    }
  | {
      readonly kind: 'listener';
      readonly serviceId: string;
      readonly name: string;
      readonly protocol: string;
      readonly port: number;
      readonly defaultAction: LatticeActionInput;
    }
  | {
      readonly kind: 'rule';
      readonly serviceId: string;
      readonly listenerId: string;
      readonly name: string;
      readonly priority: number;
      readonly match: LatticeMatchInput;
      readonly action: LatticeActionInput;
    }
  | { readonly kind: 'service-association'; readonly serviceNetworkId: string; readonly serviceId: string }
  | { readonly kind: 'vpc-association'; readonly serviceNetworkId: string; readonly vpcIdentifier: string }
);

/** VPC Lattice as `migrate apply` uses it. */
export interface LatticeMigrationTarget {
  /** Everything that exists under these names, with the children, policies and tags apply compares. */
  read(names: {
    readonly serviceNetwork: string;
    readonly services: readonly string[];
    readonly targetGroups: readonly string[];
  }): Promise<ExistingLattice>;
  create(request: LatticeCreate): Promise<LatticeResourceId>;
  /** PutAuthPolicy: replaces the resource's auth policy (a PUT: the same policy twice is one). */
  putAuthPolicy(resourceId: string, policy: string): Promise<void>;
  tag(arn: string, tags: Tags): Promise<void>;
}

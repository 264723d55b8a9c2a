/**
 * Which accounts meshwarden acts in. The central account (where meshwarden runs) uses the
 * functions' own credentials; each member account is reached through the role meshwarden
 * assumes there. An event names its account (`account`, and CloudTrail's `recipientAccountId`);
 * an account not configured is refused, never acted on with central credentials.
 */
import { BadRequestError, ConfigError, ValidationError } from '../errors';

/** The accounts meshwarden is configured for. */
export interface AccountDirectory {
  readonly central: string;
  /** Member account id -> the role ARN meshwarden assumes there. */
  readonly members: ReadonlyMap<string, string>;
}

/** How meshwarden reaches one account. */
export type AccountAccess =
  | { readonly account: string; readonly kind: 'central' }
  | { readonly account: string; readonly kind: 'member'; readonly roleArn: string };

/** An event from an account meshwarden is not configured for: refused, as retrying cannot help. */
export class UnknownAccountError extends BadRequestError {}

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/.+$/;

/** Build the directory from the central account and the member roles (`MESHWARDEN_MEMBER_ROLE_ARNS`). */
export function accountDirectory(central: string, memberRoleArns: readonly string[] = []): AccountDirectory {
  const members = new Map<string, string>();
  for (const arn of memberRoleArns) {
    const account = ROLE_ARN.exec(arn)?.[1];
    if (account === undefined) throw new ConfigError(`member role "${arn}" is not an IAM role ARN`);
    if (account === central) {
      throw new ConfigError(`member role "${arn}" is in meshwarden's own account ${central}`);
    }
    if (members.has(account)) throw new ConfigError(`member account ${account} is configured twice`);
    members.set(account, arn);
  }
  return { central, members };
}

/** How to reach `account`; refuses an account that is neither central nor a configured member. */
export function accessTo(directory: AccountDirectory, account: string): AccountAccess {
  if (account === directory.central) return { account, kind: 'central' };
  const roleArn = directory.members.get(account);
  if (roleArn === undefined) {
    throw new UnknownAccountError(
      `account ${account} is not one meshwarden governs (central ${directory.central}; members: ${[...directory.members.keys()].join(', ') || 'none'}): refused, nothing done`,
    );
  }
  return { account, kind: 'member', roleArn };
}

/**
 * The account an AWS service event is about: its envelope's `account`, which for a CloudTrail
 * record must agree with `recipientAccountId` (a record that disagrees with its envelope is
 * refused: which account to act in would be a guess).
 */
export function accountOfEvent(event: {
  readonly account: string;
  readonly detail?: object;
  readonly resources?: readonly string[];
}): string {
  const recipient = (event.detail as { readonly recipientAccountId?: unknown } | undefined)
    ?.recipientAccountId;
  if (recipient !== undefined && recipient !== event.account) {
    throw new ValidationError(
      `event account ${event.account} and detail.recipientAccountId ${recipient} disagree`,
      [{ path: 'detail.recipientAccountId', message: `expected ${event.account}, got ${recipient}` }],
    );
  }
  // A service's event names resources of the account it came from (an alarm's ARN, say): one
  // naming another account's is acted on with neither account's credentials.
  (event.resources ?? []).forEach((arn, i) => {
    const owner = /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];
    if (owner !== undefined && owner !== event.account) {
      throw new ValidationError(`event account ${event.account} names ${arn} of account ${owner}`, [
        { path: `resources.${i}`, message: `expected a resource of account ${event.account}` },
      ]);
    }
  });
  return event.account;
}

/**
 * One thing per account (a provider, a set of stores), built on first use and kept: credentials
 * and clients are made once per account, as module-scope clients are made once per function.
 */
export class PerAccount<T> {
  private readonly built = new Map<string, T>();

  constructor(
    readonly directory: AccountDirectory,
    private readonly build: (access: AccountAccess) => T,
  ) {}

  /** The thing for `account`; throws UnknownAccountError for an account not configured. */
  for(account: string): T {
    let value = this.built.get(account);
    if (value === undefined) {
      value = this.build(accessTo(this.directory, account));
      this.built.set(account, value);
    }
    return value;
  }
}

/**
 * The meshes governed in `account`: the central meshes (`MESHWARDEN_MESHES`) in the central
 * account, the `<account>/<mesh>` entries of `MESHWARDEN_MEMBER_MESHES` in a member account.
 */
export function governedMeshesIn(
  directory: AccountDirectory,
  account: string,
  centralMeshes: readonly string[],
  memberMeshes: readonly string[] = [],
): string[] {
  if (account === directory.central) return [...centralMeshes];
  return memberMeshes.flatMap((entry) => {
    const [owner, mesh] = entry.split('/');
    return owner === account && mesh !== undefined ? [mesh] : [];
  });
}

/**
 * Refuse an event of any account but the central one, for a capability that does not act in
 * member accounts: an account not configured is refused as unknown, a member account's event
 * as out of that capability's reach. Either way nothing is done, and the refusal is an error,
 * so the event is retried and dead-lettered rather than quietly dropped.
 */
export function requireCentral(directory: AccountDirectory, account: string, capability: string): void {
  const access = accessTo(directory, account);
  if (access.kind === 'member') {
    throw new BadRequestError(
      `${capability} acts in meshwarden's own account ${directory.central} only; the event of member account ${account} is refused, nothing done`,
    );
  }
}

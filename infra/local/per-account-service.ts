import { join } from 'node:path';
import type {
  LocalRequest,
  LocalResponse,
  LocalService,
  LocalServiceContext,
  OperationResolver,
} from './types';

/**
 * One emulated service, separate in every account: each account the callers sign in gets its
 * own instance of the service, with its own resources, ARNs naming that account, its own
 * persisted state, and its events marked as that account's. The caller's account (from its
 * identity, or the role session it assumed) picks the instance, as the account of the
 * credentials picks the account in AWS; nothing is shared between accounts.
 */
export class PerAccountService<S extends LocalService> implements LocalService, OperationResolver {
  readonly signingName: string;
  private readonly byAccount = new Map<string, S>();

  constructor(
    private readonly context: LocalServiceContext,
    private readonly create: (context: LocalServiceContext) => S,
  ) {
    this.signingName = this.in(context.accountId).signingName;
  }

  /** The service as the account sees it (created on first use). */
  in(accountId: string): S {
    let service = this.byAccount.get(accountId);
    if (service === undefined) {
      service = this.create(accountContext(this.context, accountId));
      this.byAccount.set(accountId, service);
    }
    return service;
  }

  /** The accounts this service has state in. */
  accounts(): string[] {
    return [...this.byAccount.keys()];
  }

  operationOf(req: LocalRequest): string | undefined {
    const service = this.in(req.caller.accountId) as Partial<OperationResolver>;
    return service.operationOf?.(req);
  }

  handle(req: LocalRequest): Promise<LocalResponse> {
    return this.in(req.caller.accountId).handle(req);
  }

  async close(): Promise<void> {
    for (const service of this.byAccount.values()) await service.close?.();
  }
}

/**
 * The context of one account: the central account keeps the runtime's own (its state where
 * it always was); another account persists under `accounts/<id>/` and marks its events.
 */
export function accountContext(context: LocalServiceContext, accountId: string): LocalServiceContext {
  if (accountId === context.accountId) return context;
  return {
    ...context,
    accountId,
    dataDir: context.dataDir === undefined ? undefined : join(context.dataDir, 'accounts', accountId),
    putEvents: (entries) => context.putEvents(entries.map((entry) => ({ ...entry, account: accountId }))),
  };
}

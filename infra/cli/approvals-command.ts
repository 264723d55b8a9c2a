import type { Command } from 'commander';
import { DynamoDbApprovalStore } from '../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import type { ApprovalStore } from '../../shared/ports';

/** Where the command writes, and the store it reads; replaced in tests. */
export interface ApprovalsCommandIo {
  readonly out: (line: string) => void;
  readonly store: (table: string) => ApprovalStore;
}

const DEFAULT_IO: ApprovalsCommandIo = {
  out: (line) => console.log(line),
  // The SDK takes the endpoint from AWS_ENDPOINT_URL, e.g. http://127.0.0.1:4566 for local AWS.
  store: (table) => new DynamoDbApprovalStore(createDocumentClient(), table),
};

/**
 * `meshwarden approvals list [--table NAME]`: the approvals still open (pending, or decided
 * and not yet published), one line each: id, status, mesh, expiry, title, and where it was asked.
 */
export function registerApprovalsCommand(program: Command, io: ApprovalsCommandIo = DEFAULT_IO): void {
  const approvals = program.command('approvals').description('Look at Slack approvals');
  approvals
    .command('list')
    .description('List open approvals')
    .option(
      '--table <name>',
      'the meshwarden state table',
      process.env.MESHWARDEN_TABLE ?? 'meshwarden-state',
    )
    .action(async (options: { table: string }) => {
      const open = await io.store(options.table).listOpen();
      if (open.length === 0) {
        io.out('no open approvals');
        return;
      }
      for (const a of open.sort((x, y) => x.expiresAt.localeCompare(y.expiresAt))) {
        const where = a.message === undefined ? 'not posted' : `${a.message.channel}/${a.message.ts}`;
        io.out(`${a.approvalId}  ${a.status}  ${a.meshName}  expires ${a.expiresAt}  ${a.title}  (${where})`);
      }
    });
}

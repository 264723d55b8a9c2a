import type { Command } from 'commander';
import { DynamoDbApprovalStore } from '../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { MeshwardenError } from '../../shared/errors';
import type { ApprovalStore } from '../../shared/ports';
import { type ApiClient, apiClient } from './api-client';

/** Where the command writes, and the store or API it reads; replaced in tests. */
export interface ApprovalsCommandIo {
  readonly out: (line: string) => void;
  readonly err?: (line: string) => void;
  readonly store: (table: string) => ApprovalStore;
  readonly api?: (url: string) => ApiClient;
}

const DEFAULT_IO: ApprovalsCommandIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  // The SDK takes the endpoint from AWS_ENDPOINT_URL, e.g. http://127.0.0.1:4566 for local AWS.
  store: (table) => new DynamoDbApprovalStore(createDocumentClient(), table),
  api: (url) => apiClient(url),
};

const API_OPTION_HELP = "call meshwarden's HTTP API at URL instead of AWS (token: $MESHWARDEN_TOKEN)";

/**
 * `meshwarden approvals list [--table NAME | --api URL]`: the approvals still open (pending, or
 * decided and not yet published), one line each: id, status, mesh, expiry, title, and where it
 * was asked. `approvals approve|reject ID --api URL`: decide one through the HTTP API, under
 * the same rules as a click in Slack.
 */
export function registerApprovalsCommand(program: Command, io: ApprovalsCommandIo = DEFAULT_IO): void {
  const approvals = program.command('approvals').description('Look at and decide approvals');
  const fail = (error: unknown) => {
    if (!(error instanceof MeshwardenError)) throw error;
    (io.err ?? io.out)(`${error.name}: ${error.message}`);
    process.exitCode = 1;
  };
  const apiOf = (url: string) => (io.api ?? apiClient)(url);
  approvals
    .command('list')
    .description('List open approvals')
    .option(
      '--table <name>',
      'the meshwarden state table',
      process.env.MESHWARDEN_TABLE ?? 'meshwarden-state',
    )
    .option('--api <url>', API_OPTION_HELP)
    .action(async (options: { table: string; api?: string }) => {
      try {
        if (options.api !== undefined) {
          const { approvals: open } = (await apiOf(options.api).call('GET', '/api/approvals')) as {
            approvals: { id: string; status: string; meshName: string; expiresAt: string; title: string }[];
          };
          if (open.length === 0) io.out('no open approvals');
          for (const a of open)
            io.out(`${a.id}  ${a.status}  ${a.meshName}  expires ${a.expiresAt}  ${a.title}`);
          return;
        }
        const open = await io.store(options.table).listOpen();
        if (open.length === 0) {
          io.out('no open approvals');
          return;
        }
        for (const a of open.sort((x, y) => x.expiresAt.localeCompare(y.expiresAt))) {
          const where = a.message === undefined ? 'not posted' : `${a.message.channel}/${a.message.ts}`;
          io.out(
            `${a.approvalId}  ${a.status}  ${a.meshName}  expires ${a.expiresAt}  ${a.title}  (${where})`,
          );
        }
      } catch (error) {
        fail(error);
      }
    });
  for (const decision of ['approve', 'reject'] as const) {
    approvals
      .command(decision)
      .argument('<id>', 'the approval id')
      .requiredOption('--api <url>', API_OPTION_HELP)
      .description(
        `${decision === 'approve' ? 'Approve' : 'Reject'} a request through the HTTP API (same rules as Slack)`,
      )
      .action(async (id: string, options: { api: string }) => {
        try {
          const { approval } = (await apiOf(options.api).call(
            'POST',
            `/api/approvals/${encodeURIComponent(id)}/${decision}`,
          )) as { approval: { id: string; status: string; decidedBy?: string } };
          io.out(
            `${approval.id}  ${approval.status}${approval.decidedBy ? ` by ${approval.decidedBy}` : ''}`,
          );
        } catch (error) {
          fail(error);
        }
      });
  }
}

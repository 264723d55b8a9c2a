import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerApprovalsCommand } from '../../../infra/cli/approvals-command';
import { MemoryApprovalStore, pendingApproval } from './support';

async function run(store: MemoryApprovalStore, args: string[]) {
  const lines: string[] = [];
  const tables: string[] = [];
  const program = new Command().exitOverride();
  registerApprovalsCommand(program, {
    out: (line) => lines.push(line),
    store: (table) => {
      tables.push(table);
      return store;
    },
  });
  await program.parseAsync(['node', 'meshwarden', ...args]);
  return { lines, tables };
}

describe('meshwarden approvals list', () => {
  it('lists open approvals soonest expiry first, with where they were asked', async () => {
    const store = new MemoryApprovalStore();
    await store.create(pendingApproval({ approvalId: 'later', expiresAt: '2026-03-10T12:00:00.000Z' }));
    await store.create(pendingApproval({ approvalId: 'sooner', expiresAt: '2026-03-10T11:00:00.000Z' }));
    await store.create(pendingApproval({ approvalId: 'done', status: 'approved', published: true }));
    const { lines, tables } = await run(store, ['approvals', 'list', '--table', 'my-table']);
    expect(tables).toEqual(['my-table']);
    expect(lines).toEqual([
      expect.stringMatching(
        /^sooner {2}pending {2}prod {2}expires 2026-03-10T11:00:00.000Z {2}UpdateRoute .*\(C0APPROVALS\/1773137702.004900\)$/,
      ),
      expect.stringMatching(/^later /),
    ]);
  });

  it('says so when nothing is open', async () => {
    const { lines } = await run(new MemoryApprovalStore(), ['approvals', 'list']);
    expect(lines).toEqual(['no open approvals']);
  });
});

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_POLICY_FILE, loadPolicy, PolicyError } from '../../shared/policy/load';

/** Where the command writes; replaced in tests. */
export interface PolicyCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const CONSOLE_IO: PolicyCommandIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

/**
 * `meshwarden policy validate [FILE]`: check a policy file and print each problem as
 * `FILE:LINE:COL path: message` (exit code 1), or a one-line summary when it is valid.
 */
export function registerPolicyCommand(program: Command, io: PolicyCommandIo = CONSOLE_IO): void {
  const policy = program.command('policy').description('Work with the meshwarden policy file');
  policy
    .command('validate')
    .description(`Validate a policy file (default: ./${DEFAULT_POLICY_FILE})`)
    .argument('[file]', 'the policy file', DEFAULT_POLICY_FILE)
    .action((file: string) => {
      try {
        const loaded = loadPolicy(file);
        const meshes = loaded.document.meshes;
        const rules = meshes.reduce((n, m) => n + m.changeControl.allow.length, 0);
        const exemptions = meshes.reduce((n, m) => n + m.exemptions.length, 0);
        io.out(
          `${file}: valid (${meshes.length} mesh ${meshes.length === 1 ? 'entry' : 'entries'}: ${meshes
            .map((m) => m.mesh)
            .join(', ')}; ${rules} allow rule(s); ${exemptions} exemption(s))`,
        );
      } catch (error) {
        if (!(error instanceof PolicyError)) throw error;
        for (const line of error.lines) io.err(line);
        io.err(`${resolve(file)}: ${error.policyIssues.length} problem(s); the policy was not accepted.`);
        process.exitCode = 1;
      }
    });
}

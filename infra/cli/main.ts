import { Command } from 'commander';
import { registerCommands } from './commands';

/**
 * `meshwarden`: the command-line face of meshwarden. It talks to whatever endpoint the AWS
 * SDK is configured for: local AWS (`AWS_ENDPOINT_URL=http://127.0.0.1:4566`) or a real
 * account through the usual credential chain.
 */
const program = new Command()
  .name('meshwarden')
  .description(
    'Governance for an AWS App Mesh service mesh: change control, deployment guard, certificate rotation',
  )
  .version('0.1.0')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`meshwarden: ${(error as Error).message}`);
  process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 2;
}

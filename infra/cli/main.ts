import { Command, CommanderError } from 'commander';
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
  // Subcommands inherit this: commander throws instead of exiting, so a usage error ends below.
  .exitOverride()
  .configureHelp({ sortSubcommands: true });

registerCommands(program);

// `meshwarden ... | head`: the reader has gone away, so the rest has no one to read it.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has already printed the error and the usage (or the help, or the version).
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    console.error(`meshwarden: ${(error as Error).message}`);
    process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 2;
  }
}

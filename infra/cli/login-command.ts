import type { Command } from 'commander';
import { ConfigError, MeshwardenError } from '../../shared/errors';

/** Where the command writes; replaced in tests. */
export interface LoginCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const CONSOLE_IO: LoginCommandIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** The local OIDC issuer `npm start` runs. */
export const LOCAL_ISSUER = 'http://127.0.0.1:4569';

/**
 * `meshwarden login --local --as alice [--issuer URL]`: print a token of the local OIDC issuer
 * for one of the identities file's people, for `MESHWARDEN_TOKEN` or an `authorization` header.
 */
export function registerLoginCommand(program: Command, io: LoginCommandIo = CONSOLE_IO): void {
  program
    .command('login')
    .description('Print an OIDC token for the HTTP API (locally: from the issuer npm start runs)')
    .option('--local', 'ask the local OIDC issuer (npm start)')
    .requiredOption(
      '--as <name>',
      'who: a person of the identities file (e.g. alice, priya, victor, web-deploy)',
    )
    .option('--issuer <url>', 'the local issuer', LOCAL_ISSUER)
    .action(async (options: { local?: boolean; as: string; issuer: string }) => {
      try {
        if (options.local !== true) {
          throw new ConfigError(
            'only --local is supported: in AWS, use the token your identity provider gives you (a CI job: its OIDC token)',
          );
        }
        let response: Response;
        try {
          response = await fetch(`${options.issuer.replace(/\/+$/, '')}/local/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ as: options.as }).toString(),
          });
        } catch (error) {
          throw new ConfigError(`no local OIDC issuer answers at ${options.issuer}: is npm start running?`, {
            cause: error,
          });
        }
        const body = (await response.json()) as { access_token?: unknown; error_description?: unknown };
        if (!response.ok || typeof body.access_token !== 'string') {
          throw new ConfigError(`the issuer refused: ${String(body.error_description ?? response.status)}`);
        }
        io.out(body.access_token);
      } catch (error) {
        if (!(error instanceof MeshwardenError)) throw error;
        io.err(`${error.name}: ${error.message}`);
        process.exitCode = 1;
      }
    });
}

/**
 * How a function loads its policy: the compiled artifact (`.json`, written at build from the
 * validated YAML) in Lambda; the YAML source itself when the functions run from the sources
 * (`npm start`, tests), with the YAML loader's messages unchanged.
 */
import { ConfigError } from '../errors';
import type { CompiledPolicy } from './compile';
import { loadCompiledPolicy } from './compiled-artifact';

/**
 * Load the policy a function runs with.
 *
 * The bundles define `process.env.MESHWARDEN_BUNDLED` as `"true"`, which makes the YAML branch
 * dead code: the YAML parser and the policy schema are left out of the bundle entirely.
 *
 * @throws ConfigError for an unreadable or foreign compiled policy, or a YAML file in a bundle;
 *   PolicyError (from the YAML loader) for an invalid YAML policy.
 */
export async function loadPolicy(path: string): Promise<CompiledPolicy> {
  if (path.endsWith('.json')) return loadCompiledPolicy(path);
  if (process.env.MESHWARDEN_BUNDLED !== 'true') {
    const source = await import('./load');
    return source.loadPolicy(path);
  }
  throw new ConfigError(
    `${path}: a bundled function loads the compiled policy (a .json written at build, see \`npm run build\`), not YAML`,
  );
}

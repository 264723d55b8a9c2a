/**
 * The policy as the functions load it: validated once at build (synth, `npm run build`),
 * written as JSON data, read back at cold start without YAML parsing, schema construction or
 * validation. Parsing the YAML and building the zod schema took about a third of a function's
 * init; the document they produce is plain JSON, so it is shipped as such.
 *
 * Only types are imported from the schema and the YAML loader: this module is on every
 * function's init path and must not pull either into the bundle.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';
import { type CompiledPolicy, compilePolicy, type PolicySource } from './compile';
import type { PolicyDocument } from './schema';

/** The compiled policy's file name next to the bundle (what `MESHWARDEN_POLICY_FILE` names in Lambda). */
export const COMPILED_POLICY_FILE = 'meshwarden.policy.json';

/** Written into every artifact; a reader refuses any other, so a stale format fails loudly at init. */
export const COMPILED_POLICY_FORMAT = 'meshwarden.compiled-policy/1';

/** `[line, col]` of a value, and of its key when the value is a mapping member. */
type Position = readonly [line: number, col: number, keyLine?: number, keyCol?: number];

/** What is written: the validated document and where each of its paths was written. */
export interface CompiledPolicyArtifact {
  readonly format: typeof COMPILED_POLICY_FORMAT;
  /** The policy file it was compiled from, as named in messages. */
  readonly file: string;
  readonly document: PolicyDocument;
  /** Source positions by path (see {@link pathKey}), so references still point at their line. */
  readonly positions: Readonly<Record<string, Position>>;
}

/** A path as a key of the positions table: JSON of its segments. */
function pathKey(path: readonly PropertyKey[]): string {
  return JSON.stringify(path.map((segment) => (typeof segment === 'number' ? segment : String(segment))));
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The artifact of a policy loaded from its YAML source (which has already validated it). Every
 * path of the document gets the position the YAML loader reports for it. `file` names the
 * policy in messages (by default the path it was loaded from).
 */
export function compiledPolicyArtifact(policy: CompiledPolicy, file?: string): CompiledPolicyArtifact {
  const source = policy.source;
  const positions: Record<string, Position> = {};
  const visit = (value: unknown, path: PropertyKey[], parentIsMapping: boolean) => {
    if (source !== undefined) {
      const at = source.position(path, 'value');
      if (parentIsMapping) {
        const key = source.position(path, 'key');
        positions[pathKey(path)] = [at.line, at.col, key.line, key.col];
      } else {
        positions[pathKey(path)] = [at.line, at.col];
      }
    }
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) visit(item, [...path, i], false);
    } else if (isMapping(value)) for (const [k, v] of Object.entries(value)) visit(v, [...path, k], true);
  };
  visit(policy.document, [], false);
  return {
    format: COMPILED_POLICY_FORMAT,
    file: file ?? source?.file ?? '(policy)',
    document: policy.document,
    positions,
  };
}

/** The artifact's text, as written next to the bundle. */
export function serializeCompiledPolicy(policy: CompiledPolicy, file?: string): string {
  return `${JSON.stringify(compiledPolicyArtifact(policy, file))}\n`;
}

/**
 * Source positions from the table: a path that was not written (a default) points at the
 * deepest part of it that was, as the YAML loader does.
 */
function sourceOf(file: string, positions: Readonly<Record<string, Position>>): PolicySource {
  return {
    file,
    position(path, target = 'value') {
      for (let length = path.length; length >= 0; length--) {
        const found = positions[pathKey(path.slice(0, length))];
        if (found === undefined) continue;
        const [line, col, keyLine, keyCol] = found;
        const exact = length === path.length;
        if (exact && target === 'key' && keyLine !== undefined && keyCol !== undefined)
          return { line: keyLine, col: keyCol };
        return { line, col };
      }
      return { line: 1, col: 1 };
    },
  };
}

/**
 * Read a compiled policy artifact. The artifact is produced by meshwarden's own build from a
 * validated policy, so only its envelope is checked here; a damaged or foreign file is refused
 * with a message that says so.
 *
 * @throws ConfigError when the file cannot be read or is not a compiled policy.
 */
export function parseCompiledPolicy(text: string, path: string): CompiledPolicy {
  let artifact: Partial<CompiledPolicyArtifact>;
  try {
    artifact = JSON.parse(text) as Partial<CompiledPolicyArtifact>;
  } catch (error) {
    throw new ConfigError(`${path}: not a compiled meshwarden policy (invalid JSON)`, { cause: error });
  }
  if (
    !isMapping(artifact) ||
    artifact.format !== COMPILED_POLICY_FORMAT ||
    !isMapping(artifact.document) ||
    !Array.isArray(artifact.document.meshes) ||
    !isMapping(artifact.positions) ||
    typeof artifact.file !== 'string'
  ) {
    throw new ConfigError(
      `${path}: not a compiled meshwarden policy (expected format "${COMPILED_POLICY_FORMAT}"); rebuild it from the policy file`,
    );
  }
  return { ...compilePolicy(artifact.document), source: sourceOf(artifact.file, artifact.positions) };
}

/** Read and compile a compiled policy artifact from disk. */
export function loadCompiledPolicy(path: string): CompiledPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`${path}: cannot read the compiled policy: ${message}`, { cause: error });
  }
  return parseCompiledPolicy(text, path);
}

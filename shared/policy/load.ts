/**
 * Loads `meshwarden.policy.yaml`: parse the YAML keeping source positions, validate it with
 * the schema, compile it. Every problem is reported as `FILE:LINE:COL path: message`, all of
 * them at once, so a policy author fixes a file in one pass. Used by the CLI
 * (`meshwarden policy validate`), by the CDK app at synth time and by the functions.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type * as z from 'zod';
import { ValidationError } from '../errors';
import { formatPath } from '../validation';
import { type CompiledPolicy, compilePolicy, type PolicySource } from './compile';
import { formatPolicyIssue, type PolicyIssue } from './issue';
import { policySchema } from './schema';

export { formatPolicyIssue, type PolicyIssue } from './issue';

/** The policy file's name when none is given. */
export const DEFAULT_POLICY_FILE = 'meshwarden.policy.yaml';

/** Policies are small; anything bigger is a mistake or an attack, refused before parsing. */
export const MAX_POLICY_BYTES = 1024 * 1024;

/** Aliases a policy may expand; beyond this, refuse (a "billion laughs" alias bomb). */
const MAX_ALIAS_COUNT = 100;

/** A policy file that cannot be used. `issues` lists every problem with its position. */
export class PolicyError extends ValidationError {
  readonly policyIssues: readonly PolicyIssue[];

  constructor(file: string, issues: readonly PolicyIssue[], options?: { cause?: unknown }) {
    const lines = issues.map(formatPolicyIssue);
    super(
      `Invalid policy ${file} (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}):\n${lines.join('\n')}`,
      issues.map((i) => ({ path: i.path, message: i.message })),
      options,
    );
    this.policyIssues = issues;
  }

  /** One `FILE:LINE:COL path: message` line per problem. */
  get lines(): string[] {
    return this.policyIssues.map(formatPolicyIssue);
  }
}

type Path = readonly PropertyKey[];

/** What a zod issue path points at: the value, or (for a bad key) the key itself. */
type Target = 'value' | 'key';

/**
 * The source offset of the YAML node a path points at. When the path runs into a member that
 * is missing (a required key not written), the deepest node that exists is used: that is where
 * the author has to add it.
 */
function offsetOf(
  root: Node | null,
  path: Path,
  target: Target,
  doc: ReturnType<typeof parseDocument>,
): number {
  let node: unknown = root;
  let offset = root?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (pair === undefined) return offset;
      const last = i === path.length - 1;
      if (last && target === 'key' && isScalar(pair.key)) return pair.key.range?.[0] ?? offset;
      // A key written with no value (`tls:`) has a null value node; point at the key then.
      node = pair.value ?? pair.key;
      const keyOffset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      const range = (node as Node | null)?.range;
      offset = range?.[0] ?? keyOffset ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) return offset;
      node = item;
      offset = (item as Node).range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function issueFromZod(
  file: string,
  issue: z.core.$ZodIssue,
  locate: (path: Path, target: Target) => { line: number; col: number },
): PolicyIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      return { file, ...locate(path, 'key'), path: formatPath(path), message: `unknown key "${key}"` };
    });
  }
  const target: Target = issue.code === 'invalid_key' ? 'key' : 'value';
  return [{ file, ...locate(issue.path, target), path: formatPath(issue.path), message: issue.message }];
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parse and validate policy text. `fileName` is only used in messages.
 *
 * @throws PolicyError listing every problem as `FILE:LINE:COL path: message`.
 */
export function parsePolicy(text: string, fileName: string): CompiledPolicy {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) {
    throw new PolicyError(fileName, [
      { file: fileName, line: 1, col: 1, path: '(file)', message: `larger than ${MAX_POLICY_BYTES} bytes` },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };
  // Warnings (an unknown `!tag`, say) count: a policy that does not mean what it says is refused.
  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) {
    throw new PolicyError(
      fileName,
      yamlProblems.map((e) => ({
        file: fileName,
        ...at(e.pos[0]),
        path: '(yaml)',
        message: firstLine(e.message),
      })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new PolicyError(
      fileName,
      [{ file: fileName, line: 1, col: 1, path: '(yaml)', message: firstLine(message) }],
      {
        cause: error,
      },
    );
  }
  const locate = (path: Path, target: Target) => at(offsetOf(doc.contents, path, target, doc));
  const result = policySchema.safeParse(data);
  if (!result.success) {
    const issues = result.error.issues
      .flatMap((issue) => issueFromZod(fileName, issue, locate))
      .sort((a, b) => a.line - b.line || a.col - b.col);
    throw new PolicyError(fileName, issues, { cause: result.error });
  }
  // The positions stay with the compiled policy: references resolved later against the live
  // mesh (policy validate --mesh, the daily audit) are reported at the line that wrote them.
  const source: PolicySource = {
    file: fileName,
    position: (path, target = 'value') => locate(path, target),
  };
  return { ...compilePolicy(result.data), source };
}

/**
 * Read, validate and compile a policy file. Synchronous on purpose: the CDK app calls it while
 * synthesising, which is synchronous.
 *
 * @throws PolicyError for a missing, oversized or invalid file.
 */
export function loadPolicy(path: string = DEFAULT_POLICY_FILE): CompiledPolicy {
  let text: string;
  try {
    // Check the size before reading, so a huge file is never loaded into memory.
    const size = statSync(path).size;
    if (size > MAX_POLICY_BYTES) {
      throw new PolicyError(path, [
        {
          file: path,
          line: 1,
          col: 1,
          path: '(file)',
          message: `larger than ${MAX_POLICY_BYTES} bytes (${size})`,
        },
      ]);
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof PolicyError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new PolicyError(
      path,
      [{ file: path, line: 1, col: 1, path: '(file)', message: `cannot read: ${message}` }],
      {
        cause: error,
      },
    );
  }
  return parsePolicy(text, path);
}

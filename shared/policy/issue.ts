/**
 * One problem in a policy file and how it is printed; apart from the YAML loader, so a function
 * that reports policy problems (the daily audit) does not load the YAML parser.
 */
/** One problem in a policy file, with where it is. */
export interface PolicyIssue {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  /** `meshes[0].changeControl.allow[1].actions[0]`, or `(yaml)` for a syntax error. */
  readonly path: string;
  readonly message: string;
}

/** Render an issue the way compilers do, so editors and CI annotate the line. */
export function formatPolicyIssue(issue: PolicyIssue): string {
  return `${issue.file}:${issue.line}:${issue.col} ${issue.path}: ${issue.message}`;
}

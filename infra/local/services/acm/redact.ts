import type { ApiCallRecord } from '../../types';

/** What CloudTrail writes in place of a value it never logs. */
export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** Members that carry secrets: a private key (imported or exported) and the export passphrase. */
const SECRET_MEMBERS: ReadonlySet<string> = new Set(['PrivateKey', 'Passphrase']);

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [key, SECRET_MEMBERS.has(key) ? HIDDEN : redact(member)]),
  );
}

/** The CloudTrail record of an ACM call, with private keys and passphrases hidden as CloudTrail does. */
export function acmApiCall(
  operation: string,
  readOnly: boolean,
  input: Record<string, unknown>,
  output: unknown,
): ApiCallRecord {
  return {
    eventName: operation,
    readOnly,
    requestParameters: redact(input),
    responseElements: output === undefined ? null : redact(output),
  };
}

import type { ApiCallRecord, LocalRequest, LocalResponse } from '../types';

/**
 * The `awsJson1_0` / `awsJson1_1` protocols: POST /, `X-Amz-Target: Prefix.Operation`, a
 * JSON body, errors as `{"__type": code, "message": ...}` with `x-amzn-ErrorType`.
 */
export type JsonVersion = '1.0' | '1.1';

/** An error a handler throws to answer with an AWS error code and HTTP status. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra members of the error body, e.g. `{ resourceId }`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

/** An operation: its result is serialised as the JSON body (`undefined` gives `{}`). */
export type JsonOperation = (input: Record<string, unknown>, req: LocalRequest) => Promise<unknown> | unknown;

export interface JsonOperationTable {
  readonly [operation: string]: JsonOperation;
}

/** Options for one JSON-protocol service. */
export interface JsonServiceOptions {
  readonly version: JsonVersion;
  /** The X-Amz-Target prefix, e.g. `CertificateManager` or `ACMPrivateCA`. */
  readonly targetPrefix: string;
  readonly operations: JsonOperationTable;
  /** Operations that do not change state (CloudTrail marks them readOnly). */
  readonly isReadOnly: (operation: string) => boolean;
  /** Strip secrets (private keys) from what CloudTrail records. */
  readonly redact?: (operation: string, input: Record<string, unknown>, output: unknown) => ApiCallRecord;
}

export function jsonResponse(
  version: JsonVersion,
  status: number,
  body: unknown,
  apiCall?: ApiCallRecord,
): LocalResponse {
  return {
    status,
    headers: { 'content-type': `application/x-amz-json-${version}` },
    body: JSON.stringify(body ?? {}),
    ...(apiCall ? { apiCall } : {}),
  };
}

export function jsonError(version: JsonVersion, error: AwsError, apiCall?: ApiCallRecord): LocalResponse {
  return {
    status: error.status,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-errortype': error.code },
    body: JSON.stringify({ __type: error.code, message: error.message, ...error.extra }),
    error: { code: error.code, message: error.message },
    ...(apiCall ? { apiCall } : {}),
  };
}

/** Dispatch a JSON-protocol request to its operation, mapping thrown AwsErrors to responses. */
export async function handleJsonRequest(
  req: LocalRequest,
  options: JsonServiceOptions,
): Promise<LocalResponse> {
  const { version } = options;
  const target = req.headers['x-amz-target'] ?? '';
  const [prefix, operation] = target.split('.', 2);
  if (prefix !== options.targetPrefix || operation === undefined) {
    return jsonError(version, new AwsError('UnknownOperationException', `Unknown target "${target}"`));
  }
  const handler = Object.hasOwn(options.operations, operation) ? options.operations[operation] : undefined;
  if (handler === undefined) {
    return jsonError(
      version,
      new AwsError('UnknownOperationException', `Operation ${operation} is not supported`),
    );
  }
  let input: Record<string, unknown>;
  try {
    const text = req.body.toString('utf8');
    const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not an object');
    input = parsed as Record<string, unknown>;
  } catch {
    return jsonError(version, new AwsError('SerializationException', 'Request body is not a JSON object'));
  }
  const record = (output: unknown): ApiCallRecord =>
    options.redact?.(operation, input, output) ?? {
      eventName: operation,
      readOnly: options.isReadOnly(operation),
      requestParameters: input,
      responseElements: output ?? null,
    };
  try {
    const output = await handler(input, req);
    return jsonResponse(version, 200, output, record(output));
  } catch (error) {
    if (error instanceof AwsError) return jsonError(version, error, record(null));
    throw error;
  }
}

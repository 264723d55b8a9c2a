import type { LocalResponse } from '../types';

/** The wire protocol a request speaks, as far as the edge needs to answer it with an error. */
export type WireProtocol =
  | { kind: 'json'; version: '1.0' | '1.1' }
  | { kind: 'query' }
  | { kind: 'rest-json' };

/** Tell the protocol from the headers every client sends with it. */
export function detectProtocol(headers: Readonly<Record<string, string>>): WireProtocol {
  const contentType = headers['content-type'] ?? '';
  if (headers['x-amz-target'] !== undefined) {
    return { kind: 'json', version: contentType.includes('1.0') ? '1.0' : '1.1' };
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) return { kind: 'query' };
  return { kind: 'rest-json' };
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An AWS error response in the request's own protocol. */
export function wireError(
  protocol: WireProtocol,
  status: number,
  code: string,
  message: string,
  requestId: string,
): LocalResponse {
  const error = { code, message };
  switch (protocol.kind) {
    case 'json':
      return {
        status,
        headers: {
          'content-type': `application/x-amz-json-${protocol.version}`,
          'x-amzn-errortype': code,
          // Services that moved from the query protocol (CloudWatch) keep their query error codes here.
          'x-amzn-query-error': `${code};${status >= 500 ? 'Receiver' : 'Sender'}`,
        },
        body: JSON.stringify({ __type: code, message }),
        error,
      };
    case 'query':
      return {
        status,
        headers: { 'content-type': 'text/xml' },
        body:
          `<ErrorResponse><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${xmlEscape(code)}</Code>` +
          `<Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        error,
      };
    case 'rest-json':
      return {
        status,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': code },
        body: JSON.stringify({ message }),
        error,
      };
  }
}

/** The throttling error each protocol's clients recognise and retry. */
export function throttlingError(service: string, protocol: WireProtocol, requestId: string): LocalResponse {
  if (protocol.kind === 'rest-json') {
    const code = service === 'appmesh' ? 'TooManyRequestsException' : 'ThrottlingException';
    return wireError(protocol, 429, code, 'Rate exceeded', requestId);
  }
  return wireError(
    protocol,
    400,
    protocol.kind === 'query' ? 'Throttling' : 'ThrottlingException',
    'Rate exceeded',
    requestId,
  );
}

/** A transient server-side failure each protocol's clients retry. */
export function serviceUnavailable(
  service: string,
  protocol: WireProtocol,
  requestId: string,
): LocalResponse {
  const code =
    protocol.kind === 'query'
      ? 'ServiceUnavailable'
      : service === 'appmesh'
        ? 'ServiceUnavailableException'
        : service === 'vpc-lattice'
          ? 'InternalServerException'
          : 'InternalFailure';
  return wireError(protocol, 503, code, 'Service is temporarily unavailable (injected fault)', requestId);
}

/**
 * `node:http` for the bundles (an esbuild alias, see infra/bundling.ts), loaded with require.
 *
 * Node builds an ES module facade for a builtin by reading every export once, and node:http's
 * `WebSocket`, `CloseEvent` and `MessageEvent` are lazy getters that load undici, Node's fetch
 * implementation: `import ... from 'node:http'` costs a cold start about 13 ms that require
 * does not. Nothing meshwarden bundles uses those three.
 */
import { createRequire } from 'node:module';

const http: typeof import('node:http') = createRequire(import.meta.url)('node:http');

export default http;
export const {
  Agent,
  ClientRequest,
  IncomingMessage,
  METHODS,
  OutgoingMessage,
  STATUS_CODES,
  Server,
  ServerResponse,
  createServer,
  get,
  globalAgent,
  maxHeaderSize,
  request,
  validateHeaderName,
  validateHeaderValue,
} = http;

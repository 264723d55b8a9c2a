import { ConfigError, MeshwardenError } from '../../shared/errors';

/** The HTTP API refused or failed a call; the message is the API's own. */
export class ApiCallError extends MeshwardenError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Where the CLI's `--api` calls go, and how (replaced in tests). */
export interface ApiClient {
  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>>;
}

/**
 * A client of meshwarden's HTTP API with the bearer token from `MESHWARDEN_TOKEN` (e.g. from
 * `meshwarden login --local --as alice`, or the OIDC token a CI job receives).
 */
export function apiClient(baseUrl: string, token = process.env.MESHWARDEN_TOKEN): ApiClient {
  if (token === undefined || token.trim() === '') {
    throw new ConfigError(
      'set MESHWARDEN_TOKEN to an OIDC token the API accepts (locally: export MESHWARDEN_TOKEN=$(npx meshwarden login --local --as alice))',
    );
  }
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async call(method, path, body) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token.trim()}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      let json: Record<string, unknown> = {};
      try {
        json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        json = { message: text };
      }
      if (!response.ok) {
        const role = typeof json.requiredRole === 'string' ? ` (needs role ${json.requiredRole})` : '';
        throw new ApiCallError(
          `HTTP ${response.status}: ${String(json.message ?? response.statusText)}${role}`,
          response.status,
        );
      }
      return json;
    },
  };
}

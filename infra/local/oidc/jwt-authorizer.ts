/**
 * API Gateway's JWT authorizer, locally: the token from `Authorization` (with or without
 * `Bearer `), its signature checked against the issuer's JWKS (found through its discovery
 * document), `iss`, `aud` (or `client_id`), `exp`, `nbf` and `iat` checked, RS256 or ES256
 * only. A refused request never reaches the function: 401 `{"message":"Unauthorized"}`.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';

export interface JwtAuthorizerConfig {
  readonly issuer: string;
  readonly audience: readonly string[];
}

export type JwtVerdict =
  | { readonly ok: true; readonly claims: Record<string, string> }
  | { readonly ok: false; readonly reason: string };

/**
 * API Gateway hands the claims to the function as strings; a list claim becomes `[a b c]`
 * and an object its JSON text.
 */
export function claimsAsApiGatewayPasses(payload: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (Array.isArray(value)) out[name] = `[${value.map(String).join(' ')}]`;
    else if (value !== null && typeof value === 'object') out[name] = JSON.stringify(value);
    else out[name] = String(value);
  }
  return out;
}

export class LocalJwtAuthorizer {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(
    private readonly config: JwtAuthorizerConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async verify(authorization: string | undefined): Promise<JwtVerdict> {
    if (authorization === undefined || authorization.trim() === '') return { ok: false, reason: 'no token' };
    const token = authorization.replace(/^Bearer\s+/i, '').trim();
    try {
      const { payload } = await jwtVerify(token, await this.keySet(), {
        issuer: this.config.issuer,
        algorithms: ['RS256', 'ES256'],
        requiredClaims: ['exp'],
        currentDate: this.now(),
      });
      const audiences = [
        ...(Array.isArray(payload.aud) ? payload.aud : payload.aud === undefined ? [] : [payload.aud]),
        ...(typeof payload.client_id === 'string' ? [payload.client_id] : []),
      ];
      if (!audiences.some((a) => this.config.audience.includes(a)))
        return { ok: false, reason: 'audience not accepted' };
      if (typeof payload.iat === 'number' && payload.iat * 1000 > this.now().getTime())
        return { ok: false, reason: 'issued in the future' };
      return { ok: true, claims: claimsAsApiGatewayPasses(payload) };
    } catch (error) {
      if (error instanceof errors.JOSEError) return { ok: false, reason: `${error.code}: ${error.message}` };
      throw error;
    }
  }

  private async keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks === undefined) {
      const response = await fetch(`${this.config.issuer}/.well-known/openid-configuration`);
      if (!response.ok)
        throw new Error(`OIDC discovery of ${this.config.issuer} answered ${response.status}`);
      const discovery = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (discovery.issuer !== this.config.issuer || typeof discovery.jwks_uri !== 'string')
        throw new Error(`OIDC discovery of ${this.config.issuer}: issuer or jwks_uri do not match`);
      this.jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    }
    return this.jwks;
  }
}

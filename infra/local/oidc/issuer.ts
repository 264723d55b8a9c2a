/**
 * A small OIDC issuer for local use: discovery, JWKS (an RS256 and an ES256 key made at start),
 * tokens for the identities file's people, and the authorization code flow with PKCE (S256) so
 * a web page can sign in. `npx meshwarden login --local --as alice` asks it for a token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { close, listen, readBody } from '../http-server';
import type { Person } from './people';

export type SigningAlgorithm = 'RS256' | 'ES256';

/** The audience local tokens carry and the local HTTP API accepts. */
export const LOCAL_AUDIENCE = 'meshwarden';
const TOKEN_SECONDS = 3600;
const CODE_SECONDS = 60;
const MAX_FORM_BYTES = 16 * 1024;
const CORS_ROUTES = ['GET /.well-known/openid-configuration', 'GET /.well-known/jwks.json', 'POST /token'];

export interface TokenOptions {
  readonly audience?: string;
  /** Seconds from now; negative for a token that has expired already. */
  readonly expiresIn?: number;
  /** Seconds from now before which the token is not valid. */
  readonly notBefore?: number;
  /** Seconds from now at which the token says it was issued. */
  readonly issuedAt?: number;
  readonly alg?: SigningAlgorithm;
  /** Extra or changed claims. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

interface PendingCode {
  readonly person: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly nonce: string | undefined;
  readonly expiresAt: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Only pages on this machine may receive codes: the issuer signs anyone in without a password. */
function isLocalRedirect(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

export class LocalOidcIssuer {
  private readonly server: Server;
  private readonly keys = new Map<SigningAlgorithm, { kid: string; privateKey: CryptoKey; jwk: JWK }>();
  private readonly codes = new Map<string, PendingCode>();
  private url: string | undefined;

  private constructor(
    private readonly people: readonly Person[],
    private readonly now: () => Date,
  ) {
    this.server = createServer((req, res) => {
      void this.serve(req, res).catch((error: unknown) => {
        send(res, 500, { error: 'server_error', error_description: String(error) });
      });
    });
  }

  /** Make the signing keys and start listening; `port` 0 picks a free one. */
  static async start(
    people: readonly Person[],
    options: { port?: number; now?: () => Date } = {},
  ): Promise<LocalOidcIssuer> {
    const issuer = new LocalOidcIssuer(people, options.now ?? (() => new Date()));
    for (const alg of ['RS256', 'ES256'] as const) {
      const { privateKey, publicKey } = await generateKeyPair(alg);
      const kid = `local-${alg.toLowerCase()}-${randomBytes(4).toString('hex')}`;
      issuer.keys.set(alg, {
        kid,
        privateKey,
        jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
      });
    }
    const port = await listen(issuer.server, options.port ?? 4569, '127.0.0.1');
    issuer.url = `http://127.0.0.1:${port}`;
    return issuer;
  }

  /** The `iss` of its tokens, and the base of its discovery document. */
  get issuer(): string {
    if (this.url === undefined) throw new Error('the issuer is not listening');
    return this.url;
  }

  /** The names of the people it signs tokens for. */
  names(): string[] {
    return this.people.map((p) => p.name);
  }

  /** A token for one of the people. */
  async sign(name: string, options: TokenOptions = {}): Promise<string> {
    const person = this.people.find((p) => p.name === name);
    if (person === undefined)
      throw new Error(`no person "${name}" in the identities file; known: ${this.names().join(', ')}`);
    const key = this.keys.get(options.alg ?? 'RS256');
    if (key === undefined) throw new Error(`no ${options.alg} key`);
    const now = Math.floor(this.now().getTime() / 1000);
    return new SignJWT({ sub: person.name, ...person.claims, ...options.claims })
      .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: key.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(options.audience ?? LOCAL_AUDIENCE)
      .setIssuedAt(now + (options.issuedAt ?? 0))
      .setNotBefore(now + (options.notBefore ?? 0))
      .setExpirationTime(now + (options.expiresIn ?? TOKEN_SECONDS))
      .setJti(randomBytes(8).toString('hex'))
      .sign(key.privateKey);
  }

  close(): Promise<void> {
    return close(this.server);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    const route = `${req.method} ${url.pathname}`;
    // A page signs in from its own origin: like the identity providers that serve single-page
    // apps, the issuer lets any origin read its discovery, keys and token answers (the code
    // and its PKCE verifier protect the token endpoint, not the origin).
    if (CORS_ROUTES.includes(route)) res.setHeader('access-control-allow-origin', '*');
    switch (route) {
      case 'GET /.well-known/openid-configuration':
        return send(res, 200, {
          issuer: this.issuer,
          authorization_endpoint: `${this.issuer}/authorize`,
          token_endpoint: `${this.issuer}/token`,
          jwks_uri: `${this.issuer}/.well-known/jwks.json`,
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256', 'ES256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none'],
          scopes_supported: ['openid', 'email', 'groups'],
        });
      case 'GET /.well-known/jwks.json':
        return send(res, 200, { keys: [...this.keys.values()].map((k) => k.jwk) });
      case 'GET /authorize':
        return this.authorizePage(url.searchParams, res);
      case 'POST /authorize':
        return this.authorizeChoice(await form(req), res);
      case 'POST /token':
        return this.token(await form(req), res);
      case 'POST /local/token': {
        // The CLI's `login --local`: a token for a named person, no browser.
        const params = await form(req);
        const name = params.get('as') ?? '';
        if (!this.names().includes(name))
          return send(res, 400, {
            error: 'invalid_request',
            error_description: `no person "${name}"; known: ${this.names().join(', ')}`,
          });
        return send(res, 200, {
          access_token: await this.sign(name),
          token_type: 'Bearer',
          expires_in: TOKEN_SECONDS,
        });
      }
      default:
        return send(res, 404, { error: 'not_found' });
    }
  }

  /** Step 1 of the code flow: check the request, then let the person pick who they are. */
  private authorizePage(params: URLSearchParams, res: ServerResponse): void {
    const problem = authorizeRequestProblem(params);
    if (problem !== undefined) {
      send(res, 400, { error: 'invalid_request', error_description: problem });
      return;
    }
    const hidden = ['client_id', 'redirect_uri', 'state', 'code_challenge', 'nonce']
      .map((n) => `<input type="hidden" name="${n}" value="${escapeHtml(params.get(n) ?? '')}">`)
      .join('');
    const buttons = this.people
      .map((p) => {
        const claims = Object.entries(p.claims)
          .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
          .join(' ');
        return `<li><button name="person" value="${escapeHtml(p.name)}">${escapeHtml(p.name)}</button> <small>${escapeHtml(claims)}</small></li>`;
      })
      .join('');
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>meshwarden local sign-in</title></head><body><h1>Sign in to meshwarden (local)</h1><p>Pick an identity of the identities file. This issuer is for local use only.</p><form method="post" action="/authorize">${hidden}<ul>${buttons}</ul></form></body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  }

  private authorizeChoice(params: URLSearchParams, res: ServerResponse): void {
    const problem =
      authorizeRequestProblem(
        new URLSearchParams([...params, ['response_type', 'code'], ['code_challenge_method', 'S256']]),
      ) ??
      (this.names().includes(params.get('person') ?? '')
        ? undefined
        : 'person: not one of the identities file');
    if (problem !== undefined) {
      send(res, 400, { error: 'invalid_request', error_description: problem });
      return;
    }
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, {
      person: params.get('person') as string,
      clientId: params.get('client_id') as string,
      redirectUri: params.get('redirect_uri') as string,
      challenge: params.get('code_challenge') as string,
      nonce: params.get('nonce') ?? undefined,
      expiresAt: this.now().getTime() + CODE_SECONDS * 1000,
    });
    const target = new URL(params.get('redirect_uri') as string);
    target.searchParams.set('code', code);
    if (params.get('state')) target.searchParams.set('state', params.get('state') as string);
    res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store' });
    res.end();
  }

  /** Step 2: a code and its PKCE verifier for tokens. A code works once. */
  private async token(params: URLSearchParams, res: ServerResponse): Promise<void> {
    if (params.get('grant_type') !== 'authorization_code')
      return send(res, 400, { error: 'unsupported_grant_type' });
    const code = params.get('code') ?? '';
    const pending = this.codes.get(code);
    this.codes.delete(code);
    const verifier = params.get('code_verifier') ?? '';
    const invalid = (description: string) =>
      send(res, 400, { error: 'invalid_grant', error_description: description });
    if (pending === undefined || pending.expiresAt <= this.now().getTime())
      return invalid('unknown, used or expired code');
    if (pending.clientId !== params.get('client_id') || pending.redirectUri !== params.get('redirect_uri'))
      return invalid('client_id or redirect_uri differ from the authorization request');
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier))
      return invalid('code_verifier: 43 to 128 unreserved characters');
    if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge)
      return invalid('code_verifier does not match the code_challenge');
    const accessToken = await this.sign(pending.person);
    const idToken = await this.sign(pending.person, {
      audience: pending.clientId,
      ...(pending.nonce === undefined ? {} : { claims: { nonce: pending.nonce } }),
    });
    send(res, 200, {
      access_token: accessToken,
      id_token: idToken,
      token_type: 'Bearer',
      expires_in: TOKEN_SECONDS,
    });
  }
}

function authorizeRequestProblem(params: URLSearchParams): string | undefined {
  if (params.get('response_type') !== 'code') return 'response_type: only "code" is supported';
  if (!params.get('client_id')) return 'client_id: required';
  if (!isLocalRedirect(params.get('redirect_uri') ?? ''))
    return 'redirect_uri: must be an http URL on 127.0.0.1 or localhost';
  if (params.get('code_challenge_method') !== 'S256') return 'code_challenge_method: only S256 is supported';
  if (!/^[A-Za-z0-9_-]{43}$/.test(params.get('code_challenge') ?? ''))
    return 'code_challenge: the base64url SHA-256 of the code verifier';
  return undefined;
}

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(req, MAX_FORM_BYTES)).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

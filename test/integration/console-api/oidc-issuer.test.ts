import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE, LocalOidcIssuer } from '../../../infra/local/oidc/issuer';
import { LocalJwtAuthorizer } from '../../../infra/local/oidc/jwt-authorizer';
import { DEFAULT_PEOPLE } from '../../../infra/local/oidc/people';

/** The local OIDC issuer over HTTP, and the local JWT authorizer that trusts it. */
describe('local OIDC issuer', () => {
  let issuer: LocalOidcIssuer;
  let authorizer: LocalJwtAuthorizer;
  const redirectUri = 'http://127.0.0.1:5173/callback';

  beforeAll(async () => {
    issuer = await LocalOidcIssuer.start(DEFAULT_PEOPLE);
    authorizer = new LocalJwtAuthorizer({ issuer: issuer.issuer, audience: [LOCAL_AUDIENCE] });
  });
  afterAll(() => issuer.close());

  const pkce = () => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };

  async function authorize(challenge: string, person = 'alice', redirect = redirectUri): Promise<Response> {
    return fetch(`${issuer.issuer}/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: 'console',
        redirect_uri: redirect,
        state: 's-1',
        code_challenge: challenge,
        person,
      }).toString(),
    });
  }

  const exchange = (code: string, verifier: string) =>
    fetch(`${issuer.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        client_id: 'console',
        redirect_uri: redirectUri,
      }).toString(),
    });

  it('publishes discovery and a JWKS with an RS256 and an ES256 key', async () => {
    // Act
    const discovery = (await (await fetch(`${issuer.issuer}/.well-known/openid-configuration`)).json()) as {
      jwks_uri: string;
    };
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: { alg: string }[] };
    // Assess
    expect(discovery).toMatchObject({
      issuer: issuer.issuer,
      authorization_endpoint: `${issuer.issuer}/authorize`,
      token_endpoint: `${issuer.issuer}/token`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(jwks.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(JSON.stringify(jwks)).not.toMatch(/"d":/);
  });

  it('signs a person in with the code flow and PKCE, once per code', async () => {
    // Prepare
    const { verifier, challenge } = pkce();
    const page = await fetch(
      `${issuer.issuer}/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: 'console',
        redirect_uri: redirectUri,
        state: 's-1',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      })}`,
    );
    // Act
    const redirect = await authorize(challenge);
    const location = new URL(redirect.headers.get('location') ?? '');
    const code = location.searchParams.get('code') ?? '';
    const wrong = await exchange(code, pkce().verifier);
    const { verifier: v2, challenge: c2 } = pkce();
    const code2 = new URL((await authorize(c2)).headers.get('location') ?? '').searchParams.get('code') ?? '';
    const exchanged = await exchange(code2, v2);
    const tokens = (await exchanged.json()) as { access_token: string };
    const reused = await exchange(code2, v2);
    const verdict = await authorizer.verify(`Bearer ${tokens.access_token}`);
    // Assess
    expect(await page.text()).toContain('web-deploy');
    expect(redirect.status).toBe(302);
    expect(location.searchParams.get('state')).toBe('s-1');
    expect(wrong.status).toBe(400);
    expect(verifier).not.toBe(v2);
    expect(reused.status).toBe(400);
    // A page on another origin (the console) may read the token answer, as identity providers allow.
    expect(exchanged.headers.get('access-control-allow-origin')).toBe('*');
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    expect(verdict).toMatchObject({
      ok: true,
      claims: { sub: 'alice', email: 'alice@acme.example', groups: '[developers]', iss: issuer.issuer },
    });
  });

  it('refuses a redirect off this machine and a plain code challenge', async () => {
    // Act
    const offMachine = await authorize(pkce().challenge, 'alice', 'https://evil.example/cb');
    const plain = await authorize('too-short');
    // Assess
    expect(offMachine.status).toBe(400);
    expect(((await offMachine.json()) as { error_description: string }).error_description).toMatch(
      /redirect_uri/,
    );
    expect(plain.status).toBe(400);
  });

  it('makes the authorizer refuse an HS256 token and accept an ES256 one', async () => {
    // Prepare
    const now = Math.floor(Date.now() / 1000);
    const hs256 = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(issuer.issuer)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode('a shared secret anyone could guess'));
    // Act
    const refused = await authorizer.verify(`Bearer ${hs256}`);
    const es256 = await authorizer.verify(await issuer.sign('victor', { alg: 'ES256' }));
    const future = await authorizer.verify(await issuer.sign('victor', { issuedAt: 3600 }));
    // Assess
    expect(refused.ok).toBe(false);
    expect(es256.ok).toBe(true);
    expect(future).toEqual({ ok: false, reason: 'issued in the future' });
  });
});

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toProxyEventV2 } from '../../../infra/local/http-api';
import { type ConsoleApiDeps, handleApiRequest } from '../../../shared/console-api/handle';
import {
  contentSecurityPolicy,
  loadConsolePage,
  matchesEtag,
  servePageFile,
  withEtag,
} from '../../../shared/console-api/page';
import { json } from '../../../shared/console-api/request';
import { CONSOLE_PAGE_ROUTE_KEYS, CONSOLE_ROUTES } from '../../../shared/console-api/route-keys';

const DIR = fileURLToPath(new URL('../../../functions/console-api/page', import.meta.url));
const SIGN_IN = { issuer: 'https://idp.example/realms/acme', clientId: 'meshwarden-console' };

function request(routeKey: string, headers: Record<string, string> = {}) {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  return toProxyEventV2(
    { method, url: path, headers, body: Buffer.alloc(0), sourceIp: '127.0.0.1' },
    routeKey,
    new Date('2026-12-06T10:00:00Z'),
  );
}

describe('the console page routes', () => {
  const page = loadConsolePage(DIR, SIGN_IN);

  it('are in the one route list without the authorizer; every /api/* route has it', () => {
    for (const route of CONSOLE_ROUTES) {
      expect(route.authorizer).toBe(route.key.includes(' /api/') ? 'jwt' : 'none');
    }
    expect(CONSOLE_PAGE_ROUTE_KEYS).toEqual([
      'GET /',
      'GET /console/console.js',
      'GET /console/console.css',
      'GET /console/config.json',
    ]);
  });

  it('serves the page without a token, with its security policy, and the sign-in configuration', async () => {
    // Act: no claims on the event, as for a public route
    const deps = { page } as unknown as ConsoleApiDeps;
    const html = await handleApiRequest(deps, request('GET /'));
    const config = await handleApiRequest(deps, request('GET /console/config.json'));
    const script = await handleApiRequest(deps, request('GET /console/console.js'));
    const api = await handleApiRequest(deps, request('GET /api/meshes'));
    // Assess
    expect(html.statusCode).toBe(200);
    expect(html.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(String(html.body)).toContain('<script type="module" src="/console/console.js"></script>');
    expect(html.headers?.['content-security-policy']).toContain("connect-src 'self' https://idp.example;");
    expect(html.headers?.['content-security-policy']).toContain("script-src 'self';");
    expect(JSON.parse(String(config.body))).toEqual({
      issuer: SIGN_IN.issuer,
      clientId: SIGN_IN.clientId,
      scope: 'openid email',
    });
    expect(script.headers?.['content-type']).toBe('text/javascript; charset=utf-8');
    // The page routes open nothing else: the API still wants a verified token.
    expect(api.statusCode).toBe(401);
  });

  it('answers 304 when the browser has the current file, 200 when its copy is stale', () => {
    const first = servePageFile(page, 'GET /console/console.css', undefined);
    const etag = String(first.headers?.etag);
    expect(first.statusCode).toBe(200);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(servePageFile(page, 'GET /console/console.css', etag)).toMatchObject({ statusCode: 304 });
    expect(servePageFile(page, 'GET /console/console.css', etag).body).toBeUndefined();
    expect(servePageFile(page, 'GET /console/console.css', '"stale"').statusCode).toBe(200);
  });

  it('matches If-None-Match lists, weak tags and *', () => {
    expect(matchesEtag('"a", W/"b"', '"b"')).toBe(true);
    expect(matchesEtag('*', '"b"')).toBe(true);
    expect(matchesEtag('"a"', '"b"')).toBe(false);
    expect(matchesEtag(undefined, '"b"')).toBe(false);
  });

  it('tags JSON answers so a polling page gets 304 for an unchanged one, and leaves errors alone', () => {
    const answer = withEtag(json(200, { n: 1 }), undefined);
    const again = withEtag(json(200, { n: 1 }), String(answer.headers?.etag));
    const changed = withEtag(json(200, { n: 2 }), String(answer.headers?.etag));
    const error = withEtag(json(404, { message: 'no' }), '*');
    expect(answer.statusCode).toBe(200);
    expect(again).toEqual({
      statusCode: 304,
      headers: expect.objectContaining({ etag: answer.headers?.etag }),
    });
    expect(changed.statusCode).toBe(200);
    expect(error.statusCode).toBe(404);
    expect(error.headers?.etag).toBeUndefined();
  });

  it('allows calls only to the issuer’s origin besides its own', () => {
    expect(contentSecurityPolicy('http://127.0.0.1:4569')).toContain(
      "connect-src 'self' http://127.0.0.1:4569;",
    );
    expect(contentSecurityPolicy('http://127.0.0.1:4569')).toContain("frame-ancestors 'none'");
  });
});

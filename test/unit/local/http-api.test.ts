import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromProxyResultV2, LocalHttpApi, toProxyEventV2 } from '../../../infra/local/http-api';

describe('local HTTP API (payload format 2.0)', () => {
  const received: APIGatewayProxyEventV2[] = [];
  const api = new LocalHttpApi([
    {
      routeKey: 'POST /slack/interactions',
      invoke: async (event) => {
        received.push(event);
        return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };
      },
    },
    { routeKey: 'POST /broken', invoke: async () => Promise.reject(new Error('handler threw')) },
  ]);
  let url = '';
  beforeAll(async () => {
    url = `http://127.0.0.1:${await api.listen(0)}`;
  });
  afterAll(() => api.close());

  it('hands the handler a base64 body, lower-case headers and the route key, and returns its answer', async () => {
    const res = await fetch(`${url}/slack/interactions?x=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Signature': 'v0=abc' },
      body: 'payload=%7B%7D',
    });

    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    const event = received.at(-1);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /slack/interactions',
      rawPath: '/slack/interactions',
      rawQueryString: 'x=1',
      isBase64Encoded: true,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-signature': 'v0=abc' },
      requestContext: { http: { method: 'POST', path: '/slack/interactions' }, stage: '$default' },
    });
    expect(Buffer.from(event?.body ?? '', 'base64').toString()).toBe('payload=%7B%7D');
  });

  it('answers 404 for a route it does not have, 413 for an oversized body, 500 when the handler throws', async () => {
    expect((await fetch(`${url}/nope`, { method: 'POST' })).status).toBe(404);
    expect(
      (await fetch(`${url}/slack/interactions`, { method: 'POST', body: 'x'.repeat(10 * 1024 * 1024 + 1) }))
        .status,
    ).toBe(413);
    const broken = await fetch(`${url}/broken`, { method: 'POST', body: '{}' });
    expect(broken.status).toBe(500);
    expect(await broken.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('invokes a public route (authorizer none) without a token and without claims', async () => {
    // Prepare: no JWT authorizer is set, so a `jwt` route would answer 401
    const seen: APIGatewayProxyEventV2[] = [];
    const open = new LocalHttpApi([
      {
        routeKey: 'GET /',
        authorizer: 'none',
        invoke: async (event) => {
          seen.push(event);
          return { statusCode: 200, headers: { 'content-type': 'text/html' }, body: '<!doctype html>' };
        },
      },
    ]);
    const openUrl = `http://127.0.0.1:${await open.listen(0)}`;
    try {
      // Act
      const res = await fetch(`${openUrl}/`);
      // Assess
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('<!doctype html>');
      expect(seen).toHaveLength(1);
      expect(seen[0]?.requestContext).not.toHaveProperty('authorizer');
    } finally {
      await open.close();
    }
  });

  it('takes a non-structured handler answer as a JSON body with status 200', () => {
    expect(fromProxyResultV2({ ok: true })).toMatchObject({ status: 200, body: Buffer.from('{"ok":true}') });
  });

  it('leaves out the body of an empty request, as API Gateway does', () => {
    const event = toProxyEventV2(
      { method: 'GET', url: '/x', headers: {}, body: Buffer.alloc(0), sourceIp: '127.0.0.1' },
      'GET /x',
      new Date(0),
    );
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
  });
});

describe('local HTTP API: path parameters and the JWT authorizer', () => {
  const received: APIGatewayProxyEventV2[] = [];
  const record = async (event: APIGatewayProxyEventV2) => {
    received.push(event);
    return { statusCode: 200, body: '' };
  };
  const api = new LocalHttpApi([
    { routeKey: 'GET /api/things', invoke: record, authorizer: 'jwt' },
    { routeKey: 'GET /api/things/{id}', invoke: record, authorizer: 'jwt' },
    { routeKey: 'GET /api/things/special', invoke: record, authorizer: 'jwt' },
    { routeKey: 'GET /open/{rest+}', invoke: record },
  ]);
  let url = '';
  beforeAll(async () => {
    url = `http://127.0.0.1:${await api.listen(0)}`;
  });
  afterAll(() => api.close());

  it('answers 401 on an authorized route until an authorizer is set, without invoking anything', async () => {
    // Prepare
    const invoked: unknown[] = [];
    const bare = new LocalHttpApi([
      { routeKey: 'GET /api/things/{id}', invoke: async (e) => invoked.push(e), authorizer: 'jwt' },
    ]);
    const bareUrl = `http://127.0.0.1:${await bare.listen(0)}`;
    try {
      // Act
      const res = await fetch(`${bareUrl}/api/things/a`, { headers: { authorization: 'Bearer x' } });
      // Assess
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: 'Unauthorized' });
      expect(invoked).toEqual([]);
    } finally {
      await bare.close();
    }
  });

  it('matches templates, prefers the most specific route, decodes parameters, and takes greedy ones', async () => {
    // Prepare
    api.useJwtAuthorizer({
      verify: async () => ({ ok: true, claims: { sub: 'alice', iss: 'http://issuer' } }),
    } as unknown as import('../../../infra/local/oidc/jwt-authorizer').LocalJwtAuthorizer);
    // Act
    await fetch(`${url}/api/things/a%20b`);
    await fetch(`${url}/api/things/special`);
    await fetch(`${url}/open/x/y/z`);
    const missing = await fetch(`${url}/api/things/a/b`);
    // Assess
    expect(received.map((e) => [e.routeKey, e.pathParameters])).toEqual([
      ['GET /api/things/{id}', { id: 'a b' }],
      ['GET /api/things/special', undefined],
      ['GET /open/{rest+}', { rest: 'x/y/z' }],
    ]);
    expect(received[0]?.requestContext).toMatchObject({
      authorizer: { jwt: { claims: { sub: 'alice', iss: 'http://issuer' } } },
    });
    expect(missing.status).toBe(404);
  });
});

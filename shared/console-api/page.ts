/**
 * The console page: one HTML file, one JS module and a stylesheet, served by the HTTP API's
 * public page routes, and the sign-in configuration the page reads before anyone has a token.
 * Files are read once at cold start; each answer carries a strong ETag so a browser revalidates
 * with If-None-Match and gets a 304 when nothing changed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpResult } from './request';
import type { ConsolePageRouteKey } from './route-keys';

/** What the page needs to sign people in: the issuer the JWT authorizer trusts, and its client id. */
export interface SignInConfig {
  readonly issuer: string;
  readonly clientId: string;
}

interface PageFile {
  readonly body: string;
  readonly contentType: string;
  readonly etag: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type ConsolePage = Readonly<Record<ConsolePageRouteKey, PageFile>>;

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

function file(body: string, contentType: string, headers?: Record<string, string>): PageFile {
  return { body, contentType, etag: etagOf(body), ...(headers === undefined ? {} : { headers }) };
}

/**
 * The page's security policy: its own script and style only, no inline code, calls to the API
 * (same origin) and to the issuer's token endpoint, never framed.
 */
export function contentSecurityPolicy(issuer: string): string {
  const origin = new URL(issuer).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${origin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Read the page's files from `dir` (the function's assets folder) and its sign-in configuration. */
export function loadConsolePage(dir: string, signIn: SignInConfig): ConsolePage {
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    'GET /': file(read('index.html'), 'text/html; charset=utf-8', {
      'content-security-policy': contentSecurityPolicy(signIn.issuer),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    }),
    'GET /console/console.js': file(read('console.js'), 'text/javascript; charset=utf-8'),
    'GET /console/console.css': file(read('console.css'), 'text/css; charset=utf-8'),
    'GET /console/config.json': file(
      JSON.stringify({ issuer: signIn.issuer, clientId: signIn.clientId, scope: 'openid email' }),
      'application/json',
    ),
  };
}

/** Answer a page route; 304 when the browser's copy (If-None-Match) is current. */
export function servePageFile(
  page: ConsolePage,
  routeKey: ConsolePageRouteKey,
  ifNoneMatch: string | undefined,
): HttpResult {
  const found = page[routeKey];
  const headers = {
    'content-type': found.contentType,
    // Revalidate every time: a deploy changes the files, and the ETag makes revalidation cheap.
    'cache-control': 'no-cache',
    etag: found.etag,
    ...found.headers,
  };
  if (matchesEtag(ifNoneMatch, found.etag)) return { statusCode: 304, headers };
  return { statusCode: 200, headers, body: found.body };
}

/** If-None-Match holds the ETag (a list, weak or strong, or `*`). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

/** A JSON answer with its ETag; 304 without a body when the caller's copy is current. */
export function withEtag(result: HttpResult, ifNoneMatch: string | undefined): HttpResult {
  if (result.statusCode !== 200 || typeof result.body !== 'string') return result;
  const etag = etagOf(result.body);
  const headers = { ...result.headers, etag };
  if (matchesEtag(ifNoneMatch, etag)) return { statusCode: 304, headers };
  return { ...result, headers };
}

import * as sdk from '@aws-sdk/client-app-mesh';
import { describe, expect, it } from 'vitest';
import { API_ROUTES, MalformedPathError, matchRoute } from '../../../infra/local/services/appmesh/routes';

/** The SDK's own operation schemas: `[9, namespace, name, { http: [method, uri, code] }, ...]`. */
function sdkOperations(): { operation: string; method: string; uri: string }[] {
  const out: { operation: string; method: string; uri: string }[] = [];
  for (const value of Object.values(sdk as Record<string, unknown>)) {
    if (!Array.isArray(value) || value[0] !== 9) continue;
    const traits = value[3] as { http?: [string, string, number] };
    if (traits.http === undefined) continue;
    out.push({ operation: String(value[2]), method: traits.http[0], uri: traits.http[1] });
  }
  return out;
}

describe('App Mesh route table', () => {
  it('has exactly the operations, methods and URIs of the SDK', () => {
    const expected = sdkOperations().sort((a, b) => a.operation.localeCompare(b.operation));

    const actual = API_ROUTES.map((r) => ({
      operation: r.operation,
      method: r.method,
      uri: r.template,
    })).sort((a, b) => a.operation.localeCompare(b.operation));

    expect(expected).toHaveLength(38);
    expect(actual).toEqual(expected);
  });

  it('marks exactly the Describe and List operations read-only', () => {
    const readOnly = API_ROUTES.filter((r) => r.readOnly).map((r) => r.operation);

    expect(readOnly.every((op) => /^(Describe|List)/.test(op))).toBe(true);
    expect(readOnly).toHaveLength(API_ROUTES.filter((r) => /^(Describe|List)/.test(r.operation)).length);
  });

  it('matches a path and decodes its parameters per segment', () => {
    const match = matchRoute('DELETE', '/v20190125/meshes/m%201/virtualRouter/a%2Fb/routes/r');

    expect(match?.route.operation).toBe('DeleteRoute');
    expect(match?.params).toEqual({ meshName: 'm 1', virtualRouterName: 'a/b', routeName: 'r' });
  });

  it('tells the router item path from the route collection path', () => {
    expect(matchRoute('GET', '/v20190125/meshes/m/virtualRouters/r')?.route.operation).toBe(
      'DescribeVirtualRouter',
    );
    expect(matchRoute('GET', '/v20190125/meshes/m/virtualRouter/r/routes')?.route.operation).toBe(
      'ListRoutes',
    );
  });

  it('matches nothing for an unknown path, a wrong method or an empty parameter', () => {
    expect(matchRoute('GET', '/v20190125/unknown')).toBeUndefined();
    expect(matchRoute('POST', '/v20190125/meshes')).toBeUndefined();
    expect(matchRoute('GET', '/v20190125/meshes//virtualNodes')).toBeUndefined();
  });

  it('throws MalformedPathError for broken percent-encoding', () => {
    expect(() => matchRoute('GET', '/v20190125/meshes/%E0%A4%A')).toThrow(MalformedPathError);
  });
});

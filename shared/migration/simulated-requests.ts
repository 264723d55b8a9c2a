/**
 * Requests to try on both sides, derived from the routes' own matches and their edges: each path
 * as it is, one character short, with "/x" and "x" after it, without or with a trailing slash, in
 * capitals; each header set as the route wants it, with one header missing, another value, or in
 * capitals; the routes' methods and two others. Every route's headers are tried on its own paths;
 * on the other routes' paths too while the product stays small, so order between routes is tried.
 */
import type { HeaderMatch, MeshResourceOf } from '../providers/appmesh/model';
import type { SimulatedRequest } from './plan-model';

type Route = MeshResourceOf<'route'>;
type Headers = Readonly<Record<string, string>>;

/** Past this many (header set, path) pairs per listener, header sets are tried on their own route's paths only. */
const CROSS_PRODUCT_LIMIT = 20_000;

function pathEdges(path: string): string[] {
  const out = [path, `${path}x`, `${path}/x`, path.toUpperCase(), path.toLowerCase()];
  if (path.length > 1) out.push(path.slice(0, -1));
  out.push(path.endsWith('/') ? path.replace(/\/+$/, '') || '/' : `${path}/`);
  return out;
}

/** A value that satisfies the header match, when one can be made. */
function satisfying(h: HeaderMatch): string | undefined {
  const m = h.match;
  if (m === undefined) return 'present';
  if ('exact' in m) return m.exact;
  if ('prefix' in m) return `${m.prefix}-x`;
  if ('suffix' in m) return `x-${m.suffix}`;
  if ('range' in m) return String(m.range.start);
  return regexSample(m.regex) || 'x';
}

function headerVariants(headers: readonly HeaderMatch[]): Headers[] {
  if (headers.length === 0) return [];
  const wanted: Record<string, string> = {};
  for (const h of headers) {
    const v = satisfying(h);
    if (v !== undefined && h.invert !== true) wanted[h.name] = v;
  }
  const variants: Headers[] = [wanted];
  for (const h of headers) {
    const { [h.name]: value, ...without } = wanted;
    variants.push(without);
    variants.push({ ...wanted, [h.name]: 'zz-other' });
    if (value !== undefined) {
      variants.push({ ...wanted, [h.name]: value.toUpperCase() });
      variants.push({ ...wanted, [h.name]: `${value}x` });
      if (value.length > 1) variants.push({ ...wanted, [h.name]: value.slice(0, -1) });
      variants.push({ ...without, [h.name.toUpperCase()]: value });
    }
  }
  return variants;
}

/** A string a simple regex takes: a class becomes its first character, `\d` a digit, `.` a letter. */
export function regexSample(pattern: string): string {
  return pattern
    .replace(/\[\^?([^\]])[^\]]*\]/g, '$1')
    .replace(/\\d/g, '1')
    .replace(/\\w/g, 'a')
    .replace(/\\(.)/g, '$1')
    .replace(/\.(?=[*+?]|$)|\.(?![*+?])/g, 'x')
    .replace(/[\^$()*+?{}|]/g, '');
}

function routeShape(route: Route): { paths: string[]; headers: readonly HeaderMatch[]; method?: string } {
  const http = route.spec.httpRoute ?? route.spec.http2Route;
  if (http !== undefined) {
    const m = http.match;
    const base =
      m.path?.exact ??
      (m.path?.regex !== undefined ? regexSample(m.path.regex) : undefined) ??
      m.prefix ??
      '/';
    return { paths: pathEdges(base), headers: m.headers ?? [], ...(m.method ? { method: m.method } : {}) };
  }
  const grpc = route.spec.grpcRoute;
  if (grpc !== undefined) {
    const { serviceName: s, methodName: m } = grpc.match;
    const paths =
      s === undefined
        ? ['/']
        : m === undefined
          ? [`/${s}/`, `/${s}/Any`, `/${s}`]
          : [`/${s}/${m}`, `/${s}/${m}x`, `/${s}/Other`];
    return { paths: paths.flatMap(pathEdges), headers: grpc.match.metadata ?? [], method: 'POST' };
  }
  return { paths: [], headers: [] };
}

/** The requests to try on one listener port of a router. */
export function requestsForRoutes(routes: readonly Route[], port: number): SimulatedRequest[] {
  const seen = new Set<string>();
  const out: SimulatedRequest[] = [];
  const add = (method: string, path: string, headers: Headers) => {
    const key = `${method} ${path} ${JSON.stringify(headers)}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ port, method, path, headers });
  };
  const shapes = routes.map(routeShape);
  const methods = [
    ...new Set(['GET', 'POST', 'PUT', 'DELETE', ...shapes.flatMap((s) => (s.method ? [s.method] : []))]),
  ];
  const allPaths = [...new Set(['/', '/other', ...shapes.flatMap((s) => s.paths)])];
  for (const path of allPaths)
    for (const method of methods) {
      add(method, path, {});
      // A header no route names must change nothing.
      add(method, path, { 'x-unrelated': '1' });
    }
  const primaryPaths = [...new Set(shapes.map((s) => s.paths[0] ?? '/'))];
  const variantsPerRoute = shapes.map((s) => headerVariants(s.headers));
  const cross = variantsPerRoute.reduce((n, v) => n + v.length, 0) * primaryPaths.length;
  for (const [i, shape] of shapes.entries()) {
    const variants = variantsPerRoute[i] ?? [];
    const paths =
      cross <= CROSS_PRODUCT_LIMIT ? [...new Set([...shape.paths, ...primaryPaths])] : shape.paths;
    const routeMethods = shape.method ? [shape.method, 'GET'] : ['GET', 'DELETE'];
    for (const headers of variants)
      for (const path of paths) for (const method of routeMethods) add(method, path, headers);
  }
  return out;
}

/** A few requests for a service a virtual node provides: any request goes to the node. */
export function requestsForNode(port: number): SimulatedRequest[] {
  return ['/', '/any/path', '/UPPER', '/healthz'].flatMap((path) =>
    ['GET', 'POST', 'PUT', 'DELETE'].flatMap((method): SimulatedRequest[] => [
      { port, method, path, headers: {} },
      { port, method, path, headers: { 'x-unrelated': '1' } },
    ]),
  );
}

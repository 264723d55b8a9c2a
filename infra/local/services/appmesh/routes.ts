import { KINDS, type KindName } from './resource-kinds';

/** What a route of the API does: one of the five verbs on a kind of resource, or a tag call. */
export type RouteAction =
  | { readonly verb: 'create' | 'describe' | 'update' | 'delete' | 'list'; readonly kind: KindName }
  | { readonly verb: 'tagResource' | 'untagResource' | 'listTagsForResource' };

export interface ApiRoute {
  readonly method: 'GET' | 'PUT' | 'DELETE';
  /** A URI template as the service model writes it, e.g. `/v20190125/meshes/{meshName}`. */
  readonly template: string;
  readonly operation: string;
  readonly action: RouteAction;
  /** The App Mesh `Describe*`/`List*` calls; CloudTrail marks them readOnly. */
  readonly readOnly: boolean;
}

/** A route that matched a request, with its path parameters percent-decoded. */
export interface RouteMatch {
  readonly route: ApiRoute;
  readonly params: Readonly<Record<string, string>>;
}

function kindRoutes(kind: KindName): ApiRoute[] {
  const { label, plural, collectionPath, nameMember } = KINDS[kind];
  const item = `${collectionPath}/{${nameMember}}`;
  return [
    {
      method: 'PUT',
      template: collectionPath,
      operation: `Create${label}`,
      action: { verb: 'create', kind },
      readOnly: false,
    },
    {
      method: 'GET',
      template: collectionPath,
      operation: `List${plural}`,
      action: { verb: 'list', kind },
      readOnly: true,
    },
    {
      method: 'GET',
      template: item,
      operation: `Describe${label}`,
      action: { verb: 'describe', kind },
      readOnly: true,
    },
    {
      method: 'PUT',
      template: item,
      operation: `Update${label}`,
      action: { verb: 'update', kind },
      readOnly: false,
    },
    {
      method: 'DELETE',
      template: item,
      operation: `Delete${label}`,
      action: { verb: 'delete', kind },
      readOnly: false,
    },
  ];
}

/** Every App Mesh operation: method + URI template -> operation. */
export const API_ROUTES: readonly ApiRoute[] = [
  ...(Object.keys(KINDS) as KindName[]).flatMap(kindRoutes),
  {
    method: 'PUT',
    template: '/v20190125/tag',
    operation: 'TagResource',
    action: { verb: 'tagResource' },
    readOnly: false,
  },
  {
    method: 'PUT',
    template: '/v20190125/untag',
    operation: 'UntagResource',
    action: { verb: 'untagResource' },
    readOnly: false,
  },
  {
    method: 'GET',
    template: '/v20190125/tags',
    operation: 'ListTagsForResource',
    action: { verb: 'listTagsForResource' },
    readOnly: true,
  },
];

interface CompiledRoute {
  readonly route: ApiRoute;
  /** Literal segments as text, parameters as `{ param }`. */
  readonly segments: readonly (string | { readonly param: string })[];
}

const COMPILED: readonly CompiledRoute[] = API_ROUTES.map((route) => ({
  route,
  segments: route.template
    .split('/')
    .slice(1)
    .map((segment) =>
      segment.startsWith('{') && segment.endsWith('}') ? { param: segment.slice(1, -1) } : segment,
    ),
}));

/** Thrown when a path segment is not valid percent-encoding. */
export class MalformedPathError extends Error {}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new MalformedPathError(`Path segment "${segment}" is not valid percent-encoding`, { cause: error });
  }
}

/**
 * The route a request takes, or undefined when no App Mesh operation has that method and
 * path. Segments are split before decoding so that an encoded `/` inside a name stays in it.
 */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const raw = path.split('/').slice(1);
  if (raw.length > 1 && raw.at(-1) === '') raw.pop();
  for (const { route, segments } of COMPILED) {
    if (route.method !== method || segments.length !== raw.length) continue;
    const params: Record<string, string> = {};
    const matched = segments.every((segment, i) => {
      const actual = raw[i] ?? '';
      if (typeof segment === 'string') return segment === actual;
      if (actual === '') return false;
      params[segment.param] = decodeSegment(actual);
      return true;
    });
    if (matched) return { route, params };
  }
  return undefined;
}

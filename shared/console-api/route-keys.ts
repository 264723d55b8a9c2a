/**
 * The HTTP API's routes (API Gateway route keys), the single list the function catalog deploys
 * and the handler's route tables serve. The page routes carry no token (a browser fetches the
 * page before anyone has signed in) and serve only static files and the sign-in configuration;
 * every `/api/*` route sits behind the JWT authorizer.
 */
export const CONSOLE_ROUTES = [
  { key: 'GET /', authorizer: 'none' },
  { key: 'GET /console/console.js', authorizer: 'none' },
  { key: 'GET /console/console.css', authorizer: 'none' },
  { key: 'GET /console/config.json', authorizer: 'none' },
  { key: 'GET /api/me', authorizer: 'jwt' },
  { key: 'GET /api/meshes', authorizer: 'jwt' },
  { key: 'GET /api/meshes/{mesh}', authorizer: 'jwt' },
  { key: 'GET /api/meshes/{mesh}/graph', authorizer: 'jwt' },
  { key: 'GET /api/deployments', authorizer: 'jwt' },
  { key: 'GET /api/deployments/{id}', authorizer: 'jwt' },
  { key: 'POST /api/deployments/{id}/promote', authorizer: 'jwt' },
  { key: 'POST /api/deployments/{id}/abort', authorizer: 'jwt' },
  { key: 'POST /api/deployments/{id}/rollback', authorizer: 'jwt' },
  { key: 'GET /api/decisions', authorizer: 'jwt' },
  { key: 'GET /api/approvals', authorizer: 'jwt' },
  { key: 'GET /api/approvals/{id}', authorizer: 'jwt' },
  { key: 'POST /api/approvals/{id}/approve', authorizer: 'jwt' },
  { key: 'POST /api/approvals/{id}/reject', authorizer: 'jwt' },
  { key: 'GET /api/certificates', authorizer: 'jwt' },
] as const;

type ConsoleRoute = (typeof CONSOLE_ROUTES)[number];

/** The routes behind the JWT authorizer. */
export type ConsoleApiRouteKey = Extract<ConsoleRoute, { authorizer: 'jwt' }>['key'];
/** The page's routes: no token, nothing but static files and the sign-in configuration. */
export type ConsolePageRouteKey = Extract<ConsoleRoute, { authorizer: 'none' }>['key'];

export const CONSOLE_API_ROUTE_KEYS = CONSOLE_ROUTES.filter((r) => r.authorizer === 'jwt').map(
  (r) => r.key,
) as readonly ConsoleApiRouteKey[];
export const CONSOLE_PAGE_ROUTE_KEYS = CONSOLE_ROUTES.filter((r) => r.authorizer === 'none').map(
  (r) => r.key,
) as readonly ConsolePageRouteKey[];

/**
 * The HTTP API's routes (API Gateway route keys), the single list the function catalog
 * deploys behind the JWT authorizer and the handler's route table serves.
 */
export const CONSOLE_API_ROUTE_KEYS = [
  'GET /api/meshes',
  'GET /api/meshes/{mesh}',
  'GET /api/deployments',
  'GET /api/deployments/{id}',
  'POST /api/deployments/{id}/promote',
  'POST /api/deployments/{id}/abort',
  'POST /api/deployments/{id}/rollback',
  'GET /api/decisions',
  'GET /api/approvals',
  'GET /api/approvals/{id}',
  'POST /api/approvals/{id}/approve',
  'POST /api/approvals/{id}/reject',
  'GET /api/certificates',
] as const;

export type ConsoleApiRouteKey = (typeof CONSOLE_API_ROUTE_KEYS)[number];

import * as z from 'zod';
import { ValidationError } from '../../../../shared/errors';
import { parseOrThrow } from '../../../../shared/validation';
import { badRequest } from './errors';

/**
 * Request validation for local App Mesh, shaped after the service model (botocore
 * `appmesh/2019-01-25`): member names, required members, string lengths, numeric ranges,
 * list sizes and enums. Structures strip members the model does not know, so a stored spec
 * holds only what App Mesh would store. Union shapes accept exactly one member, as the
 * service does.
 */

/** A Smithy union: every member optional, exactly one of them set. */
function union<T extends Record<string, z.ZodType>>(members: T) {
  return z
    .object(members)
    .partial()
    .superRefine(exactlyOne(Object.keys(members)));
}

/** A refinement: exactly one of `names` is set, as unions and the route kinds of a spec require. */
function exactlyOne(names: readonly string[]) {
  return (value: object, ctx: z.RefinementCtx) => {
    const set = names.filter((name) => (value as Record<string, unknown>)[name] !== undefined);
    if (set.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `exactly one of ${names.join(', ')} must be set (got ${set.length === 0 ? 'none' : set.join(', ')})`,
      });
    }
  };
}

const int = (min: number, max?: number) => {
  const base = z.number().int().min(min);
  return max === undefined ? base : base.max(max);
};
const text = (min: number, max?: number) =>
  max === undefined ? z.string().min(min) : z.string().min(min).max(max);
const list = <T extends z.ZodType>(item: T, min: number, max?: number) =>
  max === undefined ? z.array(item).min(min) : z.array(item).min(min).max(max);

/** ResourceName: mesh, node, router, route, gateway and gateway route names. */
export const resourceName = text(1, 255);
/** ServiceName: the virtual service name (a DNS name in practice; the model only asks for a string). */
export const serviceName = text(1, 255);
/** AccountId, as the `meshOwner` query parameter carries it. */
export const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit account id');

const port = int(1, 65535);
const portProtocol = z.enum(['http', 'tcp', 'http2', 'grpc']);
const gatewayPortProtocol = z.enum(['http', 'http2', 'grpc']);
const ipPreference = z.enum(['IPv6_PREFERRED', 'IPv4_PREFERRED', 'IPv4_ONLY', 'IPv6_ONLY']);
const duration = z.object({ unit: z.enum(['s', 'ms']).optional(), value: int(0).optional() });
const filePath = text(1, 255);
const headerMatch = text(1, 255);
const matchRange = z.object({ start: z.number().int(), end: z.number().int() });
const matchMethod = union({
  exact: headerMatch,
  prefix: headerMatch,
  range: matchRange,
  regex: headerMatch,
  suffix: headerMatch,
});
const subjectAlternativeNames = z.object({ match: z.object({ exact: z.array(text(1, 254)) }) });

// Tags

export const tagRef = z.object({ key: text(1, 128), value: z.string().max(256) });
export const tagList = list(tagRef, 0, 50).superRefine((tags, ctx) => {
  const seen = new Set<string>();
  for (const [i, tag] of tags.entries()) {
    if (seen.has(tag.key))
      ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `duplicate tag key "${tag.key}"` });
    seen.add(tag.key);
  }
});
export type TagRef = z.infer<typeof tagRef>;

// Routes

const weightedTarget = z.object({ virtualNode: resourceName, weight: int(0, 100), port: port.optional() });
const weightedTargets = list(weightedTarget, 1, 10);
const routeAction = z.object({ weightedTargets });
const httpRetryEvents = list(text(1, 25), 1, 25);
const tcpRetryEvents = list(z.enum(['connection-error']), 1, 1);
const httpTimeout = z.object({ perRequest: duration.optional(), idle: duration.optional() });
const httpPathMatch = z.object({ exact: text(1, 255).optional(), regex: text(1, 255).optional() });
const queryParameters = list(
  z.object({ name: z.string(), match: z.object({ exact: z.string().optional() }).optional() }),
  1,
  10,
);
const httpMethod = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
const namedMatch = z.object({
  name: text(1, 50),
  invert: z.boolean().optional(),
  match: matchMethod.optional(),
});

const httpRoute = z.object({
  match: z.object({
    prefix: z.string().optional(),
    path: httpPathMatch.optional(),
    queryParameters: queryParameters.optional(),
    method: httpMethod.optional(),
    scheme: z.enum(['http', 'https']).optional(),
    headers: list(namedMatch, 1, 10).optional(),
    port: port.optional(),
  }),
  action: routeAction,
  retryPolicy: z
    .object({
      perRetryTimeout: duration,
      maxRetries: int(0),
      httpRetryEvents: httpRetryEvents.optional(),
      tcpRetryEvents: tcpRetryEvents.optional(),
    })
    .optional(),
  timeout: httpTimeout.optional(),
});

const grpcRoute = z.object({
  action: routeAction,
  match: z.object({
    serviceName: z.string().optional(),
    methodName: text(1, 50).optional(),
    metadata: list(namedMatch, 1, 10).optional(),
    port: port.optional(),
  }),
  retryPolicy: z
    .object({
      perRetryTimeout: duration,
      maxRetries: int(0),
      grpcRetryEvents: list(
        z.enum(['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable']),
        1,
        5,
      ).optional(),
      httpRetryEvents: httpRetryEvents.optional(),
      tcpRetryEvents: tcpRetryEvents.optional(),
    })
    .optional(),
  timeout: httpTimeout.optional(),
});

const tcpRoute = z.object({
  action: routeAction,
  match: z.object({ port: port.optional() }).optional(),
  timeout: z.object({ idle: duration.optional() }).optional(),
});

/** RouteSpec: exactly one of httpRoute, http2Route, grpcRoute, tcpRoute. */
export const routeSpec = z
  .object({
    priority: int(0, 1000).optional(),
    httpRoute: httpRoute.optional(),
    http2Route: httpRoute.optional(),
    grpcRoute: grpcRoute.optional(),
    tcpRoute: tcpRoute.optional(),
  })
  .superRefine(exactlyOne(['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute']));

// TLS, shared by virtual nodes and virtual gateways

const listenerCertificate = union({
  acm: z.object({ certificateArn: text(1) }),
  file: z.object({ certificateChain: filePath, privateKey: filePath }),
  sds: z.object({ secretName: z.string() }),
});
const fileOrSdsTrust = union({
  file: z.object({ certificateChain: filePath }),
  sds: z.object({ secretName: z.string() }),
});
const listenerTls = z.object({
  mode: z.enum(['STRICT', 'PERMISSIVE', 'DISABLED']),
  certificate: listenerCertificate,
  validation: z
    .object({ trust: fileOrSdsTrust, subjectAlternativeNames: subjectAlternativeNames.optional() })
    .optional(),
});
const clientPolicy = z.object({
  tls: z
    .object({
      enforce: z.boolean().optional(),
      ports: z.array(port).optional(),
      certificate: union({
        file: z.object({ certificateChain: filePath, privateKey: filePath }),
        sds: z.object({ secretName: z.string() }),
      }).optional(),
      validation: z.object({
        trust: union({
          acm: z.object({ certificateAuthorityArns: list(text(1), 1, 3) }),
          file: z.object({ certificateChain: filePath }),
          sds: z.object({ secretName: z.string() }),
        }),
        subjectAlternativeNames: subjectAlternativeNames.optional(),
      }),
    })
    .optional(),
});
const backendDefaults = z.object({ clientPolicy: clientPolicy.optional() });
const logging = z.object({
  accessLog: union({
    file: z.object({
      path: filePath,
      format: union({
        text: text(1, 1000),
        json: z.array(z.object({ key: text(1, 100), value: text(1, 100) })),
      }).optional(),
    }),
  }).optional(),
});
const healthCheck = <P extends z.ZodType>(protocol: P) =>
  z.object({
    timeoutMillis: int(2000, 60000),
    intervalMillis: int(5000, 300000),
    protocol,
    healthyThreshold: int(2, 10),
    unhealthyThreshold: int(2, 10),
    port: port.optional(),
    path: z.string().optional(),
  });
const maxRequests = z.object({ maxRequests: int(1) });
const httpPool = z.object({ maxConnections: int(1), maxPendingRequests: int(1).optional() });

// Virtual nodes

/** VirtualNodeSpec: every member optional; each listener needs a port mapping. */
export const virtualNodeSpec = z.object({
  serviceDiscovery: union({
    dns: z.object({
      hostname: z.string(),
      responseType: z.enum(['LOADBALANCER', 'ENDPOINTS']).optional(),
      ipPreference: ipPreference.optional(),
    }),
    awsCloudMap: z.object({
      namespaceName: text(1, 1024),
      serviceName: text(1, 1024),
      attributes: z.array(z.object({ key: text(1, 255), value: text(1, 1024) })).optional(),
      ipPreference: ipPreference.optional(),
    }),
  }).optional(),
  listeners: z
    .array(
      z.object({
        portMapping: z.object({ port, protocol: portProtocol }),
        tls: listenerTls.optional(),
        healthCheck: healthCheck(portProtocol).optional(),
        timeout: union({
          tcp: z.object({ idle: duration.optional() }),
          http: httpTimeout,
          http2: httpTimeout,
          grpc: httpTimeout,
        }).optional(),
        outlierDetection: z
          .object({
            maxServerErrors: int(1),
            interval: duration,
            baseEjectionDuration: duration,
            maxEjectionPercent: int(0, 100),
          })
          .optional(),
        connectionPool: union({
          tcp: z.object({ maxConnections: int(1) }),
          http: httpPool,
          http2: maxRequests,
          grpc: maxRequests,
        }).optional(),
      }),
    )
    .optional(),
  backends: z
    .array(
      union({
        virtualService: z.object({ virtualServiceName: serviceName, clientPolicy: clientPolicy.optional() }),
      }),
    )
    .optional(),
  backendDefaults: backendDefaults.optional(),
  logging: logging.optional(),
});

// Virtual routers, services, gateways, gateway routes, meshes

export const virtualRouterSpec = z.object({
  listeners: z.array(z.object({ portMapping: z.object({ port, protocol: portProtocol }) })).optional(),
});

/** VirtualServiceSpec: the provider, when given, names exactly one virtual node or virtual router. */
export const virtualServiceSpec = z.object({
  provider: union({
    virtualNode: z.object({ virtualNodeName: resourceName }),
    virtualRouter: z.object({ virtualRouterName: resourceName }),
  }).optional(),
});

export const virtualGatewaySpec = z.object({
  listeners: z.array(
    z.object({
      portMapping: z.object({ port, protocol: gatewayPortProtocol }),
      healthCheck: healthCheck(gatewayPortProtocol).optional(),
      tls: listenerTls.optional(),
      connectionPool: union({ http: httpPool, http2: maxRequests, grpc: maxRequests }).optional(),
    }),
  ),
  backendDefaults: backendDefaults.optional(),
  logging: logging.optional(),
});

const hostnameMatch = z.object({ exact: text(1, 253).optional(), suffix: text(1, 253).optional() });
const hostnameRewrite = z.object({ defaultTargetHostname: z.enum(['ENABLED', 'DISABLED']).optional() });
const gatewayTarget = z.object({
  virtualService: z.object({ virtualServiceName: resourceName }),
  port: port.optional(),
});
const httpGatewayRoute = z.object({
  match: z.object({
    prefix: z.string().optional(),
    path: httpPathMatch.optional(),
    queryParameters: queryParameters.optional(),
    method: httpMethod.optional(),
    hostname: hostnameMatch.optional(),
    headers: list(namedMatch, 1, 10).optional(),
    port: port.optional(),
  }),
  action: z.object({
    target: gatewayTarget,
    rewrite: z
      .object({
        prefix: z
          .object({
            defaultPrefix: z.enum(['ENABLED', 'DISABLED']).optional(),
            value: text(1, 255).optional(),
          })
          .optional(),
        path: z.object({ exact: text(1, 255).optional() }).optional(),
        hostname: hostnameRewrite.optional(),
      })
      .optional(),
  }),
});

/** GatewayRouteSpec: exactly one of httpRoute, http2Route, grpcRoute. */
export const gatewayRouteSpec = z
  .object({
    priority: int(0, 1000).optional(),
    httpRoute: httpGatewayRoute.optional(),
    http2Route: httpGatewayRoute.optional(),
    grpcRoute: z
      .object({
        match: z.object({
          serviceName: z.string().optional(),
          hostname: hostnameMatch.optional(),
          metadata: list(namedMatch, 1, 10).optional(),
          port: port.optional(),
        }),
        action: z.object({
          target: gatewayTarget,
          rewrite: z.object({ hostname: hostnameRewrite.optional() }).optional(),
        }),
      })
      .optional(),
  })
  .superRefine(exactlyOne(['httpRoute', 'http2Route', 'grpcRoute']));

export const meshSpec = z.object({
  egressFilter: z.object({ type: z.enum(['ALLOW_ALL', 'DROP_ALL']) }).optional(),
  serviceDiscovery: z.object({ ipPreference: ipPreference.optional() }).optional(),
});

// Request bodies

const clientToken = z.string().min(1).max(255);

/** The body of a Create* request: the resource's name member, spec, tags and client token. */
export function createBody(nameMember: string, name: z.ZodType, spec: z.ZodType, specRequired: boolean) {
  return z.object({
    [nameMember]: name,
    spec: specRequired ? spec : spec.optional(),
    tags: tagList.optional(),
    clientToken: clientToken.optional(),
  });
}

/** The body of an Update* request: the whole new spec and the client token. */
export function updateBody(spec: z.ZodType, specRequired: boolean) {
  return z.object({ spec: specRequired ? spec : spec.optional(), clientToken: clientToken.optional() });
}

export const tagResourceBody = z.object({ tags: tagList });
export const untagResourceBody = z.object({ tagKeys: list(text(1, 128), 0, 50) });

/** The `limit` query parameter of a List* call, as text; undefined when absent. */
export function parseLimit(raw: string | null, max: number): number | undefined {
  if (raw === null) return undefined;
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw badRequest(
      `1 validation error detected: limit: must be an integer from 1 to ${max} (got "${raw}")`,
    );
  }
  return value;
}

/** Parse `input` or throw a BadRequestException that names every failing member path. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  try {
    return parseOrThrow(schema, input, what);
  } catch (error) {
    if (error instanceof ValidationError) {
      const count = error.issues.length;
      const details = error.issues
        .map((i) => (i.path === '(root)' ? i.message : `${i.path}: ${i.message}`))
        .join('; ');
      throw badRequest(`${count} validation error${count === 1 ? '' : 's'} detected in ${what}: ${details}`);
    }
    throw error;
  }
}

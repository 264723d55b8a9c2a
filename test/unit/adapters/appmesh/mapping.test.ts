import * as sdk from '@aws-sdk/client-app-mesh';
import { describe, expect, it } from 'vitest';
import { RESOURCE_KINDS, type ResourceKind } from '../../../../shared/domain/resource-key';
import { MeshwardenError } from '../../../../shared/errors';
import {
  metadataFromSdk,
  metadataToSdk,
  specFromSdk,
  specToSdk,
  tagsFromSdk,
  tagsToSdk,
  UnknownMemberError,
} from '../../../../shared/providers/appmesh/mapping';
import { sampleResources } from '../../../support/mesh-samples';

const SPEC_SCHEMAS: Record<ResourceKind, unknown> = {
  mesh: sdk.MeshSpec$,
  'virtual-node': sdk.VirtualNodeSpec$,
  'virtual-service': sdk.VirtualServiceSpec$,
  'virtual-router': sdk.VirtualRouterSpec$,
  route: sdk.RouteSpec$,
  'virtual-gateway': sdk.VirtualGatewaySpec$,
  'gateway-route': sdk.GatewayRouteSpec$,
};

/**
 * The SDK's own runtime schemas. Static schemas are arrays: [3 struct | 4 union, namespace,
 * name, traits, memberNames, memberSchemas], [1 list, namespace, name, traits, member], a
 * thunk, a number (primitive), or a [schema, traits] member tuple.
 */
function resolve(schema: unknown): unknown {
  let s = typeof schema === 'function' ? (schema as () => unknown)() : schema;
  if (Array.isArray(s) && s.length === 2) s = typeof s[0] === 'function' ? (s[0] as () => unknown)() : s[0];
  return s;
}

/** Every `Shape.member` reachable from a schema, e.g. `ListenerTlsCertificate.acm`. */
function definedMembers(schema: unknown, out: Set<string>): Set<string> {
  const s = resolve(schema);
  if (!Array.isArray(s)) return out;
  if (s[0] === 1) return definedMembers(s[4], out);
  if (s[0] === 3 || s[0] === 4) {
    const names = s[4] as string[];
    names.forEach((name, i) => {
      const member = `${String(s[2])}.${name}`;
      if (out.has(member)) return;
      out.add(member);
      definedMembers((s[5] as unknown[])[i], out);
    });
  }
  return out;
}

/** Walk a value along its schema, recording which `Shape.member`s it sets. */
function usedMembers(schema: unknown, value: unknown, out: Set<string>): Set<string> {
  const s = resolve(schema);
  if (!Array.isArray(s) || value === null || typeof value !== 'object') return out;
  if (s[0] === 1 && Array.isArray(value)) {
    for (const item of value) usedMembers(s[4], item, out);
  } else if (s[0] === 3 || s[0] === 4) {
    const names = s[4] as string[];
    for (const [key, member] of Object.entries(value)) {
      out.add(`${String(s[2])}.${key}`);
      const i = names.indexOf(key);
      if (i >= 0) usedMembers((s[5] as unknown[])[i], member, out);
    }
  }
  return out;
}

describe('the sample mesh', () => {
  it.each([...RESOURCE_KINDS])(
    'sets every member of every %s spec shape somewhere, and nothing else',
    (kind) => {
      // Prepare
      const defined = definedMembers(SPEC_SCHEMAS[kind], new Set());
      const used = new Set<string>();
      for (const r of sampleResources().filter((r) => r.kind === kind))
        usedMembers(SPEC_SCHEMAS[kind], r.spec, used);

      // Act
      const unused = [...defined].filter((p) => !used.has(p));
      const invented = [...used].filter((p) => !defined.has(p));

      // Assess: the walk found something, the samples cover it all, and invent nothing.
      expect(defined.size).toBeGreaterThan(1);
      expect(unused).toEqual([]);
      expect(invented).toEqual([]);
    },
  );
});

describe('spec mapping', () => {
  it.each(sampleResources().map((r) => [`${r.kind} ${r.name}`, r] as const))(
    'model -> SDK -> model keeps %s unchanged',
    (_label, resource) => {
      // Act
      const sdkSpec = specToSdk(resource.kind, resource.spec);
      const back = specFromSdk(resource.kind, sdkSpec, 'test');

      // Assess
      expect(back).toEqual(resource.spec);
      expect(JSON.parse(JSON.stringify(back))).toEqual(back);
    },
  );

  it.each(sampleResources().map((r) => [`${r.kind} ${r.name}`, r] as const))(
    'SDK -> model -> SDK keeps %s unchanged, metadata included',
    (_label, resource) => {
      // Prepare: the SDK shape, with explicit undefined members as the SDK may produce.
      const sdkSpec = { ...specToSdk(resource.kind, resource.spec), unusedMember: undefined };
      const sdkMetadata = metadataToSdk(resource.metadata ?? expect.fail('sample without metadata'));
      const status = { status: resource.metadata?.status };

      // Act
      const model = specFromSdk(resource.kind, sdkSpec, 'test');
      const metadata = metadataFromSdk(sdkMetadata, status, 'test');

      // Assess
      expect(specToSdk(resource.kind, model)).toEqual(sdkSpec);
      expect(Object.keys(model)).not.toContain('unusedMember');
      expect(metadataToSdk(metadata)).toEqual(sdkMetadata);
      expect(metadata).toEqual(resource.metadata);
    },
  );

  it('gives the SDK a copy it may mutate without touching the model', () => {
    // Prepare
    const [node] = sampleResources().filter((r) => r.kind === 'virtual-node' && r.name === 'frontend');
    if (node?.kind !== 'virtual-node') throw new Error('no frontend sample');
    const before = structuredClone(node.spec);

    // Act
    const sdkSpec = specToSdk('virtual-node', node.spec);
    sdkSpec.listeners?.pop();
    sdkSpec.backends?.[0]?.virtualService?.clientPolicy?.tls?.ports?.push(1);

    // Assess
    expect(node.spec).toEqual(before);
  });

  it('refuses an $unknown union member, naming where it was', () => {
    // Prepare: a certificate source newer than this SDK.
    const spec: sdk.VirtualNodeSpec = {
      listeners: [
        {
          portMapping: { port: 8080, protocol: 'http' },
          tls: { mode: 'STRICT', certificate: { $unknown: ['vault', { path: 'x' }] } },
        },
      ],
    };

    // Act
    const act = () => specFromSdk('virtual-node', spec, 'prod/virtual-node/web-v1');

    // Assess
    expect(act).toThrow(UnknownMemberError);
    expect(act).toThrow(/"vault" at prod\/virtual-node\/web-v1 spec\.listeners\[0\]\.tls\.certificate/);
  });

  it('refuses a missing spec', () => {
    // Act + Assess
    expect(() => specFromSdk('route', undefined, 'prod/route/r/x')).toThrow(/no spec for prod\/route\/r\/x/);
  });
});

describe('metadata mapping', () => {
  const sdkMetadata: sdk.ResourceMetadata = {
    arn: 'arn:aws:appmesh:eu-west-1:111122223333:mesh/prod',
    uid: 'u-1',
    version: 4,
    createdAt: new Date('2025-01-01T00:00:00.123Z'),
    lastUpdatedAt: new Date('2025-01-02T00:00:00Z'),
    meshOwner: '111122223333',
    resourceOwner: '444455556666',
  };

  it('turns dates into ISO strings and keeps the owners apart', () => {
    // Act
    const metadata = metadataFromSdk(sdkMetadata, { status: 'DELETED' }, 'prod/mesh');

    // Assess
    expect(metadata).toEqual({
      arn: sdkMetadata.arn,
      uid: 'u-1',
      version: 4,
      createdAt: '2025-01-01T00:00:00.123Z',
      lastUpdatedAt: '2025-01-02T00:00:00.000Z',
      status: 'DELETED',
      meshOwner: '111122223333',
      resourceOwner: '444455556666',
    });
  });

  it('leaves status out when App Mesh reports none (a mesh status is optional)', () => {
    // Act
    const metadata = metadataFromSdk(sdkMetadata, {}, 'prod/mesh');

    // Assess
    expect(metadata).not.toHaveProperty('status');
  });

  it('refuses missing members and unknown statuses with the resource named', () => {
    // Act + Assess
    expect(() => metadataFromSdk(undefined, undefined, 'prod/mesh')).toThrow(/no metadata for prod\/mesh/);
    expect(() => metadataFromSdk({ ...sdkMetadata, arn: undefined }, undefined, 'prod/mesh')).toThrow(
      /no metadata\.arn for prod\/mesh/,
    );
    expect(() => metadataFromSdk(sdkMetadata, { status: 'MELTING' }, 'prod/mesh')).toThrow(MeshwardenError);
  });
});

describe('tag mapping', () => {
  it('round-trips tags in key order', () => {
    // Prepare
    const tags = { zeta: '1', alpha: '', 'meshwarden:owner': 'team' };

    // Act
    const sdkTags = tagsToSdk(tags);

    // Assess
    expect(sdkTags.map((t) => t.key)).toEqual(['alpha', 'meshwarden:owner', 'zeta']);
    expect(tagsFromSdk(sdkTags)).toEqual(tags);
    expect(tagsFromSdk(undefined)).toEqual({});
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatResourceKey,
  isChildKind,
  parseResourceKey,
  RESOURCE_KINDS,
  ResourceKeyError,
  type ResourceRef,
  refOf,
} from '../../../shared/domain/resource-key';
import { BadRequestError } from '../../../shared/errors';

const EXAMPLES: [string, ResourceRef][] = [
  ['prod/mesh', { kind: 'mesh', meshName: 'prod', name: 'prod' }],
  ['prod/virtual-node/web-v1', { kind: 'virtual-node', meshName: 'prod', name: 'web-v1' }],
  ['prod/virtual-service/web.local', { kind: 'virtual-service', meshName: 'prod', name: 'web.local' }],
  ['prod/virtual-router/web-router', { kind: 'virtual-router', meshName: 'prod', name: 'web-router' }],
  [
    'prod/route/web-router/web-route',
    { kind: 'route', meshName: 'prod', name: 'web-route', parentName: 'web-router' },
  ],
  ['prod/virtual-gateway/gw', { kind: 'virtual-gateway', meshName: 'prod', name: 'gw' }],
  [
    'prod/gateway-route/gw/web-gr',
    { kind: 'gateway-route', meshName: 'prod', name: 'web-gr', parentName: 'gw' },
  ],
];

describe('resource keys', () => {
  it.each(EXAMPLES)('%s parses to its ref and formats back', (key, ref) => {
    // Act
    const parsed = parseResourceKey(key);
    const formatted = formatResourceKey(ref);

    // Assess
    expect(parsed).toEqual(ref);
    expect(formatted).toBe(key);
  });

  it.each([
    ['', /the key is empty/],
    ['prod', /expected "<mesh>\/<kind>/],
    ['/mesh', /the mesh name is empty/],
    ['prod/', /unknown kind ""/],
    ['prod/mesh/extra', /nothing after it/],
    ['prod/virtualNode/web', /unknown kind "virtualNode"/],
    ['prod/VIRTUAL-NODE/web', /unknown kind/],
    ['prod/virtual-node', /"<mesh>\/virtual-node\/<name>"/],
    ['prod/virtual-node/', /the virtual-node name is empty/],
    ['prod/virtual-node/a/b', /"<mesh>\/virtual-node\/<name>"/],
    ['prod/route/web-route', /"<mesh>\/route\/<virtual-router>\/<name>"/],
    ['prod/route//web-route', /the virtual-router name is empty/],
    ['prod/gateway-route/gw/', /the gateway-route name is empty/],
    ['prod/gateway-route/gw/a/b', /"<mesh>\/gateway-route\/<virtual-gateway>\/<name>"/],
    ['prod/virtual-node/ web', /whitespace/],
    [`prod/virtual-node/${'x'.repeat(256)}`, /longer than 255/],
    ['prod/route/\uD800/web-route', /virtual-router name is not well-formed Unicode/],
  ])('refuses the malformed key %j', (key, message) => {
    // Act
    const act = () => parseResourceKey(key);

    // Assess
    expect(act).toThrow(ResourceKeyError);
    expect(act).toThrow(message);
    expect(act).toThrow(/^Invalid resource key/);
  });

  it('refuses a key that is not a string (untyped input)', () => {
    // Act + Assess
    expect(() => parseResourceKey(undefined as unknown as string)).toThrow(ResourceKeyError);
  });

  it.each<[string, ResourceRef, RegExp]>([
    ['a route without parent', { kind: 'route', meshName: 'prod', name: 'r' }, /parentName/],
    [
      'a node with a parent',
      { kind: 'virtual-node', meshName: 'prod', name: 'n', parentName: 'x' },
      /has no parent/,
    ],
    [
      'a mesh whose name differs',
      { kind: 'mesh', meshName: 'prod', name: 'staging' },
      /must equal its meshName/,
    ],
    ['a name with a slash', { kind: 'virtual-service', meshName: 'prod', name: 'a/b' }, /contains "\/"/],
    ['an empty mesh name', { kind: 'virtual-node', meshName: '', name: 'n' }, /meshName is empty/],
    [
      'a router name with a lone surrogate',
      { kind: 'route', meshName: 'prod', name: 'web-route', parentName: 'web\uDC00' },
      /parentName \(the virtual-router\) is not well-formed Unicode/,
    ],
    [
      'an unknown kind',
      { kind: 'virtualNode' as 'virtual-node', meshName: 'prod', name: 'n' },
      /unknown kind/,
    ],
  ])('refuses to format %s', (_label, ref, message) => {
    // Act
    const act = () => formatResourceKey(ref);

    // Assess
    expect(act).toThrow(ResourceKeyError);
    expect(act).toThrow(message);
  });

  it('key errors are bad requests (retrying will not help)', () => {
    // Act
    const error = (() => {
      try {
        parseResourceKey('nope');
      } catch (e) {
        return e;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).name).toBe('ResourceKeyError');
  });

  it('format and parse are inverse for every valid ref (property)', () => {
    // Prepare: App Mesh names are 1..255 characters; keys exclude "/" and outer whitespace.
    const name = fc
      .string({ minLength: 1, maxLength: 40, unit: 'grapheme' })
      .filter((s) => !s.includes('/') && s.trim() === s);
    const ref = fc
      .record({ kind: fc.constantFrom(...RESOURCE_KINDS), meshName: name, name, parent: name })
      .map(({ kind, meshName, name: n, parent }): ResourceRef => {
        if (kind === 'mesh') return { kind, meshName, name: meshName };
        return isChildKind(kind)
          ? { kind, meshName, name: n, parentName: parent }
          : { kind, meshName, name: n };
      });

    // Act + Assess
    fc.assert(
      fc.property(ref, (r) => {
        const key = formatResourceKey(r);
        expect(parseResourceKey(key)).toEqual(r);
        expect(formatResourceKey(parseResourceKey(key))).toBe(key);
      }),
    );
  });

  it('refOf drops everything but the ref', () => {
    // Prepare
    const resource = {
      kind: 'route' as const,
      meshName: 'prod',
      name: 'r',
      parentName: 'p',
      spec: {},
      tags: {},
    };

    // Act + Assess
    expect(refOf(resource)).toEqual({ kind: 'route', meshName: 'prod', name: 'r', parentName: 'p' });
    expect(refOf({ kind: 'mesh', meshName: 'prod', name: 'prod' })).toEqual({
      kind: 'mesh',
      meshName: 'prod',
      name: 'prod',
    });
  });
});

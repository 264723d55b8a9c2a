import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gte } from '../../../shared/runtime/semver';

/** The real semver (the X-Ray SDK's dependency), as the reference. */
const semver = createRequire(import.meta.url)('semver') as { gte(a: string, b: string): boolean };

/** The bundles replace semver with this `gte`: it must answer as semver does. */
describe('gte, as semver answers it', () => {
  it('orders releases, prereleases and build metadata as semver does', () => {
    // Prepare
    const pairs: [string, string][] = [
      ['24.1.0', '8.0.0'],
      ['8.0.0', '8.0.0'],
      ['7.10.1', '8.0.0'],
      ['2.1692.0', '2.7.15'],
      ['1.0.0-rc.1', '1.0.0'],
      ['1.0.0', '1.0.0-rc.1'],
      ['1.0.0-alpha', '1.0.0-alpha.1'],
      ['1.0.0-alpha.beta', '1.0.0-alpha.1'],
      ['1.0.0-2', '1.0.0-10'],
      ['1.0.0-beta', '1.0.0-alpha'],
      ['v1.2.3', '1.2.3'],
      [' 1.2.3 ', '1.2.3+build.5'],
    ];

    // Act / Assess
    for (const [a, b] of pairs) expect(gte(a, b), `${a} >= ${b}`).toBe(semver.gte(a, b));
  });

  it('agrees with semver on generated versions', () => {
    const part = fc.integer({ min: 0, max: 30 });
    const identifier = fc.oneof(
      fc.nat({ max: 20 }).map(String),
      fc.constantFrom('alpha', 'beta', 'rc', 'x-1'),
    );
    const version = fc
      .tuple(part, part, part, fc.array(identifier, { maxLength: 3 }))
      .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre.length === 0 ? '' : `-${pre.join('.')}`}`);
    fc.assert(fc.property(version, version, (a, b) => gte(a, b) === semver.gte(a, b)));
  });

  it('refuses what is not a version, as semver does', () => {
    // Prepare / Act / Assess
    for (const bad of ['x', '1.2', '01.2.3', '1.2.3-', '']) {
      expect(() => gte(bad, '1.0.0')).toThrow(`Invalid Version: ${bad}`);
      expect(() => semver.gte(bad, '1.0.0')).toThrow(TypeError);
    }
  });
});

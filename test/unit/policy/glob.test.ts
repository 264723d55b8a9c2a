import { describe, expect, it } from 'vitest';
import { compileGlob, compileGlobSet, globSyntaxError } from '../../../shared/policy/glob';

describe('policy globs', () => {
  it.each([
    ['Update*', 'UpdateRoute', true],
    ['Update*', 'CreateRoute', false],
    ['*Route', 'UpdateGatewayRoute', true],
    ['arn:aws:iam::*:role/deploy/*', 'arn:aws:iam::123456789012:role/deploy/team/web', true],
    ['web-v?', 'web-v2', true],
    ['web-v?', 'web-v10', false],
    ['{Create,Delete}Route', 'DeleteRoute', true],
    ['{Create,Delete}Route', 'UpdateRoute', false],
    ['a.b', 'aXb', false],
    ['\\*', '*', true],
    ['\\*', 'x', false],
    ['prod', 'prod', true],
    ['prod', 'PROD', false],
    ['a\\{b', 'a{b', true],
    ['{web,api}-v*', 'api-v3', true],
    ['{web,}x', 'x', true],
    ['*.prod.local', 'web.prod.local', true],
    ['*.prod.local', 'web.prod.localx', false],
    ['**', '', true],
    ['?', '', false],
    ['prod', 'production', false],
  ])('%s matches %s: %s', (pattern, value, expected) => {
    // Prepare
    const glob = compileGlob(pattern);
    // Act
    const matched = glob.test(value);
    // Assess
    expect(matched).toBe(expected);
  });

  it.each([
    ['{a,b', 'has a "{" without a closing "}"'],
    ['a}', 'has a "}" without a "{"'],
    ['{a,{b}}', 'has nested "{"; alternatives cannot be nested'],
    ['abc\\', 'ends with an unescaped "\\"'],
    ['{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}', 'expands to more than 64 alternatives'],
  ])('refuses the malformed glob %s', (pattern, message) => {
    // Act
    const error = globSyntaxError(pattern);
    // Assess
    expect(error).toBe(message);
    expect(() => compileGlob(pattern)).toThrow(TypeError);
  });

  it('matches a set when any glob matches, literal or wild', () => {
    // Prepare
    const set = compileGlobSet(['frontend', 'web-*']);
    // Act
    const results = ['frontend', 'web-v1', 'payments'].map((v) => set.test(v));
    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it('stays fast on a pattern built to backtrack', () => {
    // Prepare
    const glob = compileGlob('*a*a*a*a*a*a*a*b');
    const started = performance.now();
    // Act
    const matched = glob.test('a'.repeat(20_000));
    // Assess
    expect(matched).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

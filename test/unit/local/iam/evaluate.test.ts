import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accessDeniedMessage, evaluate } from '../../../../infra/local/iam/evaluate';
import { parsePolicyDocument } from '../../../../infra/local/iam/policy-document';
import { arnMatch, wildcardMatch } from '../../../../infra/local/iam/wildcard';

const ROUTE = 'arn:aws:appmesh:us-east-1:000000000000:mesh/prod/virtualRouter/web/route/main';

function doc(...statements: Record<string, unknown>[]) {
  return parsePolicyDocument({ Version: '2012-10-17', Statement: statements });
}

describe('wildcards', () => {
  it.each([
    ['*', '', true],
    ['a*c', 'abbbc', true],
    ['a*c', 'abbbd', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['*route/*', ROUTE, true],
    ['arn:aws:appmesh:*:*:mesh/prod/*', ROUTE, true],
    ['arn:aws:appmesh:*:*:mesh/staging/*', ROUTE, false],
    ['a**b', 'ab', true],
  ])('%s ~ %s is %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });

  it('matches resources case-sensitively and actions on request', () => {
    expect(wildcardMatch('mesh/Prod', 'mesh/prod')).toBe(false);
    expect(wildcardMatch('appmesh:describe*', 'appmesh:DescribeRoute', true)).toBe(true);
  });

  it('matches ARNs part by part: a * does not cross a colon-separated part', () => {
    expect(arnMatch('arn:aws:appmesh:*:000000000000:mesh/*', ROUTE)).toBe(true);
    expect(arnMatch('arn:aws:*', ROUTE)).toBe(false);
    expect(arnMatch('arn:aws:appmesh:us-east-1:111111111111:*', ROUTE)).toBe(false);
    expect(arnMatch('not-an-arn', ROUTE)).toBe(false);
  });

  it('any string matches itself and `*` (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '/', ':', '-') }), (s) => {
        expect(wildcardMatch(s, s)).toBe(true);
        expect(wildcardMatch('*', s)).toBe(true);
        expect(wildcardMatch(`${s}*`, `${s}tail`)).toBe(true);
      }),
    );
  });
});

describe('evaluate', () => {
  const check = { action: 'appmesh:UpdateRoute', resource: ROUTE };

  it('denies implicitly when nothing allows', () => {
    expect(evaluate([doc({ Effect: 'Allow', Action: 'appmesh:DescribeRoute', Resource: '*' })], check)).toBe(
      'implicit-deny',
    );
  });

  it('allows on a matching Allow; actions match case-insensitively', () => {
    expect(evaluate([doc({ Effect: 'Allow', Action: 'AppMesh:update*', Resource: ROUTE })], check)).toBe(
      'allow',
    );
  });

  it('an explicit Deny in any policy wins over any Allow', () => {
    const allow = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
    const deny = doc({
      Effect: 'Deny',
      Action: 'appmesh:UpdateRoute',
      Resource: 'arn:aws:appmesh:*:*:mesh/prod/*',
    });
    expect(evaluate([allow, deny], check)).toBe('explicit-deny');
    expect(evaluate([deny, allow], check)).toBe('explicit-deny');
  });

  it('NotAction and NotResource invert the match', () => {
    const notAction = doc({ Effect: 'Allow', NotAction: 'appmesh:Delete*', Resource: '*' });
    expect(evaluate([notAction], check)).toBe('allow');
    expect(evaluate([notAction], { ...check, action: 'appmesh:DeleteRoute' })).toBe('implicit-deny');
    const notResource = doc({ Effect: 'Deny', Action: '*', NotResource: 'arn:aws:appmesh:*:*:mesh/prod/*' });
    const allowAll = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
    expect(evaluate([allowAll, notResource], check)).toBe('allow');
    expect(
      evaluate([allowAll, notResource], { ...check, resource: 'arn:aws:appmesh:us-east-1:0:mesh/x' }),
    ).toBe('explicit-deny');
  });

  it('accepts a single Statement object and string Action/Resource', () => {
    const single = parsePolicyDocument({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: 'appmesh:UpdateRoute', Resource: ROUTE },
    });
    expect(evaluate([single], check)).toBe('allow');
  });

  it('refuses malformed documents with the reason', () => {
    expect(() => parsePolicyDocument({ Statement: { Effect: 'Allow', Resource: '*' } })).toThrow(
      /exactly one of Action/,
    );
    expect(() =>
      parsePolicyDocument({ Statement: { Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' } }),
    ).toThrow();
    expect(() =>
      parsePolicyDocument({
        Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringSortOf: { a: 'b' } } },
      }),
    ).toThrow(/StringSortOf/);
    expect(() =>
      parsePolicyDocument({ Statement: { Effect: 'Allow', Action: 'UpdateRoute', Resource: '*' } }),
    ).toThrow(/service:Action/);
  });

  it('substitutes policy variables in resources', () => {
    const own = doc({
      Effect: 'Allow',
      Action: '*',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable
      Resource: 'arn:aws:appmesh:*:*:mesh/${aws:PrincipalTag/team}/*',
    });
    const mesh = (m: string) => ({
      ...check,
      resource: `arn:aws:appmesh:us-east-1:0:mesh/${m}/virtualNode/a`,
    });
    expect(evaluate([own], mesh('web'), { 'aws:PrincipalTag/team': 'web' })).toBe('allow');
    expect(evaluate([own], mesh('pay'), { 'aws:PrincipalTag/team': 'web' })).toBe('implicit-deny');
    expect(evaluate([own], mesh('web'), {})).toBe('implicit-deny');
  });

  it('names caller, action, resource and reason as AWS does', () => {
    const caller = 'arn:aws:sts::000000000000:assumed-role/R/s';
    expect(accessDeniedMessage(caller, check, 'implicit-deny')).toBe(
      `User: ${caller} is not authorized to perform: appmesh:UpdateRoute on resource: ${ROUTE} because no identity-based policy allows the appmesh:UpdateRoute action`,
    );
    expect(accessDeniedMessage(caller, check, 'explicit-deny')).toBe(
      `User: ${caller} is not authorized to perform: appmesh:UpdateRoute on resource: ${ROUTE} with an explicit deny in an identity-based policy`,
    );
  });

  const name = fc.constantFrom(
    'appmesh',
    'dynamodb',
    'events',
    'Describe',
    'Update',
    'Route',
    'prod',
    '*',
    '?',
  );
  const pattern = fc.array(name, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(''));
  const statement = fc.record({
    Effect: fc.constantFrom('Allow', 'Deny'),
    Action: fc.array(
      pattern.map((p) => `appmesh:${p}`),
      { minLength: 1, maxLength: 2 },
    ),
    Resource: fc.array(pattern, { minLength: 1, maxLength: 2 }),
  });
  const checks = fc.record({
    action: fc.constantFrom('appmesh:UpdateRoute', 'appmesh:DescribeRoute', 'appmesh:DeleteMesh'),
    resource: pattern.map((p) => p.replaceAll('*', 'x').replaceAll('?', 'y')),
  });

  it('an explicit Deny that matches always wins, whatever else is allowed (property)', () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 6 }), checks, (statements, c) => {
        const deny = doc({ Effect: 'Deny', Action: c.action, Resource: c.resource });
        const policies = statements.length === 0 ? [deny] : [doc(...statements), deny];
        expect(evaluate(policies, c)).toBe('explicit-deny');
      }),
    );
  });

  it('adding Allow statements never turns an allow into a deny; order of policies does not matter (property)', () => {
    fc.assert(
      fc.property(
        fc.array(statement, { minLength: 1, maxLength: 6 }),
        fc.array(statement, { minLength: 1, maxLength: 3 }),
        checks,
        (a, b, c) => {
          const allows = b.map((s) => ({ ...s, Effect: 'Allow' }));
          const before = evaluate([doc(...a)], c);
          const after = evaluate([doc(...a), doc(...allows)], c);
          if (before === 'allow') expect(after).toBe('allow');
          if (before === 'explicit-deny') expect(after).toBe('explicit-deny');
          expect(evaluate([doc(...allows), doc(...a)], c)).toBe(after);
        },
      ),
    );
  });
});

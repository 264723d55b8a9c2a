import { describe, expect, it } from 'vitest';
import type { CompiledPolicy } from '../../../../shared/policy/compile';
import { LATTICE_RULE_IDS, type RuleId } from '../../../../shared/policy/rule-ids';
import type { LatticeServiceNetworkSnapshot } from '../../../../shared/providers/vpc-lattice/model';
import { LATTICE_RULES } from '../../../../shared/providers/vpc-lattice/rules';
import { judgeServiceNetwork } from '../../../../shared/providers/vpc-lattice/rules/judge';
import {
  authPolicy,
  FRONTEND_ROLE,
  forward,
  LOCAL_CA,
  latticePolicy,
  listener,
  network,
  OTHER_CA,
  ROGUE_ROLE,
  rule,
  service,
  WEB_CERT,
} from './fixtures';

const NOW = new Date('2026-12-06T06:00:00Z');

/** The sentences one rule finds in a network under a policy. */
function messages(
  id: RuleId,
  net: LatticeServiceNetworkSnapshot,
  p: CompiledPolicy,
  issuers: Record<string, string> = {},
): string[] {
  const judgement = judgeServiceNetwork(net, p, NOW, {
    certificateAuthorities: new Map(Object.entries(issuers)),
  });
  return judgement.findings.filter((f) => f.ruleId === id).map((f) => f.message);
}

const NO_COMPLIANCE = latticePolicy('      {}');

it('has exactly one rule per Lattice rule id', () => {
  // Act
  const ids = LATTICE_RULES.map((r) => r.id);
  // Assess
  expect([...ids].sort()).toEqual([...LATTICE_RULE_IDS].sort());
});

describe('lattice.https-only', () => {
  const tls = latticePolicy('      tls: { minimumMode: STRICT }');

  it('passes HTTPS and TLS_PASSTHROUGH listeners', () => {
    // Prepare
    const net = network([
      service('web', { listeners: [listener('https', 'HTTPS'), listener('tls', 'TLS_PASSTHROUGH')] }),
    ]);
    // Act + Assess
    expect(messages('lattice.https-only', net, tls)).toEqual([]);
  });

  it('finds an HTTP listener when the policy requires TLS, naming listener and service', () => {
    // Prepare
    const net = network([service('web', { listeners: [listener('http', 'HTTP')] })]);
    // Act
    const found = messages('lattice.https-only', net, tls);
    // Assess
    expect(found).toEqual([
      'listener http (HTTP:80) of service web does not use TLS; the policy requires STRICT: replace it with an HTTPS listener (or TLS_PASSTHROUGH to a target that terminates TLS).',
    ]);
  });

  it('does not run when the policy does not require TLS', () => {
    // Prepare
    const net = network([service('web', { listeners: [listener('http', 'HTTP')] })]);
    // Act + Assess
    expect(messages('lattice.https-only', net, NO_COMPLIANCE)).toEqual([]);
  });
});

describe('lattice.allowed-ca', () => {
  const cas = latticePolicy(`      tls: { allowedCertificateAuthorities: ['${LOCAL_CA}'] }`);

  it('passes an HTTPS service whose certificate an allowed CA issued', () => {
    // Prepare
    const net = network([
      service('web', { certificateArn: WEB_CERT, customDomainName: 'web.example.internal' }),
    ]);
    // Act + Assess
    expect(messages('lattice.allowed-ca', net, cas, { [WEB_CERT]: LOCAL_CA })).toEqual([]);
  });

  it('finds a certificate from another CA, one of unknown issuer, and Lattice’s own certificate', () => {
    // Prepare
    const net = network([
      service('web', { certificateArn: WEB_CERT }),
      service('payments', { certificateArn: `${WEB_CERT}-unknown` }),
      service('frontend'),
    ]);
    // Act
    const found = messages('lattice.allowed-ca', net, cas, { [WEB_CERT]: OTHER_CA });
    // Assess
    expect(found).toEqual([
      `service web serves certificate ${WEB_CERT} issued by ${OTHER_CA}, which the policy does not allow: re-issue it from ${LOCAL_CA}.`,
      `service payments serves certificate ${WEB_CERT}-unknown, whose issuing CA is unknown: make sure it is an ACM Private CA certificate issued by ${LOCAL_CA}.`,
      `service frontend serves HTTPS with VPC Lattice's own certificate, which the policy does not allow: give it a custom domain and an ACM certificate issued by ${LOCAL_CA}.`,
    ]);
  });

  it('does not judge a service without an HTTPS listener', () => {
    // Prepare
    const net = network([service('web', { listeners: [listener('http', 'HTTP')] })]);
    // Act + Assess
    expect(messages('lattice.allowed-ca', net, cas)).toEqual([]);
  });
});

describe('lattice.iam-auth', () => {
  const graph = latticePolicy(`      accessGraph: { '${FRONTEND_ROLE}': [web] }`);

  it('passes a network and services with auth type AWS_IAM', () => {
    // Act + Assess
    expect(messages('lattice.iam-auth', network([service('web')]), graph)).toEqual([]);
  });

  it('finds a network and a service with auth type NONE', () => {
    // Prepare
    const net = network([service('web', { authType: 'NONE' })], { authType: 'NONE' });
    // Act
    const found = messages('lattice.iam-auth', net, graph);
    // Assess
    expect(found).toEqual([
      'service network prod-net has auth type NONE, so VPC Lattice lets any caller through: set its auth type to AWS_IAM with an auth policy that allows only the callers compliance.accessGraph names.',
      'service web has auth type NONE, so VPC Lattice lets any caller through: set its auth type to AWS_IAM with an auth policy that allows only the callers compliance.accessGraph names.',
    ]);
  });

  it('does not run without an access graph', () => {
    // Prepare
    const net = network([service('web', { authType: 'NONE' })], { authType: 'NONE' });
    // Act + Assess
    expect(messages('lattice.iam-auth', net, NO_COMPLIANCE)).toEqual([]);
  });
});

describe('lattice.access-graph', () => {
  const graph = latticePolicy(`      accessGraph: { '${FRONTEND_ROLE}': [web] }`);

  it('passes auth policies that allow only the callers the graph names', () => {
    // Prepare
    const net = network(
      [
        service('web', { authPolicy: authPolicy([FRONTEND_ROLE]) }),
        service('payments', {
          authPolicy: authPolicy('*', { StringNotEqualsIgnoreCase: { 'aws:PrincipalType': 'anonymous' } }),
        }),
      ],
      { authPolicy: authPolicy([FRONTEND_ROLE]) },
    );
    // Act + Assess
    expect(messages('lattice.access-graph', net, graph)).toEqual([]);
  });

  it('finds a principal the graph does not allow to call the service, in a policy and in a PrincipalArn condition', () => {
    // Prepare
    const net = network([
      service('web', { authPolicy: authPolicy([FRONTEND_ROLE, ROGUE_ROLE]) }),
      service('payments', {
        authPolicy: authPolicy('*', { ArnLike: { 'aws:PrincipalArn': FRONTEND_ROLE } }),
      }),
    ]);
    // Act
    const found = messages('lattice.access-graph', net, graph);
    // Assess
    expect(found).toEqual([
      `service web has an auth policy that allows ${ROGUE_ROLE}, which the access graph does not allow to call web (callers allowed: ${FRONTEND_ROLE}): remove it from the auth policy, or add the edge to compliance.accessGraph.`,
      `service payments has an auth policy that allows ${FRONTEND_ROLE}, which the access graph does not allow to call payments (the access graph lets no caller in): remove it from the auth policy, or add the edge to compliance.accessGraph.`,
    ]);
  });

  it('finds "Principal": "*" without a condition, on the network and on a service', () => {
    // Prepare
    const net = network([service('web', { authPolicy: authPolicy('*') })], { authPolicy: authPolicy('*') });
    // Act
    const found = messages('lattice.access-graph', net, graph);
    // Assess
    expect(found).toEqual([
      'service network prod-net has an auth policy that allows "Principal": "*" without a condition, so any caller gets in: allow only the callers compliance.accessGraph names.',
      'service web has an auth policy that allows "Principal": "*" without a condition, so any caller gets in: allow only the callers compliance.accessGraph names.',
    ]);
  });

  it('finds a network policy principal the graph names as no caller', () => {
    // Prepare
    const net = network([service('web')], { authPolicy: authPolicy([ROGUE_ROLE]) });
    // Act
    const found = messages('lattice.access-graph', net, graph);
    // Assess
    expect(found).toEqual([
      `service network prod-net has an auth policy that allows ${ROGUE_ROLE}, which the access graph names as no caller: remove it from the auth policy, or add the edge to compliance.accessGraph.`,
    ]);
  });

  it('says when an auth policy cannot be read', () => {
    // Prepare
    const net = network([service('web', { authPolicy: '{not json' })]);
    // Act
    const [found] = messages('lattice.access-graph', net, graph);
    // Assess
    expect(found).toMatch(
      /^service web has an auth policy that is not JSON \(.+\), so who it lets in cannot be checked: fix it\.$/,
    );
  });
});

/** A network whose `web` service has one HTTPS listener with these rules. */
function withRules(...rules: ReturnType<typeof rule>[]): LatticeServiceNetworkSnapshot {
  return network([service('web', { listeners: [listener('https', 'HTTPS', rules)] })]);
}

describe('lattice.forward-limits', () => {
  it('passes ten target groups with weights from 0 to 999', () => {
    // Prepare
    const ten = Array.from(
      { length: 10 },
      (_, i) => [i === 0 ? 'tg-web-v1' : 'tg-web-v2', i === 9 ? 999 : 0] as const,
    );
    // Act + Assess
    expect(
      messages('lattice.forward-limits', withRules(rule('default', forward(...ten))), NO_COMPLIANCE),
    ).toEqual([]);
  });

  it('finds eleven target groups and a weight out of range, naming the rule', () => {
    // Prepare
    const eleven = Array.from({ length: 11 }, () => ['tg-web-v1', 1] as const);
    const net = withRules(
      rule('default', forward(...eleven)),
      rule('web-canary', forward(['tg-web-v1', 1000])),
    );
    // Act
    const found = messages('lattice.forward-limits', net, NO_COMPLIANCE);
    // Assess
    expect(found).toEqual([
      'the default action of listener https of service web forwards to 11 target groups; VPC Lattice allows at most 10: remove the target groups that no longer take traffic.',
      'rule web-canary of listener https of service web gives target group tg-web-v1 weight 1000; weights are whole numbers from 0 to 999: set it within that range.',
    ]);
  });

  it('holds the policy’s lower maxWeightedTargets', () => {
    // Prepare
    const p = latticePolicy('      routes: { maxWeightedTargets: 1 }');
    const net = withRules(rule('default', forward(['tg-web-v1', 90], ['tg-web-v2', 10])));
    // Act + Assess
    expect(messages('lattice.forward-limits', net, p)).toEqual([
      'the default action of listener https of service web forwards to 2 target groups; the policy allows at most 1: remove the target groups that no longer take traffic.',
    ]);
  });
});

describe('lattice.weights-nonzero', () => {
  it('passes a forward with some weight, and a lone target group without one (Lattice gives it 100)', () => {
    // Prepare
    const net = withRules(
      rule('default', forward(['tg-web-v1', undefined])),
      rule('web-canary', forward(['tg-web-v1', 0], ['tg-web-v2', 1])),
    );
    // Act + Assess
    expect(messages('lattice.weights-nonzero', net, NO_COMPLIANCE)).toEqual([]);
  });

  it('finds a rule whose forward weights are all zero', () => {
    // Prepare
    const net = withRules(rule('web-canary', forward(['tg-web-v1', 0], ['tg-web-v2', 0])));
    // Act + Assess
    expect(messages('lattice.weights-nonzero', net, NO_COMPLIANCE)).toEqual([
      'rule web-canary of listener https of service web gives every target group weight 0, so it answers no request: give at least one target group a weight above 0.',
    ]);
  });
});

describe('lattice.target-group-exists', () => {
  it('passes a rule whose target groups exist, by id or by ARN', () => {
    // Prepare
    const net = withRules(
      rule(
        'web-canary',
        forward(['tg-web-v1', 90], ['arn:aws:vpc-lattice:us-east-1:000000000000:targetgroup/tg-web-v2', 10]),
      ),
    );
    // Act + Assess
    expect(messages('lattice.target-group-exists', net, NO_COMPLIANCE)).toEqual([]);
  });

  it('finds a rule pointing to a missing target group', () => {
    // Prepare
    const net = withRules(rule('web-canary', forward(['tg-web-v1', 90], ['tg-gone', 10])));
    // Act + Assess
    expect(messages('lattice.target-group-exists', net, NO_COMPLIANCE)).toEqual([
      'rule web-canary of listener https of service web forwards to target group tg-gone, which does not exist: point it at an existing target group, or create it.',
    ]);
  });
});

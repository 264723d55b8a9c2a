import { describe, expect, it } from 'vitest';
import { principalOfCallerArn } from '../../../shared/events/principal';
import { judgeBridge } from '../../../shared/migration/bridge-judgement';
import { bridgeNodeOf } from '../../../shared/migration/bridge-shift';
import { parsePolicy } from '../../../shared/policy/load';
import { httpRoute, MESH, node, router, snapshotOf } from './mesh-fixtures';

const NOW = new Date('2026-12-06T09:00:00Z');
const ADMIN = principalOfCallerArn('arn:aws:sts::000000000000:assumed-role/PlatformAdmin/admin');
const BRIDGE = bridgeNodeOf(
  MESH,
  'a-lattice',
  'api-0a1b.vpc-lattice-svcs.us-east-1.on.aws',
  { port: 8080, protocol: 'http' },
  'shop-lattice/api/http-8080/api',
);
const BRIDGE_KEY = `${MESH}/virtual-node/a-lattice`;
const SNAPSHOT = snapshotOf(MESH, [
  node('a', { listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: tlsStrict() }] }),
  router('r'),
  httpRoute('r', 'api', { prefix: '/api' }, { a: 1 }),
]);

function tlsStrict() {
  return {
    mode: 'STRICT' as const,
    certificate: { acm: { certificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/a' } },
  };
}

/** The shop mesh's policy: admins may do anything, listeners must be STRICT; `extra` is appended to the entry. */
function policy(extra = '') {
  return parsePolicy(
    `
version: 1
meshes:
  - mesh: ${MESH}
    changeControl:
      default: deny
      onViolation: revert
      allow:
        - id: admins
          principals: [{ roleArn: 'arn:aws:iam::000000000000:role/PlatformAdmin' }]
          actions: ['*']
          resources: [{ kind: '*' }]
    compliance:
      tls: { minimumMode: STRICT, kinds: [virtual-node] }
${extra}`,
    'shop.policy.yaml',
  );
}

describe('judgeBridge: the bridge create, judged before it is made as change control will judge it', () => {
  it('refuses a bridge that breaks tls.strict, naming the rule, its sentence and the exemption that would let it', () => {
    const judged = judgeBridge({
      policy: policy(),
      caller: ADMIN,
      bridge: BRIDGE,
      snapshot: SNAPSHOT,
      now: NOW,
    });

    expect(judged.kind).toBe('refused');
    const text = judged.kind === 'refused' ? judged.problems.join('\n') : '';
    expect(text).toContain(`${BRIDGE_KEY}: tls.strict: virtual node a-lattice`);
    expect(text).toContain('does not use TLS; the policy requires STRICT');
    expect(text).toContain(
      `resource: ${BRIDGE_KEY}, rules: [tls.strict], expires: a date after the migration (e.g. 2027-01-05)`,
    );
    expect(text).not.toContain('change control:');
  });

  it('allows it when the mesh exempts the bridge from tls.strict', () => {
    const exempted = policy(`    exemptions:
      - resource: ${BRIDGE_KEY}
        rules: [tls.strict]
        expires: 2027-03-31
        reason: the bridge is a DNS name for VPC Lattice`);

    expect(
      judgeBridge({ policy: exempted, caller: ADMIN, bridge: BRIDGE, snapshot: SNAPSHOT, now: NOW }),
    ).toEqual({
      kind: 'allowed',
    });
  });

  it('refuses again once that exemption has expired', () => {
    const expired = policy(`    exemptions:
      - resource: ${BRIDGE_KEY}
        rules: [tls.strict]
        expires: 2026-12-01
        reason: the bridge is a DNS name for VPC Lattice`);

    const judged = judgeBridge({
      policy: expired,
      caller: ADMIN,
      bridge: BRIDGE,
      snapshot: SNAPSHOT,
      now: NOW,
    });

    expect(judged.kind === 'refused' ? judged.problems.join('\n') : '').toContain('expired 2026-12-01');
  });

  it('refuses a caller change control does not allow to create the node, saying who may', () => {
    const exempted = policy(`    exemptions:
      - resource: ${BRIDGE_KEY}
        rules: [tls.strict]
        expires: 2027-03-31
        reason: the bridge is a DNS name for VPC Lattice`);
    const developer = principalOfCallerArn('arn:aws:sts::000000000000:assumed-role/MeshDeveloper/alice');

    const judged = judgeBridge({
      policy: exempted,
      caller: developer,
      bridge: BRIDGE,
      snapshot: SNAPSHOT,
      now: NOW,
    });

    expect(judged).toEqual({
      kind: 'refused',
      problems: [
        expect.stringMatching(
          /^change control: role MeshDeveloper \(session alice\) may not make CreateVirtualNode on shop\/virtual-node\/a-lattice: no allow rule matches and the default is deny; .* Run the shift as someone the policy allows/,
        ),
      ],
    });
  });
});

describe('principalOfCallerArn: the caller STS names, as change control derives CloudTrail identities', () => {
  it('takes a role session for its role (by name, without a path) and session', () => {
    expect(ADMIN).toMatchObject({
      type: 'AssumedRole',
      accountId: '000000000000',
      roleArn: 'arn:aws:iam::000000000000:role/PlatformAdmin',
      roleName: 'PlatformAdmin',
      sessionName: 'admin',
      unidentified: undefined,
    });
  });

  it('takes IAM users, root and federated users for themselves', () => {
    expect(principalOfCallerArn('arn:aws:iam::000000000000:user/ops/bob')).toMatchObject({
      type: 'IAMUser',
      userName: 'bob',
      accountId: '000000000000',
      unidentified: undefined,
    });
    expect(principalOfCallerArn('arn:aws:iam::000000000000:root')).toMatchObject({
      type: 'Root',
      unidentified: undefined,
    });
    expect(principalOfCallerArn('arn:aws:sts::000000000000:federated-user/carol')).toMatchObject({
      type: 'FederatedUser',
      unidentified: undefined,
    });
  });

  it('leaves an ARN of no caller unidentified, so that no rule matches it', () => {
    for (const arn of ['unknown', 'arn:aws:s3:::bucket', 'arn:aws:sts::000000000000:assumed-role/']) {
      expect(principalOfCallerArn(arn).unidentified).toEqual(expect.any(String));
    }
  });
});

/**
 * Certificate commands of the trust model: meshwarden rotates a node's certificate (as the
 * function does, its writes recorded as last known good), a person starts a CA rollover from
 * the CLI, priya approves it in Slack or an admin aborts it, and people change a node's TLS.
 *
 * Invariants checked after each (from the App Mesh API, ACM, ACM PCA, the bus and Slack):
 * - C1 no leaf is left untrusted: every listener certificate is issued by a CA every trust holds.
 * - C2 nothing meshwarden replaced comes back: no listener serves a certificate ARN a rotation
 *   replaced, no trust holds a CA a rollover dropped or an abort took back out (so a revert
 *   never restores them: last known good holds meshwarden's certificate writes).
 * - C3 a rollover waiting for approval trusts both CAs everywhere, and is asked in Slack with
 *   the policy's expiry; an approved one trusts the new CA only; an aborted one the old only.
 */
import type { VirtualNodeSpec } from '@aws-sdk/client-app-mesh';
import { DescribeVirtualNodeCommand, UpdateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import type * as fc from 'fast-check';
import { expect } from 'vitest';
import { pressButton } from '../../infra/local/slack/block-actions';
import { runCaRollover } from '../../shared/certificates/ca-rollover';
import { takeCertificateInventory } from '../../shared/certificates/inventory';
import { abortCaRollover } from '../../shared/certificates/rollover-lifecycle';
import { sweepCertificates } from '../../shared/certificates/sweep';
import { acmTrusts } from '../../shared/certificates/trusts';
import type { CertificatesSection } from '../../shared/policy/sections/certificates';
import type { TrustModel, TrustReal } from './trust-commands';
import { CERTIFICATE_NODES, type TrustSystem } from './trust-system';

type Cmd = fc.AsyncCommand<TrustModel, TrustReal>;
type Node = (typeof CERTIFICATE_NODES)[number];

/** The demo policy's `approvals.expiresAfterMinutes`. */
const POLICY_EXPIRY_MINUTES = 60;

async function describeNode(sys: TrustSystem, node: Node) {
  const out = await sys
    .mesh('admin')
    .send(new DescribeVirtualNodeCommand({ meshName: 'prod', virtualNodeName: node }));
  const spec = out.virtualNode?.spec ?? {};
  const listener = spec.listeners?.[0];
  const certificate = listener?.tls?.certificate?.acm?.certificateArn ?? '';
  return { spec, certificate, version: out.virtualNode?.metadata?.version ?? 0 };
}

/** C1-C3 over the whole mesh. */
export async function checkCertificates(sys: TrustSystem, step: string): Promise<void> {
  const state = sys.certificates;
  const snapshot = await sys.readMesh();
  const trusts = acmTrusts(snapshot);
  for (const t of trusts) {
    expect(t.arns, `C3 after ${step}: ${t.resourceKey} does not trust ${state.trustedCa}`).toContain(
      state.trustedCa,
    );
    if (state.rollover)
      expect(t.arns, `C3 after ${step}: ${t.resourceKey} does not trust the rollover's new CA`).toContain(
        state.rollover.newCa,
      );
    for (const dropped of state.droppedCas)
      expect(t.arns, `C2 after ${step}: ${t.resourceKey} trusts ${dropped} again`).not.toContain(dropped);
  }
  const section = sys.policy.forMesh('prod')?.document.certificates as CertificatesSection | undefined;
  const inventory = await takeCertificateInventory(sys.certificateDeps('admin'), 'prod', section, snapshot);
  for (const leaf of inventory.entries.filter((e) => e.type === 'leaf')) {
    expect(
      trusts.every((t) => leaf.issuingCaArn !== undefined && t.arns.includes(leaf.issuingCaArn)),
      `C1 after ${step}: ${leaf.id} from ${leaf.issuingCaArn} is not trusted everywhere`,
    ).toBe(true);
    const arn = leaf.location?.kind === 'acm' ? leaf.location.arn : '';
    expect(
      state.replacedCertificates.has(arn),
      `C2 after ${step}: ${arn} was replaced, yet serves again`,
    ).toBe(false);
  }
}

/** meshwarden rotates one node's certificate, as the function does. */
class RotateCertificate implements Cmd {
  constructor(readonly node: Node) {}
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const { sys } = r;
    const before = await describeNode(sys, this.node);
    const items = await sweepCertificates(sys.certificateDeps('meshwarden'), sys.policy, ['prod'], {
      force: true,
      only: `prod/virtual-node/${this.node}`,
    });
    await sys.drain();
    expect(
      items.map((i) => i.action),
      `rotating ${this.node}: ${JSON.stringify(items)}`,
    ).toEqual(['rotated']);
    const after = await describeNode(sys, this.node);
    if (after.certificate !== before.certificate)
      sys.certificates.replacedCertificates.add(before.certificate);
    await checkCertificates(sys, this.toString());
  }
  toString = () => `meshwarden rotates ${this.node}'s certificate`;
}

/** The admin starts a CA rollover to a new CA from the CLI (none is open). */
class StartRollover implements Cmd {
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const { sys } = r;
    if (sys.certificates.rollover !== undefined) return;
    const oldCa = sys.certificates.trustedCa;
    const newCa = await sys.newCa();
    const from = sys.events.length;
    const report = await runCaRollover(sys.certificateDeps('admin'), sys.policy, 'prod', oldCa, newCa, {
      restart: true,
    });
    await sys.drain();
    expect(report.phase, report.note).toBe('awaiting-approval');
    sys.certificates.rollover = { rolloverId: report.rolloverId, oldCa, newCa };
    const asked = sys.events
      .slice(from)
      .filter(
        (e) =>
          e['detail-type'] === 'ApprovalRequested' && JSON.stringify(e.detail).includes(report.rolloverId),
      );
    expect(
      asked.map((e) => e.source),
      'C3: the CLI rollover was not asked for, as meshwarden',
    ).toEqual(['meshwarden']);
    const minutes =
      (Date.parse(String(asked[0]?.detail.expiresAt)) - Date.parse(String(asked[0]?.time))) / 60_000;
    expect(
      Math.abs(minutes - POLICY_EXPIRY_MINUTES),
      `C3: the request expires in ${minutes} min`,
    ).toBeLessThan(1);
    expect(slackMessage(sys, report.rolloverId), 'C3: no Slack request for the rollover').toBeDefined();
    await checkCertificates(sys, this.toString());
  }
  toString = () => 'admin starts a CA rollover from the CLI';
}

function slackMessage(sys: TrustSystem, rolloverId: string) {
  return sys.local.aws.slack.store
    .messagesIn('C0APPROVALS')
    .messages.filter((msg) => JSON.stringify(msg.blocks ?? []).includes(`ca-rollover-${rolloverId}`))
    .at(-1);
}

/** priya approves the open rollover in Slack: the old CA leaves every trust. */
class ApproveRollover implements Cmd {
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const { sys } = r;
    const rollover = sys.certificates.rollover;
    if (rollover === undefined) return;
    const message = slackMessage(sys, rollover.rolloverId);
    if (message === undefined) return;
    await pressButton(sys.local.aws.slackUrl, {
      channel: 'C0APPROVALS',
      ts: message.ts,
      action_id: 'meshwarden.approve',
      user: 'U0PLATFORM1',
    });
    await sys.drain();
    sys.certificates.rollover = undefined;
    sys.certificates.trustedCa = rollover.newCa;
    sys.certificates.droppedCas.add(rollover.oldCa);
    await checkCertificates(sys, this.toString());
  }
  toString = () => 'priya approves the CA rollover';
}

/** The admin aborts the open rollover: back to trusting the old CA only. */
class AbortRollover implements Cmd {
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const { sys } = r;
    const rollover = sys.certificates.rollover;
    if (rollover === undefined) return;
    const report = await abortCaRollover(
      sys.certificateDeps('admin'),
      sys.policy,
      rollover.rolloverId,
      'admin',
    );
    await sys.drain();
    expect(report.phase, report.note).toBe('aborted');
    sys.certificates.rollover = undefined;
    sys.certificates.droppedCas.add(rollover.newCa);
    // Its request may still be in Slack: an approval now must change nothing.
    const message = slackMessage(sys, rollover.rolloverId);
    if (message !== undefined) {
      await pressButton(sys.local.aws.slackUrl, {
        channel: 'C0APPROVALS',
        ts: message.ts,
        action_id: 'meshwarden.approve',
        user: 'U0PLATFORM1',
      }).catch(() => undefined);
      await sys.drain();
    }
    await checkCertificates(sys, this.toString());
  }
  toString = () => 'admin aborts the CA rollover';
}

/**
 * A person changes a node's TLS. alice, who may change only routes, points its listener back
 * at a certificate meshwarden replaced (or at PERMISSIVE when none was): reverted to what
 * meshwarden last wrote. The admin switches its access log: kept, TLS untouched.
 */
class ChangeNodeTls implements Cmd {
  constructor(
    readonly who: 'oidcDeveloper' | 'admin',
    readonly node: Node,
  ) {}
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const { sys } = r;
    const before = await describeNode(sys, this.node);
    const listener = before.spec.listeners?.[0];
    if (listener?.tls === undefined) return;
    const replaced = [...sys.certificates.replacedCertificates].at(-1);
    const spec: VirtualNodeSpec =
      this.who === 'admin'
        ? {
            ...before.spec,
            logging: {
              accessLog: {
                file: {
                  path:
                    before.spec.logging?.accessLog?.file?.path === '/dev/stdout'
                      ? '/dev/stderr'
                      : '/dev/stdout',
                },
              },
            },
          }
        : {
            ...before.spec,
            listeners: [
              {
                ...listener,
                tls:
                  replaced !== undefined
                    ? { ...listener.tls, certificate: { acm: { certificateArn: replaced } } }
                    : { ...listener.tls, mode: 'PERMISSIVE' },
              },
              ...(before.spec.listeners ?? []).slice(1),
            ],
          };
    let ok = true;
    try {
      await sys
        .mesh(this.who)
        .send(new UpdateVirtualNodeCommand({ meshName: 'prod', virtualNodeName: this.node, spec }));
    } catch {
      ok = false;
    }
    await sys.drain();
    const after = await describeNode(sys, this.node);
    if (ok) {
      expect(JSON.stringify(after.spec.listeners), `C2: ${this.toString()} changed its TLS for good`).toBe(
        JSON.stringify(before.spec.listeners),
      );
      expect(JSON.stringify(after.spec.backendDefaults)).toBe(JSON.stringify(before.spec.backendDefaults));
      if (this.who === 'admin')
        expect(after.spec.logging, 'the admin’s allowed change was not kept').toEqual(spec.logging);
    }
    await checkCertificates(sys, this.toString());
  }
  toString = () =>
    `${this.who === 'admin' ? 'admin switches the access log of' : 'alice changes the TLS of'} ${this.node}`;
}

/** The certificate commands, for the model's list. */
export function certificateCommands(arb: typeof fc): fc.Arbitrary<Cmd>[] {
  const node = arb.constantFrom<Node>(...CERTIFICATE_NODES);
  return [
    node.map((n) => new RotateCertificate(n)),
    arb.constant(new StartRollover()),
    arb.constant(new ApproveRollover()),
    arb.constant(new AbortRollover()),
    arb
      .tuple(arb.constantFrom<'oidcDeveloper' | 'admin'>('oidcDeveloper', 'admin'), node)
      .map(([who, n]) => new ChangeNodeTls(who, n)),
  ];
}

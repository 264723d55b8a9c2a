import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { registerCertsCommand } from '../../../infra/cli/certs-command';
import type { SweepDeps } from '../../../shared/certificates/sweep';
import { MemoryApprovalStore } from '../approvals/support';
import {
  CA_ARN,
  DAY_MS,
  fakeWorld,
  NEXT_CA_ARN,
  PAYMENTS_SECRET,
  SECRETS_MAPPING,
  signingCa,
  WEB_CERT,
} from './fakes';

const NOW = new Date();

function policyFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshwarden-certs-'));
  const file = join(dir, 'policy.yaml');
  const mapping = SECRETS_MAPPING.split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
  writeFileSync(
    file,
    `version: 1\nmeshes:\n  - mesh: prod\n    changeControl: { default: allow, onViolation: report }\n    certificates:\n${mapping}\n`,
  );
  return file;
}

async function run(deps: SweepDeps & { approvals?: MemoryApprovalStore }, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command().name('meshwarden').exitOverride();
  registerCertsCommand(program, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    deps: () => ({ approvals: new MemoryApprovalStore(), ...deps }),
    env: {},
    whoami: async () => 'arn:aws:sts::000000000000:assumed-role/PlatformAdmin/admin',
  });
  await program.parseAsync(['node', 'meshwarden', 'certs', ...args, '--policy', policyFile()]);
  return { out, err, exitCode: process.exitCode };
}

describe('meshwarden certs', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('lists certificates soonest expiry first, the expired one loudest, and exits 1', async () => {
    // Prepare: the web certificate expired yesterday; the others expire in 10 days.
    const world = await fakeWorld({
      notBefore: new Date(NOW.getTime() - 300 * DAY_MS),
      notAfter: new Date(NOW.getTime() + 10 * DAY_MS),
      now: NOW,
    });
    const root = signingCa(world, CA_ARN);
    world.store.acm.set(WEB_CERT, {
      bundle: await root.leaf(
        ['web-v1.prod.local'],
        new Date(NOW.getTime() - 90 * DAY_MS),
        new Date(NOW.getTime() - DAY_MS),
      ),
      origin: 'acm-imported',
    });

    // Act
    const result = await run(world.deps, ['--mesh', 'prod']);

    // Assess
    expect(result.out[0]).toBe('mesh prod: 4 certificate(s) and trust(s)');
    expect(result.out[1]).toMatch(/^STATUS\s+DAYS\s+NOT AFTER/);
    expect(result.out[2]).toMatch(
      /^!! EXPIRED\s+-1\s+.*web-v1\.prod\.local.*prod\/virtual-node\/web-v1:8080/,
    );
    expect(result.out[3]).toMatch(/^! SOON\s+9/);
    const inventoryEnd = result.out.findIndex((l) => l.includes('TLS handshake(s)'));
    expect(result.out[inventoryEnd - 2]).toMatch(/^ok\s+.*trust/);
    expect(result.out[inventoryEnd - 1]).toMatch(/^!! 1 EXPIRED/);
    expect(result.out[inventoryEnd]).toBe('mesh prod: 0 TLS handshake(s), 0 broken, 0 cannot be judged');
    expect(result.exitCode).toBe(1);
  });

  it('prints JSON with every entry and its users', async () => {
    const world = await fakeWorld({
      notBefore: new Date(NOW.getTime() - DAY_MS),
      notAfter: new Date(NOW.getTime() + 100 * DAY_MS),
      now: NOW,
    });
    const result = await run(world.deps, ['list', '--mesh', 'prod', '--format', 'json']);
    const parsed = JSON.parse(result.out.join('\n')) as {
      meshName: string;
      entries: { id: string; usedBy: unknown[] }[];
    }[];
    expect(parsed[0]?.meshName).toBe('prod');
    expect(parsed[0]?.entries.map((e) => e.id)).toContain(`secret:${PAYMENTS_SECRET}`);
    expect(parsed[0]?.entries.find((e) => e.id === `ca:${CA_ARN}`)?.usedBy).toHaveLength(3);
  });

  it('refuses an unknown format and a missing mesh', async () => {
    const world = await fakeWorld({
      notBefore: new Date(NOW.getTime() - DAY_MS),
      notAfter: new Date(NOW.getTime() + 100 * DAY_MS),
    });
    await expect(run(world.deps, ['--mesh', 'prod', '--format', 'xml'])).rejects.toThrow(
      /--format must be table or json/,
    );
    await expect(run(world.deps, [])).rejects.toThrow(/--mesh NAME/);
  });

  it('rotate --dry-run says what it would do and changes nothing', async () => {
    const world = await fakeWorld({
      notBefore: new Date(NOW.getTime() - 380 * DAY_MS),
      notAfter: new Date(NOW.getTime() + 5 * DAY_MS),
      now: NOW,
    });
    const result = await run(world.deps, ['rotate', '--dry-run', '--mesh', 'prod']);
    expect(result.out.filter((l) => l.startsWith('would-rotate'))).toHaveLength(3);
    expect(world.ca.issued.size).toBe(0);
  });

  it('rotate --only rotates one; an --only that matches nothing exits 1', async () => {
    const world = await fakeWorld({
      notBefore: new Date(NOW.getTime() - 380 * DAY_MS),
      notAfter: new Date(NOW.getTime() + 5 * DAY_MS),
      now: NOW,
    });
    const one = await run(world.deps, ['rotate', '--only', WEB_CERT, '--mesh', 'prod']);
    expect(one.out[1]).toMatch(/^rotated\s+acm:/);
    process.exitCode = undefined;
    const none = await run(world.deps, ['rotate', '--only', 'nothing', '--mesh', 'prod']);
    expect(none.err).toEqual(['no certificate matches --only nothing']);
    expect(none.exitCode).toBe(1);
  });

  it('rollover runs phases 1 and 2 and asks for approval', async () => {
    const world = await fakeWorld({
      notBefore: new Date(NOW.getTime() - DAY_MS),
      notAfter: new Date(NOW.getTime() + 300 * DAY_MS),
      now: NOW,
    });
    const result = await run(world.deps, [
      'rollover',
      '--from',
      CA_ARN,
      '--to',
      NEXT_CA_ARN,
      '--mesh',
      'prod',
    ]);
    expect(result.out[0]).toMatch(/phase awaiting-restart/);
    expect(result.out.at(-1)).toMatch(/confirm-restart --id [0-9a-f]{20} --proxy KEY/);

    const confirmed = await run(world.deps, [
      'rollover',
      'confirm-restart',
      '--from',
      CA_ARN,
      '--to',
      NEXT_CA_ARN,
      '--mesh',
      'prod',
      '--proxy',
      'prod/virtual-node/payments',
    ]);
    expect(confirmed.out[0]).toMatch(/phase awaiting-approval/);
    expect(world.publisher.events.some((e) => e.detailType === 'CaRolloverAwaitingApproval')).toBe(true);
  });
});

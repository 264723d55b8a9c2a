import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { registerDeploymentsCommand } from '../../../infra/cli/deployments-command';
import { onRouteChange } from '../../../shared/deployments/on-route-change';
import { type Harness, harness, routeEvent } from './fakes';

const WEB = 'prod/web-router/web-route';

/** Run `meshwarden deployments ...` against the harness's fakes; returns what it printed. */
async function cli(h: Harness, ...args: string[]): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command().exitOverride();
  registerDeploymentsCommand(program, { out: (l) => out.push(l), err: (l) => err.push(l) }, () => h.deps);
  await program.parseAsync(['node', 'meshwarden', 'deployments', ...args]);
  return { out, err };
}

async function deploying(h: Harness): Promise<void> {
  h.mesh.put(WEB, { 'web-v1': 90, 'web-v2': 10 });
  await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { eventName: 'CreateRoute' }));
  h.mesh.put(WEB, { 'web-v1': 80, 'web-v2': 20 });
  await onRouteChange(h.deps, routeEvent(h.mesh, WEB));
}

describe('meshwarden deployments (CLI)', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('`rollback ROUTE --note` rolls the route back now and publishes who and why', async () => {
    const h = harness();
    await deploying(h);

    const { out, err } = await cli(h, 'rollback', WEB, '--note', '5xx in the logs');

    expect(err).toEqual([]);
    expect(out.join('\n')).toMatch(/rolled-back dep-/);
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
    expect(h.published.at(-1)).toMatchObject({
      detailType: 'DeploymentRolledBack',
      detail: { reason: { kind: 'abort', note: '5xx in the logs', by: expect.any(String) } },
    });
  });

  it('`promote` refuses the approval gate the policy requires, saying so, and exits non-zero', async () => {
    const h = harness(`    deployments:
      routes:
        - route: ${WEB}
          progressive: { steps: [10, 25, 50, 100], approvalBeforeLastStep: true }
`);
    await deploying(h);

    const { err } = await cli(h, 'promote', WEB, '--force');

    expect(err.join('\n')).toMatch(/--force may not skip the approval gate .*allowForcePromote/);
    expect(process.exitCode).toBe(1);
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 80, 'web-v2': 20 });
  });
});

describe('meshwarden deployments with VPC Lattice rule keys', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('`status` takes a Lattice rule key, and refuses a key of neither form with both forms named', async () => {
    const h = harness();

    const lattice = await cli(h, 'status', 'prod-net/web/http/web-canary');
    const invalid = await cli(h, 'status', 'prod-net/web');

    expect(lattice).toEqual({ out: ['prod-net/web/http/web-canary: not seen by meshwarden'], err: [] });
    expect(invalid.err.join('\n')).toContain('"<service-network>/<service>/<listener>/<rule>"');
    expect(process.exitCode).toBe(1);
  });
});

describe('the recovery schedule’s input', () => {
  it('is accepted as Scheduler delivers it, and anything else of its kind is refused with the path', async () => {
    const { parseGuardInput } = await import('../../../shared/deployments/inbound');
    const { RECOVERY_INPUT_KIND } = await import('../../../shared/adapters/scheduler/step-scheduler');

    const parsed = parseGuardInput({
      kind: RECOVERY_INPUT_KIND,
      id: 'f1a2b3c4-exec',
      scheduledAt: '2026-03-10T10:21:00Z',
    });
    const refused = (() => {
      try {
        return parseGuardInput({ kind: RECOVERY_INPUT_KIND, id: 'x', scheduledAt: 'now', routeKey: 'steer' });
      } catch (error) {
        return error;
      }
    })();

    expect(parsed).toEqual({ kind: 'recovery', id: 'f1a2b3c4-exec' });
    expect(String(refused)).toMatch(/routeKey/);
  });
});

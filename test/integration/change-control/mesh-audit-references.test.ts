import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../infra/function-catalog';
import { DEMO_POLICY_FILE } from '../../../infra/local/runtime';
import type { BusEvent } from '../../../infra/local/types';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { loadEvent } from '../../support/sample-events';

/** The demo policy with a deployments section whose stable target, second route glob and one alarm are typos. */
function typoPolicy(): string {
  return readFileSync(DEMO_POLICY_FILE, 'utf8').replace(
    '    # deployments:\n',
    [
      '    deployments:',
      '      routes:',
      '        - route: prod/web-router/web-route',
      '          stableTarget: web-v9',
      '          alarms: [web-5xx-rate, web-5xx-rates]',
      '        - route: prod/web-routr/*',
      '    # deployments:',
      '',
    ].join('\n'),
  );
}

function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((line) => line.includes(needle)) + 1;
}

/**
 * The daily mesh-audit function, running under its own IAM policy against local AWS: it
 * resolves the policy's references against the live mesh and CloudWatch, publishes the
 * dangling ones in MeshAudited and tells the mesh's Slack channel.
 */
describe('mesh-audit reports dangling policy references', () => {
  let local: TestLocalAws;
  let policyFile: string;
  let text: string;
  const seen: BusEvent[] = [];

  beforeAll(async () => {
    text = typoPolicy();
    policyFile = join(mkdtempSync(join(tmpdir(), 'meshwarden-audit-')), 'typos.policy.yaml');
    writeFileSync(policyFile, text);
    local = await startSeededLocalAws({
      functions: FUNCTIONS.filter((f) => f.name === 'mesh-audit'),
      policyFile,
    });
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
  }, 60_000);
  afterAll(() => local.aws.close());

  it('carries each dangling reference with file:line:col in MeshAudited and in the Slack notice', async () => {
    // Act
    await local.aws.functions.invoke('mesh-audit', loadEvent('scheduler/daily-audit'));
    await local.aws.drain();
    // Assess
    // App Mesh's: the demo policy also governs the Lattice demo's prod-net (not seeded here).
    const audited = seen.filter(
      (e) => e['detail-type'] === 'MeshAudited' && (e.detail as { provider?: string }).provider === undefined,
    );
    expect(audited).toHaveLength(1);
    const references = (audited[0]?.detail as { danglingReferences?: unknown[] } | undefined)
      ?.danglingReferences;
    expect(references).toEqual([
      {
        kind: 'stable-target',
        file: policyFile,
        line: lineOf(text, 'stableTarget: web-v9'),
        col: 25,
        path: 'meshes[0].deployments.routes[0].stableTarget',
        message:
          '"web-v9" is not a target of prod/web-router/web-route (targets: web-v1, web-v2): no deployment opens on it',
      },
      {
        kind: 'alarm',
        file: policyFile,
        line: lineOf(text, 'web-5xx-rates'),
        col: 34,
        path: 'meshes[0].deployments.routes[0].alarms[1]',
        message: 'no CloudWatch alarm named "web-5xx-rates" exists: it can never roll back',
      },
      {
        kind: 'deployment-route',
        file: policyFile,
        line: lineOf(text, 'prod/web-routr/*'),
        col: 18,
        path: 'meshes[0].deployments.routes[1].route',
        message:
          '"prod/web-routr/*" matches no route in mesh prod (route keys read <mesh>/<virtual-router>/<route>): its alarms and stable target guard nothing',
      },
    ]);
    const told = local.aws.slack.store.messagesIn('C0MESHOPS01').messages.map((m) => JSON.stringify(m));
    expect(
      told.filter((m) => m.includes('3 policy reference(s) resolve to nothing in mesh prod')),
    ).toHaveLength(1);
    expect(told.join('\n')).toContain(
      `${lineOf(text, 'stableTarget: web-v9')}:25 meshes[0].deployments.routes[0].stableTarget`,
    );
  });
});

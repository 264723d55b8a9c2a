import { ACMClient } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import {
  AppMeshClient,
  DescribeVirtualNodeCommand,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCertsCommand } from '../../../infra/cli/certs-command';
import { InProcessPendingKeyVault } from '../../../infra/cli/in-process-key-vault';
import { pressButton } from '../../../infra/local/slack/block-actions';
import type { BusEvent } from '../../../infra/local/types';
import { DynamoDbApprovalStore } from '../../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { EventBridgePublisher } from '../../../shared/adapters/eventbridge/event-publisher';
import { rolloverIdOf } from '../../../shared/certificates/ca-rollover';
import { acmTrusts } from '../../../shared/certificates/trusts';
import { createRotationDeps } from '../../../shared/certificates/wiring';
import { MESHWARDEN_CLI_EVENT_SOURCE } from '../../../shared/events/patterns';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { createRootCa, RecordingNotifier } from './support';

const POLICY = 'infra/local/demo/meshwarden.policy.yaml';
/** The demo policy's `approvals.expiresAfterMinutes`. */
const DEMO_EXPIRY_MINUTES = 60;

/**
 * A CA rollover started from the CLI with the administrator's credentials, with every function
 * running: the CLI cannot publish `source: meshwarden`, so it claims the approval step as
 * `meshwarden.cli`; certificate rotation checks the claim and asks in Slack, for as long as
 * the policy says. Afterwards, a disallowed change to a node is reverted to the new
 * certificate and the new trust: meshwarden's certificate writes are last known good.
 */
describe('CA rollover from the CLI, end to end', () => {
  let local: TestLocalAws;
  let newCa = '';
  let rolloverId = '';
  const seen: BusEvent[] = [];

  async function cli(args: string[]): Promise<string[]> {
    const out: string[] = [];
    const config = local.clientConfig('admin');
    const program = new Command().name('meshwarden').exitOverride();
    registerCertsCommand(program, {
      out: (line) => out.push(line),
      err: (line) => out.push(line),
      // What the CLI wires: the person's credentials, a plain provider, `meshwarden.cli` events.
      deps: () =>
        createRotationDeps({
          pca: new ACMPCAClient({ ...config, maxAttempts: 8 }),
          acm: new ACMClient({ ...config, maxAttempts: 8 }),
          secrets: new SecretsManagerClient({ ...config, maxAttempts: 8 }),
          documents: createDocumentClient(config),
          tableName: local.aws.functionEnv.MESHWARDEN_TABLE ?? '',
          // As the CLI: a person may not use the rotation role's key, so keys stay in the process.
          pendingKeys: new InProcessPendingKeyVault(),
          meshes: createAppMeshProvider(createAppMeshClient(config)),
          publisher: new EventBridgePublisher(
            new EventBridgeClient(config),
            'meshwarden',
            MESHWARDEN_CLI_EVENT_SOURCE,
          ),
          notifier: new RecordingNotifier(),
        }),
      env: {},
      whoami: async () => 'arn:aws:sts::000000000000:assumed-role/PlatformAdmin/admin',
    });
    await program.parseAsync(['node', 'meshwarden', 'certs', ...args, '--mesh', 'prod', '--policy', POLICY]);
    return out;
  }

  async function webV1() {
    const out = await new AppMeshClient(local.clientConfig('admin')).send(
      new DescribeVirtualNodeCommand({ meshName: 'prod', virtualNodeName: 'web-v1' }),
    );
    return out.virtualNode;
  }

  beforeAll(async () => {
    local = await startSeededLocalAws({ pcaIssueDelayMs: 20 });
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') seen.push(a.event);
    });
    newCa = await createRootCa(new ACMPCAClient(local.clientConfig('admin')), 'meshwarden demo root CA 2');
    // The functions may use only the CAs the stack names: the operator adds the new one first.
    await local.aws.deploy({ certificateAuthorityArns: [local.seed.caArn, newCa] });
    rolloverId = rolloverIdOf('prod', local.seed.caArn, newCa);
  }, 60_000);
  afterAll(() => local?.aws.close());

  it('asks in Slack, with the expiry the policy sets, for a rollover started from the CLI', async () => {
    // Act
    const started = await cli(['rollover', '--from', local.seed.caArn, '--to', newCa]);
    await local.aws.drain();

    // Assess: the claim went out as meshwarden.cli, the request as meshwarden
    expect(started[0]).toMatch(/phase awaiting-approval/);
    const claim = seen.find((e) => e['detail-type'] === 'CaRolloverAwaitingApproval');
    expect(claim?.source).toBe('meshwarden.cli');
    const requested = seen.filter((e) => e['detail-type'] === 'ApprovalRequested');
    expect(requested.map((e) => [e.source, e.detail.approvalId])).toEqual([
      ['meshwarden', `ca-rollover-${rolloverId}`],
    ]);
    const approvals = new DynamoDbApprovalStore(
      createDocumentClient(local.clientConfig('admin')),
      local.aws.functionEnv.MESHWARDEN_TABLE ?? '',
    );
    const stored = await approvals.get(`ca-rollover-${rolloverId}`);
    expect(stored?.expiresAt).toBe(requested[0]?.detail.expiresAt);
    const minutes = (Date.parse(stored?.expiresAt ?? '') - Date.parse(stored?.requestedAt ?? '')) / 60_000;
    expect(Math.abs(minutes - DEMO_EXPIRY_MINUTES)).toBeLessThan(1);
    const message = local.aws.slack.store
      .messagesIn('C0APPROVALS')
      .messages.find((m) => JSON.stringify(m.blocks ?? []).includes(`ca-rollover-${rolloverId}`));
    expect(JSON.stringify(message?.blocks)).toMatch(/Expires <!date\^\d+/);
    const status = await cli(['rollover', 'status', '--id', rolloverId]);
    expect(status.join('\n')).toMatch(
      new RegExp(`approval ca-rollover-${rolloverId}: pending, expires ${stored?.expiresAt}`),
    );
  }, 120_000);

  it('a claim put on the bus for a rollover that does not wait for approval asks nothing', async () => {
    const before = seen.length;
    await new EventBridgeClient(local.clientConfig('iamUser')).send(
      new (await import('@aws-sdk/client-eventbridge')).PutEventsCommand({
        Entries: [
          {
            EventBusName: 'meshwarden',
            Source: MESHWARDEN_CLI_EVENT_SOURCE,
            DetailType: 'CaRolloverAwaitingApproval',
            Detail: JSON.stringify({ rolloverId: '0123456789abcdef0123', meshName: 'prod' }),
          },
        ],
      }),
    );
    await local.aws.drain();
    expect(seen.slice(before).filter((e) => e['detail-type'] === 'ApprovalRequested')).toEqual([]);
  });

  it('after priya approves, a disallowed change to a node is reverted to the new certificate and the new trust', async () => {
    // Prepare: priya approves in Slack; phase 3 (certificate rotation's own writes) drops the old CA
    const message = local.aws.slack.store
      .messagesIn('C0APPROVALS')
      .messages.find((m) => JSON.stringify(m.blocks ?? []).includes(`ca-rollover-${rolloverId}`));
    await pressButton(local.aws.slackUrl, {
      channel: 'C0APPROVALS',
      ts: message?.ts ?? '',
      action_id: 'meshwarden.approve',
      user: 'U0PLATFORM1',
    });
    await local.aws.drain();
    const trusts = acmTrusts(
      await createAppMeshProvider(createAppMeshClient(local.clientConfig('admin'))).readMesh('prod'),
    );
    expect(trusts.every((t) => t.arns.length === 1 && t.arns[0] === newCa)).toBe(true);
    const rotated = await webV1();
    const certificate = JSON.stringify(rotated?.spec?.listeners?.[0]?.tls?.certificate);

    // Act: alice (allowed to change routes only) drops web-v1's access log
    const { logging: _, ...spec } = rotated?.spec ?? {};
    await new AppMeshClient(local.clientConfig('oidcDeveloper')).send(
      new UpdateVirtualNodeCommand({ meshName: 'prod', virtualNodeName: 'web-v1', spec }),
    );
    await local.aws.drain();

    // Assess: reverted, to the certificate and trust meshwarden wrote last, not older ones
    const reverted = await webV1();
    expect(reverted?.spec?.logging).toEqual(rotated?.spec?.logging);
    expect(reverted?.metadata?.version).toBe((rotated?.metadata?.version ?? 0) + 2);
    expect(JSON.stringify(reverted?.spec?.listeners?.[0]?.tls?.certificate)).toBe(certificate);
    expect(JSON.stringify(reverted?.spec?.backendDefaults?.clientPolicy)).toContain(newCa);
    expect(JSON.stringify(reverted?.spec)).not.toContain(local.seed.caArn);
  }, 120_000);
});

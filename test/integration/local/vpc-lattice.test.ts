import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchUpdateRuleCommand,
  ConflictException,
  CreateListenerCommand,
  CreateRuleCommand,
  CreateServiceCommand,
  CreateServiceNetworkCommand,
  CreateServiceNetworkServiceAssociationCommand,
  CreateTargetGroupCommand,
  DeleteAuthPolicyCommand,
  DeleteListenerCommand,
  DeleteServiceCommand,
  DeleteServiceNetworkCommand,
  DeleteServiceNetworkServiceAssociationCommand,
  DeleteTargetGroupCommand,
  GetAuthPolicyCommand,
  GetListenerCommand,
  GetRuleCommand,
  GetServiceCommand,
  GetServiceNetworkCommand,
  GetTargetGroupCommand,
  InternalServerException,
  ListRulesCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTargetGroupsCommand,
  ListTargetsCommand,
  PutAuthPolicyCommand,
  RegisterTargetsCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  TagResourceCommand,
  ThrottlingException,
  UntagResourceCommand,
  UpdateRuleCommand,
  UpdateServiceCommand,
  ValidationException,
  VPCLatticeClient,
  type WeightedTargetGroup,
} from '@aws-sdk/client-vpc-lattice';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITIES, IdentityRegistry } from '../../../infra/local/edge/identities';
import { VpcLatticeService } from '../../../infra/local/services/vpc-lattice/vpc-lattice-service';
import { startTestEdge, type TestEdge } from '../../support/local-edge';

/** Local VPC Lattice against the edge with the real SDK v3 client. */

const ACCOUNT = DEFAULT_IDENTITIES.accountId;
const ARN = `arn:aws:vpc-lattice:us-east-1:${ACCOUNT}`;
const ID = '[0-9a-f]{17}';

let edge: TestEdge;
let lattice: VPCLatticeClient;
let counter = 0;
/** A name no other test uses, so tests stand alone on the shared edge. */
const unique = (base: string) => `${base}-${++counter}`;

function identities(): IdentityRegistry {
  const registry = new IdentityRegistry(DEFAULT_IDENTITIES);
  registry.add({
    type: 'AssumedRole',
    accessKeyId: 'lattice-reader',
    secretAccessKey: 'lattice-reader-secret',
    roleName: 'LatticeReader',
    sessionName: 'reader',
    policies: [
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['vpc-lattice:Get*', 'vpc-lattice:List*'], Resource: '*' },
          {
            Effect: 'Allow',
            Action: 'vpc-lattice:UpdateRule',
            Resource: `${ARN}:service/*/listener/*/rule/*`,
          },
          {
            Effect: 'Deny',
            Action: 'vpc-lattice:UpdateRule',
            Resource: '*',
            Condition: { StringEquals: { 'aws:ResourceTag/frozen': 'true' } },
          },
        ],
      },
    ],
  });
  return registry;
}

beforeAll(async () => {
  let service: VpcLatticeService | undefined;
  edge = await startTestEdge(
    (context) => {
      service = new VpcLatticeService(context);
      return [service];
    },
    // IAM reads `aws:ResourceTag/<key>` from the service, as the runtime wires it.
    { identities: identities(), resourceLookups: { resourceTags: (arn) => service?.resourceTags(arn) } },
  );
  lattice = new VPCLatticeClient(edge.clientConfig);
});

afterAll(async () => {
  lattice.destroy();
  await edge.close();
});

async function targetGroup(name = unique('group'), protocol: 'HTTP' | 'TCP' = 'HTTP') {
  const tg = await lattice.send(
    new CreateTargetGroupCommand({
      name,
      type: 'IP',
      config: { port: 8080, protocol, vpcIdentifier: 'vpc-0123456789abcdef0' },
    }),
  );
  return { id: tg.id ?? '', arn: tg.arn ?? '' };
}

async function serviceWithListener() {
  const svc = await lattice.send(new CreateServiceCommand({ name: unique('web') }));
  const [v1, v2] = [await targetGroup(), await targetGroup()];
  const listener = await lattice.send(
    new CreateListenerCommand({
      serviceIdentifier: svc.id,
      name: 'http',
      protocol: 'HTTP',
      defaultAction: { fixedResponse: { statusCode: 404 } },
    }),
  );
  return { svc, listener, v1, v2 };
}

async function expectError<E extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

describe('service networks, services and associations', () => {
  it('creates, reads, associates and deletes with ids and ARNs as VPC Lattice writes them', async () => {
    const snName = unique('prod-net');
    const sn = await lattice.send(new CreateServiceNetworkCommand({ name: snName }));
    expect(sn.id).toMatch(new RegExp(`^sn-${ID}$`));
    expect(sn.arn).toBe(`${ARN}:servicenetwork/${sn.id}`);
    expect(sn.authType).toBe('NONE');

    const svc = await lattice.send(
      new CreateServiceCommand({ name: unique('payments'), authType: 'AWS_IAM' }),
    );
    expect(svc.id).toMatch(new RegExp(`^svc-${ID}$`));
    expect(svc.arn).toBe(`${ARN}:service/${svc.id}`);
    expect(svc.dnsEntry?.domainName).toMatch(/\.vpc-lattice-svcs\.us-east-1\.on\.aws$/);

    // Identifiers take the ID or the ARN.
    const assoc = await lattice.send(
      new CreateServiceNetworkServiceAssociationCommand({
        serviceNetworkIdentifier: sn.arn,
        serviceIdentifier: svc.id,
      }),
    );
    expect(assoc.arn).toBe(`${ARN}:servicenetworkserviceassociation/${assoc.id}`);
    const got = await lattice.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }));
    expect(got).toMatchObject({ name: snName, numberOfAssociatedServices: 1, numberOfAssociatedVPCs: 0 });
    expect(got.createdAt).toBeInstanceOf(Date);
    const listed = await lattice.send(
      new ListServiceNetworkServiceAssociationsCommand({ serviceNetworkIdentifier: sn.id }),
    );
    expect(listed.items?.map((a) => [a.serviceName, a.serviceNetworkName])).toEqual([[svc.name, snName]]);

    // Neither end of an association can be deleted while it stands.
    await expectError(
      lattice.send(new DeleteServiceCommand({ serviceIdentifier: svc.id })),
      ConflictException,
    );
    await expectError(
      lattice.send(new DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id })),
      ConflictException,
    );
    await lattice.send(
      new DeleteServiceNetworkServiceAssociationCommand({
        serviceNetworkServiceAssociationIdentifier: assoc.id,
      }),
    );
    const deleted = await lattice.send(new DeleteServiceCommand({ serviceIdentifier: svc.arn }));
    expect(deleted.status).toBe('DELETE_IN_PROGRESS');
    await lattice.send(new DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }));
    const missing = await expectError(
      lattice.send(new GetServiceCommand({ serviceIdentifier: svc.id })),
      ResourceNotFoundException,
    );
    expect(missing).toMatchObject({ resourceId: svc.id, resourceType: 'SERVICE' });
  });

  it('updates a service and keeps names unique', async () => {
    const name = unique('frontend');
    const svc = await lattice.send(new CreateServiceCommand({ name }));
    const updated = await lattice.send(
      new UpdateServiceCommand({ serviceIdentifier: svc.id, authType: 'AWS_IAM' }),
    );
    expect(updated.authType).toBe('AWS_IAM');
    expect((await lattice.send(new GetServiceCommand({ serviceIdentifier: svc.id }))).authType).toBe(
      'AWS_IAM',
    );
    await expectError(lattice.send(new CreateServiceCommand({ name })), ConflictException);
  });

  it.each([
    ['Upper', 'uppercase'],
    ['-web', 'a leading hyphen'],
    ['web-', 'a trailing hyphen'],
    ['we--b', 'two hyphens in a row'],
    ['ab', 'too short'],
    ['a'.repeat(41), 'too long'],
    ['svc-web', 'the reserved id prefix'],
  ])('refuses the service name %s (%s) with a ValidationException naming the field', async (name) => {
    const error = await expectError(lattice.send(new CreateServiceCommand({ name })), ValidationException);
    expect(error.fieldList?.map((f) => f.name)).toEqual(['name']);
  });
});

describe('listeners and rules', () => {
  it('routes 90/10 between two target groups and shows the target groups in use', async () => {
    const { svc, listener, v1, v2 } = await serviceWithListener();
    expect(listener.arn).toBe(`${svc.arn}/listener/${listener.id}`);
    expect(listener.port).toBe(80);
    const rule = await lattice.send(
      new CreateRuleCommand({
        serviceIdentifier: svc.id,
        listenerIdentifier: listener.arn,
        name: 'canary',
        priority: 10,
        match: { httpMatch: { pathMatch: { match: { prefix: '/' } } } },
        action: {
          forward: {
            targetGroups: [
              { targetGroupIdentifier: v1.arn, weight: 90 },
              { targetGroupIdentifier: v2.id, weight: 10 },
            ],
          },
        },
      }),
    );
    expect(rule.arn).toBe(`${listener.arn}/rule/${rule.id}`);
    const got = await lattice.send(
      new GetRuleCommand({
        serviceIdentifier: svc.id,
        listenerIdentifier: listener.id,
        ruleIdentifier: rule.id,
      }),
    );
    expect(got.action?.forward?.targetGroups).toEqual([
      { targetGroupIdentifier: v1.id, weight: 90 },
      { targetGroupIdentifier: v2.id, weight: 10 },
    ]);
    expect(got.isDefault).toBe(false);
    expect(
      (await lattice.send(new GetTargetGroupCommand({ targetGroupIdentifier: v1.id }))).serviceArns,
    ).toEqual([svc.arn]);
    // A target group a rule forwards to cannot be deleted.
    await expectError(
      lattice.send(new DeleteTargetGroupCommand({ targetGroupIdentifier: v2.id })),
      ConflictException,
    );

    const shifted = await lattice.send(
      new UpdateRuleCommand({
        serviceIdentifier: svc.id,
        listenerIdentifier: listener.id,
        ruleIdentifier: rule.arn,
        action: {
          forward: {
            targetGroups: [
              { targetGroupIdentifier: v1.id, weight: 100 },
              { targetGroupIdentifier: v2.id, weight: 0 },
            ],
          },
        },
      }),
    );
    expect(shifted.action?.forward?.targetGroups?.map((t) => t.weight)).toEqual([100, 0]);
    expect(shifted.priority).toBe(10);

    const rules = await lattice.send(
      new ListRulesCommand({ serviceIdentifier: svc.id, listenerIdentifier: listener.id }),
    );
    expect(rules.items?.map((r) => [r.name, r.isDefault, r.priority])).toEqual([
      ['canary', false, 10],
      ['default', true, undefined],
    ]);

    // Deleting the listener takes its rules; the target groups are free again.
    await lattice.send(
      new DeleteListenerCommand({ serviceIdentifier: svc.id, listenerIdentifier: listener.id }),
    );
    await expectError(
      lattice.send(new GetListenerCommand({ serviceIdentifier: svc.id, listenerIdentifier: listener.id })),
      ResourceNotFoundException,
    );
    await lattice.send(new DeleteTargetGroupCommand({ targetGroupIdentifier: v2.id }));
  });

  it('refuses a weight above 999 and more than 10 target groups, changing nothing', async () => {
    const { svc, listener, v1 } = await serviceWithListener();
    const heavy = await expectError(
      lattice.send(
        new CreateRuleCommand({
          serviceIdentifier: svc.id,
          listenerIdentifier: listener.id,
          name: 'heavy',
          priority: 1,
          match: { httpMatch: { method: 'GET' } },
          action: { forward: { targetGroups: [{ targetGroupIdentifier: v1.id, weight: 1000 }] } },
        }),
      ),
      ValidationException,
    );
    expect(heavy.fieldList).toEqual([
      {
        name: 'action.forward.targetGroups[0].weight',
        message: 'Member must have value less than or equal to 999',
      },
    ]);
    const eleven: WeightedTargetGroup[] = Array.from({ length: 11 }, () => ({
      targetGroupIdentifier: v1.id,
      weight: 1,
    }));
    const many = await expectError(
      lattice.send(
        new CreateRuleCommand({
          serviceIdentifier: svc.id,
          listenerIdentifier: listener.id,
          name: 'many',
          priority: 1,
          match: { httpMatch: { method: 'GET' } },
          action: { forward: { targetGroups: eleven } },
        }),
      ),
      ValidationException,
    );
    expect(many.fieldList?.[0]?.name).toBe('action.forward.targetGroups');
    const rules = await lattice.send(
      new ListRulesCommand({ serviceIdentifier: svc.id, listenerIdentifier: listener.id }),
    );
    expect(rules.items?.map((r) => r.name)).toEqual(['default']);
  });

  it('keeps priorities unique per listener, in CreateRule, UpdateRule and BatchUpdateRule', async () => {
    const { svc, listener, v1 } = await serviceWithListener();
    const base = {
      serviceIdentifier: svc.id,
      listenerIdentifier: listener.id,
      match: { httpMatch: { method: 'GET' } },
      action: { forward: { targetGroups: [{ targetGroupIdentifier: v1.id }] } },
    };
    const first = await lattice.send(new CreateRuleCommand({ ...base, name: 'first', priority: 5 }));
    expect(first.action?.forward?.targetGroups?.[0]?.weight).toBe(100);
    const second = await lattice.send(new CreateRuleCommand({ ...base, name: 'second', priority: 6 }));
    await expectError(
      lattice.send(new CreateRuleCommand({ ...base, name: 'third', priority: 5 })),
      ConflictException,
    );
    await expectError(
      lattice.send(new UpdateRuleCommand({ ...base, ruleIdentifier: second.id, priority: 5 })),
      ConflictException,
    );
    const batch = await lattice.send(
      new BatchUpdateRuleCommand({
        serviceIdentifier: svc.id,
        listenerIdentifier: listener.id,
        rules: [
          { ruleIdentifier: first.id, priority: 7 },
          { ruleIdentifier: second.id, priority: 7 },
        ],
      }),
    );
    expect(batch.successful?.map((r) => [r.id, r.priority])).toEqual([[first.id, 7]]);
    expect(batch.unsuccessful).toEqual([
      expect.objectContaining({ ruleIdentifier: second.id, failureCode: 'ConflictException' }),
    ]);
    // A batch may swap two rules' priorities: each is checked against the listener the batch leaves.
    const swap = await lattice.send(
      new BatchUpdateRuleCommand({
        serviceIdentifier: svc.id,
        listenerIdentifier: listener.id,
        rules: [
          { ruleIdentifier: first.id, priority: 6 },
          { ruleIdentifier: second.arn, priority: 7 },
        ],
      }),
    );
    expect(swap.unsuccessful).toEqual([]);
    const rules = await lattice.send(
      new ListRulesCommand({ serviceIdentifier: svc.id, listenerIdentifier: listener.id }),
    );
    expect(rules.items?.map((r) => [r.name, r.priority])).toEqual([
      ['first', 6],
      ['second', 7],
      ['default', undefined],
    ]);
  });

  it('enforces the listeners-per-service quota and refuses fixed responses on TLS passthrough', async () => {
    const { svc, v1 } = await serviceWithListener();
    const tcp = await targetGroup(unique('tcp'), 'TCP');
    const tls = await expectError(
      lattice.send(
        new CreateListenerCommand({
          serviceIdentifier: svc.id,
          name: 'tls',
          protocol: 'TLS_PASSTHROUGH',
          port: 8443,
          defaultAction: { fixedResponse: { statusCode: 404 } },
        }),
      ),
      ValidationException,
    );
    expect(tls.fieldList?.[0]?.name).toBe('defaultAction.fixedResponse');
    await lattice.send(
      new CreateListenerCommand({
        serviceIdentifier: svc.id,
        name: 'tls',
        protocol: 'TLS_PASSTHROUGH',
        port: 8443,
        defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: tcp.id }] } },
      }),
    );
    const third = await expectError(
      lattice.send(
        new CreateListenerCommand({
          serviceIdentifier: svc.id,
          name: 'https',
          protocol: 'HTTPS',
          defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: v1.id }] } },
        }),
      ),
      ServiceQuotaExceededException,
    );
    expect(third).toMatchObject({ resourceType: 'LISTENER', serviceCode: 'vpc-lattice' });
  });
});

describe('target groups', () => {
  it('registers IP targets, refuses others, and pages through target groups', async () => {
    const prefix = unique('paged');
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await targetGroup(`${prefix}-${i}`));
    const registered = await lattice.send(
      new RegisterTargetsCommand({
        targetGroupIdentifier: made[0]?.id,
        targets: [{ id: '10.0.0.1' }, { id: 'i-0123456789abcdef0' }],
      }),
    );
    expect(registered.successful).toEqual([{ id: '10.0.0.1', port: 8080 }]);
    expect(registered.unsuccessful?.[0]).toMatchObject({
      id: 'i-0123456789abcdef0',
      failureCode: 'InvalidTarget',
    });
    const targets = await lattice.send(new ListTargetsCommand({ targetGroupIdentifier: made[0]?.id }));
    expect(targets.items).toEqual([{ id: '10.0.0.1', port: 8080, status: 'UNUSED' }]);

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await lattice.send(new ListTargetGroupsCommand({ maxResults: 2, nextToken }));
      expect(page.items?.length ?? 0).toBeLessThanOrEqual(2);
      seen.push(...(page.items ?? []).map((tg) => tg.name ?? ''));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken !== undefined);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.filter((n) => n.startsWith(prefix))).toEqual([0, 1, 2, 3, 4].map((i) => `${prefix}-${i}`));
    expect(new Set(seen).size).toBe(seen.length);
    await expectError(lattice.send(new ListTargetGroupsCommand({ maxResults: 101 })), ValidationException);
    await expectError(
      lattice.send(new ListTargetGroupsCommand({ nextToken: 'forged' })),
      ValidationException,
    );
  });

  it('requires the config its type needs', async () => {
    const error = await expectError(
      lattice.send(new CreateTargetGroupCommand({ name: unique('bare'), type: 'IP' })),
      ValidationException,
    );
    expect(error.fieldList?.map((f) => f.name)).toEqual(['config.protocol', 'config.vpcIdentifier']);
    const lambda = await lattice.send(new CreateTargetGroupCommand({ name: unique('fn'), type: 'LAMBDA' }));
    expect(lambda.config).toEqual({ lambdaEventStructureVersion: 'V1' });
  });
});

describe('client tokens, tags and auth policies', () => {
  it('replays a create with the same token and input, and refuses the token with another input', async () => {
    const name = unique('idem');
    const clientToken = `token-${name}`;
    const first = await lattice.send(new CreateServiceNetworkCommand({ name, clientToken }));
    const again = await lattice.send(new CreateServiceNetworkCommand({ name, clientToken }));
    expect(again.id).toBe(first.id);
    await expectError(
      lattice.send(new CreateServiceNetworkCommand({ name, clientToken, authType: 'AWS_IAM' })),
      ConflictException,
    );
  });

  it('refuses a client token with a space or a character outside printable ASCII, as the pattern [!-~]+ does', async () => {
    for (const clientToken of ['has space', 'tök']) {
      const error = await expectError(
        lattice.send(new CreateServiceNetworkCommand({ name: unique('token'), clientToken })),
        ValidationException,
      );
      expect(error.fieldList?.map((f) => f.name)).toEqual(['clientToken']);
    }
  });

  it('tags on create, tags, untags and lists tags', async () => {
    const svc = await lattice.send(
      new CreateServiceCommand({ name: unique('tagged'), tags: { team: 'web' } }),
    );
    await lattice.send(
      new TagResourceCommand({ resourceArn: svc.arn, tags: { env: 'prod', tier: 'front' } }),
    );
    await lattice.send(new UntagResourceCommand({ resourceArn: svc.arn, tagKeys: ['tier'] }));
    const { tags } = await lattice.send(new ListTagsForResourceCommand({ resourceArn: svc.arn }));
    expect(tags).toEqual({ team: 'web', env: 'prod' });
    await expectError(
      lattice.send(new TagResourceCommand({ resourceArn: svc.arn, tags: { 'aws:owner': 'x' } })),
      ValidationException,
    );
  });

  it('validates auth policies as IAM policy documents', async () => {
    const svc = await lattice.send(new CreateServiceCommand({ name: unique('authz'), authType: 'AWS_IAM' }));
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'vpc-lattice-svcs:Invoke', Resource: '*' }],
    });
    const put = await lattice.send(new PutAuthPolicyCommand({ resourceIdentifier: svc.id, policy }));
    expect(put.state).toBe('Active');
    expect((await lattice.send(new GetAuthPolicyCommand({ resourceIdentifier: svc.arn }))).policy).toBe(
      policy,
    );
    await lattice.send(new DeleteAuthPolicyCommand({ resourceIdentifier: svc.id }));
    const gone = await expectError(
      lattice.send(new GetAuthPolicyCommand({ resourceIdentifier: svc.id })),
      ResourceNotFoundException,
    );
    expect(gone).toMatchObject({ resourceType: 'AUTH_POLICY', resourceId: svc.id });
    await expectError(
      lattice.send(new DeleteAuthPolicyCommand({ resourceIdentifier: svc.id })),
      ResourceNotFoundException,
    );
    await expectError(
      lattice.send(new PutAuthPolicyCommand({ resourceIdentifier: svc.id, policy: '{"Statement": "nope"' })),
      ValidationException,
    );
    await expectError(
      lattice.send(
        new PutAuthPolicyCommand({
          resourceIdentifier: svc.id,
          policy: JSON.stringify({
            Statement: [{ Effect: 'Allow', Principal: '*', Action: 'x'.repeat(11000), Resource: '*' }],
          }),
        }),
      ),
      ValidationException,
    );
  });
});

describe('CloudTrail and IAM', () => {
  it('puts an AWS API Call via CloudTrail event on the bus for each mutating call', async () => {
    const from = edge.events.length;
    const name = unique('trail');
    const sn = await lattice.send(new CreateServiceNetworkCommand({ name, tags: { a: 'b' } }));
    await lattice.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }));
    await expectError(lattice.send(new CreateServiceNetworkCommand({ name })), ConflictException);
    await lattice.send(new DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }));
    const trail = edge.events.slice(from);
    expect(trail.map((e) => [e.source, e.detailType, e.detail.eventName])).toEqual([
      ['aws.vpc-lattice', 'AWS API Call via CloudTrail', 'CreateServiceNetwork'],
      ['aws.vpc-lattice', 'AWS API Call via CloudTrail', 'CreateServiceNetwork'],
      ['aws.vpc-lattice', 'AWS API Call via CloudTrail', 'DeleteServiceNetwork'],
    ]);
    const [created, refused, deleted] = trail.map((e) => e.detail);
    expect(created).toMatchObject({
      eventSource: 'vpc-lattice.amazonaws.com',
      awsRegion: 'us-east-1',
      readOnly: false,
      requestParameters: { name, tags: { a: 'b' } },
      responseElements: { id: sn.id, arn: sn.arn, name },
      userIdentity: { accountId: ACCOUNT },
    });
    expect(refused).toMatchObject({ errorCode: 'ConflictException', responseElements: null });
    expect(deleted).toMatchObject({
      requestParameters: { serviceNetworkIdentifier: sn.id },
      responseElements: null,
    });
  });

  it('authorizes each call on the resource ARN under the caller policies', async () => {
    const { svc, listener, v1 } = await serviceWithListener();
    const rule = await lattice.send(
      new CreateRuleCommand({
        serviceIdentifier: svc.id,
        listenerIdentifier: listener.id,
        name: 'frozen-rule',
        priority: 1,
        match: { httpMatch: { method: 'GET' } },
        action: { forward: { targetGroups: [{ targetGroupIdentifier: v1.id }] } },
        tags: { frozen: 'true' },
      }),
    );
    const reader = new VPCLatticeClient({
      ...edge.clientConfig,
      credentials: { accessKeyId: 'lattice-reader', secretAccessKey: 'lattice-reader-secret' },
    });
    try {
      await reader.send(new GetServiceCommand({ serviceIdentifier: svc.id }));
      const denied = await expectError(
        reader.send(new CreateServiceCommand({ name: unique('nope') })),
        Error,
      );
      expect(denied.name).toBe('AccessDeniedException');
      expect(denied.message).toContain(`vpc-lattice:CreateService on resource: ${ARN}:service/*`);
      // The rule is tagged frozen: the explicit Deny wins over the Allow on rules.
      const frozen = await expectError(
        reader.send(
          new UpdateRuleCommand({
            serviceIdentifier: svc.id,
            listenerIdentifier: listener.id,
            ruleIdentifier: rule.id,
            priority: 2,
          }),
        ),
        Error,
      );
      expect(frozen.name).toBe('AccessDeniedException');
      expect(frozen.message).toContain(`${listener.arn}/rule/${rule.id}`);
    } finally {
      reader.destroy();
    }
  });
});

describe('persistence', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'lattice-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps resources across a restart', async () => {
    const first = await startTestEdge((context) => [new VpcLatticeService(context)], { dataDir });
    const client = new VPCLatticeClient(first.clientConfig);
    const sn = await client.send(new CreateServiceNetworkCommand({ name: 'kept' }));
    client.destroy();
    await first.close();
    const second = await startTestEdge((context) => [new VpcLatticeService(context)], { dataDir });
    const again = new VPCLatticeClient(second.clientConfig);
    try {
      expect((await again.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }))).name).toBe(
        'kept',
      );
    } finally {
      again.destroy();
      await second.close();
    }
  });
});

describe('injected faults', () => {
  it('answers an injected throttle and server fault with the typed errors the SDK retries', async () => {
    const faulty = await startTestEdge((context) => [new VpcLatticeService(context)]);
    const client = new VPCLatticeClient({ ...faulty.clientConfig, maxAttempts: 1 });
    try {
      faulty.faults.set([
        { service: 'vpc-lattice', operation: 'ListServices', throttleRate: 1, errorRate: 0, latencyMs: 0 },
      ]);
      const throttled = await expectError(client.send(new ListServicesCommand({})), ThrottlingException);
      expect(throttled.$metadata.httpStatusCode).toBe(429);
      faulty.faults.set([
        { service: 'vpc-lattice', operation: 'ListServices', throttleRate: 0, errorRate: 1, latencyMs: 0 },
      ]);
      const failed = await expectError(client.send(new ListServicesCommand({})), InternalServerException);
      expect(failed.$fault).toBe('server');
    } finally {
      client.destroy();
      await faulty.close();
    }
  });
});

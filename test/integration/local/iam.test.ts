// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables, not JavaScript templates
import {
  AppMeshClient,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  DescribeRouteCommand,
  ListMeshesCommand,
  UpdateRouteCommand,
} from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITIES, IdentityRegistry } from '../../../infra/local/edge/identities';
import { AppMeshService } from '../../../infra/local/services/appmesh/appmesh-service';
import { CloudWatchService } from '../../../infra/local/services/cloudwatch/cloudwatch-service';
import { StsService } from '../../../infra/local/services/sts/sts-service';
import { startTestEdge, type TestEdge } from '../../support/local-edge';

const ACCOUNT = DEFAULT_IDENTITIES.accountId;
const MESH_ARN = `arn:aws:appmesh:us-east-1:${ACCOUNT}:mesh/prod`;
const ROUTE_ARN = `${MESH_ARN}/virtualRouter/web/route/main`;

/** Identities with policies next to the demo's (which keep allow-all). */
function identities(): IdentityRegistry {
  const registry = new IdentityRegistry(DEFAULT_IDENTITIES);
  registry.add({
    type: 'AssumedRole',
    accessKeyId: 'reader',
    secretAccessKey: 'reader-secret',
    roleName: 'RouteReader',
    sessionName: 'reader',
    policies: [
      {
        Version: '2012-10-17',
        Statement: { Effect: 'Allow', Action: 'appmesh:DescribeRoute', Resource: `${MESH_ARN}/*` },
      },
    ],
  });
  registry.add({
    type: 'WebIdentity',
    accessKeyId: 'team',
    secretAccessKey: 'team-secret',
    roleName: 'TeamDeployer',
    sessionName: 'alice',
    provider: `arn:aws:iam::${ACCOUNT}:oidc-provider/issuer.example`,
    claims: { team: 'web' },
    policies: [
      {
        Statement: {
          Effect: 'Allow',
          Action: 'appmesh:UpdateRoute',
          Resource: '*',
          // A team may change the routes tagged as its own.
          Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
        },
      },
    ],
  });
  registry.add({
    type: 'AssumedRole',
    accessKeyId: 'denied',
    secretAccessKey: 'denied-secret',
    roleName: 'Operator',
    sessionName: 'op',
    policies: [
      { Statement: [{ Effect: 'Allow', Action: ['appmesh:*', 'cloudwatch:Describe*'], Resource: '*' }] },
      { Statement: { Effect: 'Deny', Action: 'appmesh:Update*', Resource: `${MESH_ARN}/virtualRouter/*` } },
      {
        Statement: {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } },
        },
      },
    ],
  });
  return registry;
}

describe('IAM at the local edge', () => {
  let edge: TestEdge;
  const client = (accessKeyId: string, region = 'us-east-1') =>
    new AppMeshClient({
      endpoint: edge.endpoint,
      region,
      credentials: {
        accessKeyId,
        secretAccessKey: accessKeyId === 'test' ? 'test' : `${accessKeyId}-secret`,
      },
      maxAttempts: 1,
    });

  beforeAll(async () => {
    let appmesh: AppMeshService | undefined;
    edge = await startTestEdge(
      (context) => {
        appmesh = new AppMeshService(context);
        return [appmesh, new CloudWatchService(context), new StsService()];
      },
      { identities: identities(), resourceLookups: { resourceTags: (arn) => appmesh?.resourceTags(arn) } },
    );
    const admin = new AppMeshClient({ ...edge.clientConfig, maxAttempts: 1 });
    await admin.send(new CreateMeshCommand({ meshName: 'prod' }));
    for (const name of ['blue', 'green']) {
      await admin.send(new CreateVirtualNodeCommand({ meshName: 'prod', virtualNodeName: name, spec: {} }));
    }
    await admin.send(
      new CreateVirtualRouterCommand({
        meshName: 'prod',
        virtualRouterName: 'web',
        spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
      }),
    );
    await admin.send(new CreateRouteCommand(routeInput()));
    await admin.send(
      new CreateRouteCommand({ ...routeInput(), routeName: 'tagged', tags: [{ key: 'team', value: 'web' }] }),
    );
  });
  afterAll(() => edge.close());

  function routeInput() {
    return {
      meshName: 'prod',
      virtualRouterName: 'web',
      routeName: 'main',
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: {
            weightedTargets: [
              { virtualNode: 'blue', weight: 100 },
              { virtualNode: 'green', weight: 0 },
            ],
          },
        },
      },
    };
  }

  it('lets an identity with DescribeRoute read the route and refuses it UpdateRoute, as IAM words it', async () => {
    const reader = client('reader');
    const route = await reader.send(new DescribeRouteCommand(routeInput()));
    expect(route.route?.metadata?.arn).toBe(ROUTE_ARN);

    const refusal = await reader.send(new UpdateRouteCommand(routeInput())).catch((e: unknown) => e);
    expect(refusal).toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
      message:
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/RouteReader/reader is not authorized to perform: ` +
        `appmesh:UpdateRoute on resource: ${ROUTE_ARN} because no identity-based policy allows the appmesh:UpdateRoute action`,
    });
    // ListMeshes is authorized on `*`, which the reader's mesh-scoped policy does not cover.
    await expect(reader.send(new ListMeshesCommand({}))).rejects.toMatchObject({
      message: expect.stringContaining('appmesh:ListMeshes on resource: *'),
    });
  });

  it('records the refused write in CloudTrail with its error code and message', async () => {
    const before = edge.events.length;
    await client('reader')
      .send(new UpdateRouteCommand(routeInput()))
      .catch(() => undefined);
    const trail = edge.events.slice(before).find((e) => e.detailType === 'AWS API Call via CloudTrail');
    expect(trail?.detail).toMatchObject({
      eventName: 'UpdateRoute',
      eventSource: 'appmesh.amazonaws.com',
      errorCode: 'AccessDeniedException',
      errorMessage: expect.stringContaining('is not authorized to perform: appmesh:UpdateRoute'),
      userIdentity: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/RouteReader/reader` },
      readOnly: false,
    });
    // The route is as it was: nothing of the refused call was applied.
    const route = await client('test').send(new DescribeRouteCommand(routeInput()));
    expect(route.route?.metadata?.version).toBe(1);
  });

  it('lets an explicit Deny win over an Allow, and denies by condition keys', async () => {
    const operator = client('denied');
    await expect(operator.send(new UpdateRouteCommand(routeInput()))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(
        /appmesh:UpdateRoute on resource: .* with an explicit deny in an identity-based policy$/,
      ),
    });
    await expect(operator.send(new DescribeRouteCommand(routeInput()))).resolves.toBeDefined();
    // aws:RequestedRegion: the same call signed for another region is refused.
    await expect(client('denied', 'eu-west-1').send(new ListMeshesCommand({}))).rejects.toMatchObject({
      message: expect.stringContaining('with an explicit deny'),
    });
  });

  it('matches aws:ResourceTag of the route against the caller’s session tags', async () => {
    const team = client('team');
    await expect(
      team.send(new UpdateRouteCommand({ ...routeInput(), routeName: 'tagged' })),
    ).resolves.toBeDefined();
    await expect(team.send(new UpdateRouteCommand(routeInput()))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(
        `appmesh:UpdateRoute on resource: ${ROUTE_ARN} because no identity-based policy`,
      ),
    });
  });

  it('keeps identities without policies allowed everything', async () => {
    await expect(client('test').send(new ListMeshesCommand({}))).resolves.toBeDefined();
  });

  it('authorizes DescribeAlarms without names on alarm:*, and answers the query protocol with AccessDenied', async () => {
    const cw = (key: string) =>
      new CloudWatchClient({
        endpoint: edge.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: key, secretAccessKey: `${key}-secret` },
        maxAttempts: 1,
      });
    await expect(cw('denied').send(new DescribeAlarmsCommand({}))).resolves.toBeDefined();
    await expect(cw('reader').send(new DescribeAlarmsCommand({}))).rejects.toMatchObject({
      message: expect.stringContaining(
        `cloudwatch:DescribeAlarms on resource: arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*`,
      ),
    });
    const form = await fetch(edge.endpoint, { method: 'POST' }).then((r) => r.status);
    expect(form).toBe(403); // unsigned: refused before IAM
  });

  it('never refuses sts:GetCallerIdentity, and refuses a service the caller has no grant for', async () => {
    const sts = new STSClient({
      endpoint: edge.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'reader', secretAccessKey: 'reader-secret' },
      maxAttempts: 1,
    });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/RouteReader/reader`);
    const dynamo = new DynamoDBClient({
      endpoint: edge.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'reader', secretAccessKey: 'reader-secret' },
      maxAttempts: 1,
    });
    // No dynamodb service is served here: the edge says so only to callers IAM lets through.
    await expect(dynamo.send(new ListTablesCommand({}))).rejects.toMatchObject({
      name: 'UnknownServiceException',
    });
  });
});

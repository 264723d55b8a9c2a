import { describe, expect, it } from 'vitest';
import { checksOf } from '../../../../infra/local/iam/service-authorization';
import type { CallerIdentity, LocalRequest } from '../../../../infra/local/types';

const A = '000000000000';
const R = 'us-east-1';

function request(
  service: string,
  init: { method?: string; path?: string; body?: unknown; form?: string; query?: string },
): LocalRequest {
  const body =
    init.form !== undefined
      ? Buffer.from(init.form)
      : Buffer.from(init.body === undefined ? '' : JSON.stringify(init.body));
  return {
    service,
    region: R,
    method: init.method ?? 'POST',
    path: init.path ?? '/',
    query: new URLSearchParams(init.query ?? ''),
    headers: init.form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    body,
    caller: {} as CallerIdentity,
    requestId: 'r',
  };
}

describe('the action and resource IAM checks per service', () => {
  it.each([
    [
      'appmesh UpdateRoute',
      request('appmesh', { method: 'PUT', path: '/v20190125/meshes/prod/virtualRouter/web/routes/main' }),
      'UpdateRoute',
      [['appmesh:UpdateRoute', `arn:aws:appmesh:${R}:${A}:mesh/prod/virtualRouter/web/route/main`]],
    ],
    [
      'appmesh CreateVirtualNode names the node from the body',
      request('appmesh', {
        method: 'PUT',
        path: '/v20190125/meshes/prod/virtualNodes',
        body: { virtualNodeName: 'n' },
      }),
      'CreateVirtualNode',
      [['appmesh:CreateVirtualNode', `arn:aws:appmesh:${R}:${A}:mesh/prod/virtualNode/n`]],
    ],
    [
      'appmesh ListRoutes on the router, in the mesh owner account',
      request('appmesh', {
        method: 'GET',
        path: '/v20190125/meshes/prod/virtualRouter/web/routes',
        query: 'meshOwner=111122223333',
      }),
      'ListRoutes',
      [['appmesh:ListRoutes', `arn:aws:appmesh:${R}:111122223333:mesh/prod/virtualRouter/web`]],
    ],
    [
      'appmesh ListMeshes on *',
      request('appmesh', { method: 'GET', path: '/v20190125/meshes' }),
      'ListMeshes',
      [['appmesh:ListMeshes', '*']],
    ],
    [
      'acm-pca IssueCertificate on the CA',
      request('acm-pca', {
        body: { CertificateAuthorityArn: `arn:aws:acm-pca:${R}:${A}:certificate-authority/x` },
      }),
      'IssueCertificate',
      [['acm-pca:IssueCertificate', `arn:aws:acm-pca:${R}:${A}:certificate-authority/x`]],
    ],
    [
      'acm-pca ListCertificateAuthorities on *',
      request('acm-pca', { body: {} }),
      'ListCertificateAuthorities',
      [['acm-pca:ListCertificateAuthorities', '*']],
    ],
    [
      'acm first ImportCertificate on the account certificates',
      request('acm', { body: {} }),
      'ImportCertificate',
      [['acm:ImportCertificate', `arn:aws:acm:${R}:${A}:certificate/*`]],
    ],
    [
      'dynamodb Query on an index',
      request('dynamodb', { body: { TableName: 't', IndexName: 'i' } }),
      'Query',
      [['dynamodb:Query', `arn:aws:dynamodb:${R}:${A}:table/t/index/i`]],
    ],
    [
      'dynamodb BatchWriteItem on every table',
      request('dynamodb', { body: { RequestItems: { a: [], b: [] } } }),
      'BatchWriteItem',
      [
        ['dynamodb:BatchWriteItem', `arn:aws:dynamodb:${R}:${A}:table/a`],
        ['dynamodb:BatchWriteItem', `arn:aws:dynamodb:${R}:${A}:table/b`],
      ],
    ],
    [
      'dynamodb TransactWriteItems as each item action',
      request('dynamodb', {
        body: { TransactItems: [{ Put: { TableName: 't' } }, { ConditionCheck: { TableName: 't' } }] },
      }),
      'TransactWriteItems',
      [
        ['dynamodb:PutItem', `arn:aws:dynamodb:${R}:${A}:table/t`],
        ['dynamodb:ConditionCheckItem', `arn:aws:dynamodb:${R}:${A}:table/t`],
      ],
    ],
    [
      'events PutEvents per bus',
      request('events', {
        body: { Entries: [{ Source: 's' }, { EventBusName: 'meshwarden', Source: 's' }] },
      }),
      'PutEvents',
      [
        ['events:PutEvents', `arn:aws:events:${R}:${A}:event-bus/default`],
        ['events:PutEvents', `arn:aws:events:${R}:${A}:event-bus/meshwarden`],
      ],
    ],
    [
      'events PutRule on a custom bus',
      request('events', { body: { Name: 'r', EventBusName: 'meshwarden' } }),
      'PutRule',
      [['events:PutRule', `arn:aws:events:${R}:${A}:rule/meshwarden/r`]],
    ],
    [
      'scheduler GetSchedule in its group',
      request('scheduler', { method: 'GET', path: '/schedules/s', query: 'groupName=g' }),
      'GetSchedule',
      [['scheduler:GetSchedule', `arn:aws:scheduler:${R}:${A}:schedule/g/s`]],
    ],
    [
      'scheduler CreateSchedule in the default group',
      request('scheduler', { path: '/schedules/s', body: {} }),
      'CreateSchedule',
      [['scheduler:CreateSchedule', `arn:aws:scheduler:${R}:${A}:schedule/default/s`]],
    ],
    [
      'secretsmanager CreateSecret on the name with a suffix to come',
      request('secretsmanager', { body: { Name: 'meshwarden/certificates/x' } }),
      'CreateSecret',
      [
        [
          'secretsmanager:CreateSecret',
          `arn:aws:secretsmanager:${R}:${A}:secret:meshwarden/certificates/x-xxxxxx`,
        ],
      ],
    ],
    [
      'cloudwatch DescribeAlarms without names on alarm:*',
      request('monitoring', { body: {} }),
      'DescribeAlarms',
      [['cloudwatch:DescribeAlarms', `arn:aws:cloudwatch:${R}:${A}:alarm:*`]],
    ],
    [
      'cloudwatch DescribeAlarms (query protocol) per alarm',
      request('monitoring', { form: 'Action=DescribeAlarms&AlarmNames.member.1=a&AlarmNames.member.2=b' }),
      'DescribeAlarms',
      [
        ['cloudwatch:DescribeAlarms', `arn:aws:cloudwatch:${R}:${A}:alarm:a`],
        ['cloudwatch:DescribeAlarms', `arn:aws:cloudwatch:${R}:${A}:alarm:b`],
      ],
    ],
    [
      'appmesh CreateRoute with tags also needs TagResource',
      request('appmesh', {
        method: 'PUT',
        path: '/v20190125/meshes/prod/virtualRouter/web/routes',
        body: { routeName: 'r', tags: [{ key: 'team', value: 'web' }] },
      }),
      'CreateRoute',
      [
        ['appmesh:CreateRoute', `arn:aws:appmesh:${R}:${A}:mesh/prod/virtualRouter/web/route/r`],
        ['appmesh:TagResource', `arn:aws:appmesh:${R}:${A}:mesh/prod/virtualRouter/web/route/r`],
      ],
    ],
    [
      'acm ImportCertificate with tags also needs AddTagsToCertificate',
      request('acm', { body: { Tags: [{ Key: 'k', Value: 'v' }] } }),
      'ImportCertificate',
      [
        ['acm:ImportCertificate', `arn:aws:acm:${R}:${A}:certificate/*`],
        ['acm:AddTagsToCertificate', `arn:aws:acm:${R}:${A}:certificate/*`],
      ],
    ],
    [
      'scheduler CreateSchedule passes its target role',
      request('scheduler', {
        path: '/schedules/s',
        body: { GroupName: 'g', Target: { RoleArn: `arn:aws:iam::${A}:role/x` } },
      }),
      'CreateSchedule',
      [
        ['scheduler:CreateSchedule', `arn:aws:scheduler:${R}:${A}:schedule/g/s`],
        ['iam:PassRole', `arn:aws:iam::${A}:role/x`],
      ],
    ],
    [
      'sts GetCallerIdentity needs nothing',
      request('sts', { form: 'Action=GetCallerIdentity' }),
      'GetCallerIdentity',
      [],
    ],
    [
      'sts AssumeRole on the role assumed',
      request('sts', {
        form: `Action=AssumeRole&RoleArn=${encodeURIComponent('arn:aws:iam::222222222222:role/meshwarden-member-access')}&RoleSessionName=s`,
      }),
      'AssumeRole',
      [['sts:AssumeRole', 'arn:aws:iam::222222222222:role/meshwarden-member-access']],
    ],
    [
      'an unmapped service on *',
      request('xray', { body: {} }),
      'PutTraceSegments',
      [['xray:PutTraceSegments', '*']],
    ],
    // KMS weighs its key policy with the identity policies itself: the edge checks nothing first.
    ['KMS, left to the key policy', request('kms', { body: {} }), 'Encrypt', []],
  ])('%s', (_name, req, operation, expected) => {
    const checks = checksOf(req, operation, A);
    expect(checks?.map((c) => [c.action, c.resource])).toEqual(expected);
  });

  it('uses the full ARN of a secret the service knows', () => {
    const arn = `arn:aws:secretsmanager:${R}:${A}:secret:meshwarden/slack-AbCdEf`;
    const checks = checksOf(
      request('secretsmanager', { body: { SecretId: 'meshwarden/slack' } }),
      'GetSecretValue',
      A,
      {
        secretArn: (id) => (id === 'meshwarden/slack' ? arn : undefined),
      },
    );
    expect(checks).toEqual([{ action: 'secretsmanager:GetSecretValue', resource: arn }]);
  });

  it('puts the resource’s tags in the context as aws:ResourceTag, where the service knows them', () => {
    const route = `arn:aws:appmesh:${R}:${A}:mesh/prod/virtualRouter/web/route/main`;
    const checks = checksOf(
      request('appmesh', { method: 'PUT', path: '/v20190125/meshes/prod/virtualRouter/web/routes/main' }),
      'UpdateRoute',
      A,
      { resourceTags: (arn) => (arn === route ? { team: 'web' } : undefined) },
    );
    expect(checks?.[0]?.context).toEqual({ 'aws:ResourceTag/team': 'web' });
    const list = checksOf(request('appmesh', { method: 'GET', path: '/v20190125/meshes' }), 'ListMeshes', A, {
      resourceTags: () => ({ team: 'web' }),
    });
    expect(list?.[0]?.context).toBeUndefined();
  });

  it('puts the event source in the PutEvents context', () => {
    const checks = checksOf(
      request('events', {
        body: { Entries: [{ EventBusName: 'meshwarden', Source: 'meshwarden', DetailType: 'X' }] },
      }),
      'PutEvents',
      A,
    );
    expect(checks?.[0]?.context).toEqual({ 'events:source': 'meshwarden', 'events:detail-type': 'X' });
  });
});

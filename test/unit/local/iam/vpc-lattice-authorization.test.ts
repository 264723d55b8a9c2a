import { describe, expect, it } from 'vitest';
import { checksOf } from '../../../../infra/local/iam/service-authorization';
import type { CallerIdentity, LocalRequest } from '../../../../infra/local/types';

const ARN = 'arn:aws:vpc-lattice:us-east-1:000000000000';
const SVC = 'svc-0123456789abcdef0';
const LISTENER = 'listener-0123456789abcdef0';
const RULE = 'rule-0123456789abcdef0';

function request(method: string, path: string, body?: unknown, query = ''): LocalRequest {
  return {
    service: 'vpc-lattice',
    region: 'us-east-1',
    method,
    path,
    query: new URLSearchParams(query),
    headers: {},
    body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
    caller: {} as CallerIdentity,
    requestId: 'r',
  };
}

describe('the IAM checks of VPC Lattice calls', () => {
  it.each([
    [
      'GetService by id',
      request('GET', `/services/${SVC}`),
      'GetService',
      [['vpc-lattice:GetService', `${ARN}:service/${SVC}`]],
    ],
    [
      'UpdateRule by ids, on the rule ARN under its listener and service',
      request('PATCH', `/services/${SVC}/listeners/${LISTENER}/rules/${RULE}`, { priority: 2 }),
      'UpdateRule',
      [['vpc-lattice:UpdateRule', `${ARN}:service/${SVC}/listener/${LISTENER}/rule/${RULE}`]],
    ],
    [
      'BatchUpdateRule is UpdateRule on each rule',
      request('PATCH', `/services/${SVC}/listeners/${LISTENER}/rules`, {
        rules: [
          { ruleIdentifier: RULE },
          { ruleIdentifier: `${ARN}:service/${SVC}/listener/${LISTENER}/rule/rule-1` },
        ],
      }),
      'BatchUpdateRule',
      [
        ['vpc-lattice:UpdateRule', `${ARN}:service/${SVC}/listener/${LISTENER}/rule/${RULE}`],
        ['vpc-lattice:UpdateRule', `${ARN}:service/${SVC}/listener/${LISTENER}/rule/rule-1`],
      ],
    ],
    [
      'CreateService with tags also needs TagResource',
      request('POST', '/services', { name: 'web', tags: { team: 'web' } }),
      'CreateService',
      [
        ['vpc-lattice:CreateService', `${ARN}:service/*`],
        ['vpc-lattice:TagResource', `${ARN}:service/*`],
      ],
    ],
    [
      'CreateServiceNetworkServiceAssociation on the association, the service and the service network',
      request('POST', '/servicenetworkserviceassociations', {
        serviceIdentifier: SVC,
        serviceNetworkIdentifier: `${ARN}:servicenetwork/sn-0123456789abcdef0`,
      }),
      'CreateServiceNetworkServiceAssociation',
      [
        ['vpc-lattice:CreateServiceNetworkServiceAssociation', `${ARN}:servicenetworkserviceassociation/*`],
        ['vpc-lattice:CreateServiceNetworkServiceAssociation', `${ARN}:service/${SVC}`],
        ['vpc-lattice:CreateServiceNetworkServiceAssociation', `${ARN}:servicenetwork/sn-0123456789abcdef0`],
      ],
    ],
    ['ListServices on *', request('GET', '/services'), 'ListServices', [['vpc-lattice:ListServices', '*']]],
    [
      'PutAuthPolicy on the service network it names',
      request('PUT', '/authpolicy/sn-0123456789abcdef0', { policy: '{}' }),
      'PutAuthPolicy',
      [['vpc-lattice:PutAuthPolicy', `${ARN}:servicenetwork/sn-0123456789abcdef0`]],
    ],
    [
      'TagResource on the ARN in the path',
      request('POST', `/tags/${encodeURIComponent(`${ARN}:targetgroup/tg-0123456789abcdef0`)}`, { tags: {} }),
      'TagResource',
      [['vpc-lattice:TagResource', `${ARN}:targetgroup/tg-0123456789abcdef0`]],
    ],
  ])('%s', (_name, req, operation, expected) => {
    const checks = checksOf(req, operation, '000000000000');
    expect(checks?.map((c) => [c.action, c.resource])).toEqual(expected);
  });
});

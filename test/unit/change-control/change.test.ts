import { describe, expect, it } from 'vitest';
import { meshChangeOf, refFromAppMeshArn } from '../../../shared/change-control/change';
import { parseMeshChangeInbound } from '../../../shared/change-control/inbound';
import { holdApprovalId, revertClientToken } from '../../../shared/change-control/tokens';
import { ValidationError } from '../../../shared/errors';
import { parseAppMeshApiCall } from '../../../shared/providers/appmesh/cloudtrail';
import { loadEvent } from '../../support/sample-events';

describe('meshChangeOf', () => {
  it('reads operation, resource, version and caller from an UpdateRoute record', () => {
    const change = meshChangeOf(parseAppMeshApiCall(loadEvent('appmesh/update-route-oidc')));

    expect(change).toMatchObject({
      operation: 'UpdateRoute',
      verb: 'update',
      ref: { kind: 'route', meshName: 'prod', parentName: 'web-router', name: 'web-route' },
      errorCode: undefined,
    });
    expect(change.identity.type).toBe('AssumedRole');
  });

  it.each([
    ['appmesh/create-virtual-node', 'create', 'virtual-node'],
    ['appmesh/delete-virtual-service', 'delete', 'virtual-service'],
    ['appmesh/delete-route', 'delete', 'route'],
    ['appmesh/update-virtual-node', 'update', 'virtual-node'],
    ['appmesh/update-route-access-denied', 'update', 'route'],
  ] as const)('normalises %s', (sample, verb, kind) => {
    const change = meshChangeOf(parseAppMeshApiCall(loadEvent(sample)));

    expect(change.verb).toBe(verb);
    expect(change.ref.kind).toBe(kind);
  });

  it('refuses a write whose resource names are missing, naming the path', () => {
    const event = loadEvent('appmesh/update-route');
    const broken = parseAppMeshApiCall({
      ...event,
      detail: { ...event.detail, requestParameters: { meshName: 'prod', routeName: 'web-route' } },
    });

    expect(() => meshChangeOf(broken)).toThrow(ValidationError);
    expect(() => meshChangeOf(broken)).toThrow(/detail\.requestParameters\.virtualRouterName/);
  });

  it('refuses an operation that is not an App Mesh write', () => {
    const event = loadEvent('appmesh/update-route');
    const broken = parseAppMeshApiCall({ ...event, detail: { ...event.detail, eventName: 'UpdateRoutes' } });

    expect(() => meshChangeOf(broken)).toThrow(
      /detail\.eventName: "UpdateRoutes" is not an App Mesh write operation/,
    );
  });

  it('finds the resource of TagResource from its ARN, and refuses an ARN of another service', () => {
    const event = loadEvent('appmesh/update-route');
    const tag = (resourceArn: string) =>
      parseAppMeshApiCall({
        ...event,
        detail: { ...event.detail, eventName: 'TagResource', requestParameters: { resourceArn, tags: [] } },
      });

    const change = meshChangeOf(
      tag('arn:aws:appmesh:us-east-1:123456789012:mesh/prod/virtualGateway/gw/gatewayRoute/to-web'),
    );

    expect(change).toMatchObject({
      verb: 'tag',
      ref: { kind: 'gateway-route', parentName: 'gw', name: 'to-web' },
    });
    expect(() => meshChangeOf(tag('arn:aws:s3:::bucket'))).toThrow(
      /resourceArn: not an App Mesh resource ARN/,
    );
  });
});

describe('refFromAppMeshArn', () => {
  it.each([
    ['arn:aws:appmesh:eu-west-1:111122223333:mesh/prod', { kind: 'mesh', meshName: 'prod', name: 'prod' }],
    [
      'arn:aws:appmesh:eu-west-1:111122223333:mesh/prod/virtualNode/web-v1',
      { kind: 'virtual-node', name: 'web-v1' },
    ],
    [
      'arn:aws:appmesh:eu-west-1:111122223333:mesh/prod/virtualRouter/r/route/x',
      { kind: 'route', parentName: 'r', name: 'x' },
    ],
  ])('parses %s', (arn, expected) => {
    expect(refFromAppMeshArn(arn)).toMatchObject(expected);
  });

  it.each([
    'arn:aws:appmesh:eu-west-1:111122223333:mesh/',
    'arn:aws:appmesh:eu-west-1:111122223333:mesh/prod/virtualThing/x',
    'arn:aws:appmesh:eu-west-1:111122223333:mesh/prod/virtualRouter/r/route/x/extra',
    'not-an-arn',
  ])('refuses %s', (arn) => {
    expect(refFromAppMeshArn(arn)).toBeUndefined();
  });
});

describe('parseMeshChangeInbound', () => {
  it('routes App Mesh calls and web identity federations', () => {
    expect(parseMeshChangeInbound(loadEvent('appmesh/update-route')).type).toBe('appmesh');
    expect(parseMeshChangeInbound(loadEvent('sts/assume-role-with-web-identity')).type).toBe('web-identity');
    expect(parseMeshChangeInbound(loadEvent('vpc-lattice/update-rule')).type).toBe('vpc-lattice');
  });

  it('refuses another source, naming it', () => {
    const event = { ...loadEvent('appmesh/update-route'), source: 'aws.s3' };

    expect(() => parseMeshChangeInbound(event)).toThrow(
      /source: expected aws.appmesh, aws.vpc-lattice or aws.sts, got "aws.s3"/,
    );
  });

  it('refuses a hostile non-object', () => {
    expect(() => parseMeshChangeInbound('DROP TABLE')).toThrow(ValidationError);
    expect(() => parseMeshChangeInbound(null)).toThrow(ValidationError);
  });
});

describe('tokens', () => {
  it('derives a stable App Mesh clientToken and approval id per event, distinct per event', () => {
    const a = revertClientToken('3c9a1f0e-7d2b-4e8a-9b6c-5d4e3f2a1b05');

    expect(a).toMatch(/^[A-Za-z0-9_-]{1,36}$/);
    expect(revertClientToken('3c9a1f0e-7d2b-4e8a-9b6c-5d4e3f2a1b05')).toBe(a);
    expect(revertClientToken('another')).not.toBe(a);
    expect(holdApprovalId('x')).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(holdApprovalId('x')).not.toBe(holdApprovalId('y'));
  });
});

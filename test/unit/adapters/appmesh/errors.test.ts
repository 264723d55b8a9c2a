import {
  AppMeshClient,
  BadRequestException,
  ConflictException,
  DeleteVirtualNodeCommand,
  ForbiddenException,
  InternalServerErrorException,
  LimitExceededException,
  NotFoundException,
  ResourceInUseException,
  ServiceUnavailableException,
  TooManyRequestsException,
  TooManyTagsException,
} from '@aws-sdk/client-app-mesh';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  MeshwardenError,
  NotFoundError,
  ThrottledError,
} from '../../../../shared/errors';
import { toDomainError } from '../../../../shared/providers/appmesh/errors';
import { createAppMeshProvider } from '../../../../shared/providers/appmesh/provider';

const meta = { message: 'from App Mesh', $metadata: { httpStatusCode: 400, requestId: 'req-1' } };
const named = (name: string) => Object.assign(new Error('from STS/IAM'), { name });

const CASES: [string, Error, new (...args: never[]) => MeshwardenError][] = [
  ['NotFoundException', new NotFoundException(meta), NotFoundError],
  ['ConflictException', new ConflictException(meta), ConflictError],
  ['ResourceInUseException', new ResourceInUseException(meta), ConflictError],
  ['BadRequestException', new BadRequestException(meta), BadRequestError],
  ['TooManyTagsException', new TooManyTagsException(meta), BadRequestError],
  ['TooManyRequestsException', new TooManyRequestsException(meta), ThrottledError],
  ['LimitExceededException', new LimitExceededException(meta), BadRequestError],
  ['ThrottlingException (generic)', named('ThrottlingException'), ThrottledError],
  [
    '$retryable.throttling',
    Object.assign(new Error('slow down'), { name: 'Odd', $retryable: { throttling: true } }),
    ThrottledError,
  ],
  ['ForbiddenException', new ForbiddenException(meta), ForbiddenError],
  ['AccessDenied', named('AccessDenied'), ForbiddenError],
  ['AccessDeniedException', named('AccessDeniedException'), ForbiddenError],
];

const OTHERS: [string, unknown][] = [
  ['InternalServerErrorException', new InternalServerErrorException(meta)],
  ['ServiceUnavailableException', new ServiceUnavailableException(meta)],
  ['a TypeError', new TypeError('socket hang up')],
  ['a thrown string', 'weird'],
];

describe('toDomainError', () => {
  it.each(CASES)('maps %s to its domain error and keeps the cause', (_name, thrown, expected) => {
    // Act
    const mapped = toDomainError(thrown, 'DeleteVirtualNode prod/virtual-node/web-v1');

    // Assess
    expect(mapped).toBeInstanceOf(expected);
    expect(mapped.cause).toBe(thrown);
    expect(mapped.name).toBe(expected.name);
    expect(mapped.message).toContain('DeleteVirtualNode prod/virtual-node/web-v1');
  });

  it.each(OTHERS)('rethrows %s as a plain MeshwardenError with the cause', (_name, thrown) => {
    // Act
    const mapped = toDomainError(thrown, 'DescribeMesh prod/mesh');

    // Assess
    expect(mapped.constructor).toBe(MeshwardenError);
    expect(mapped.cause).toBe(thrown);
    expect(mapped.message).toMatch(/^App Mesh DescribeMesh prod\/mesh failed: /);
  });

  it('passes domain errors through unchanged', () => {
    // Prepare
    const original = new ConflictError('already mapped');

    // Act + Assess
    expect(toDomainError(original, 'x')).toBe(original);
  });
});

describe('errors crossing the MeshProvider port', () => {
  const mock = mockClient(AppMeshClient);
  afterEach(() => mock.reset());

  it.each(CASES)(
    'a %s from App Mesh reaches the caller mapped, with the cause',
    async (_name, thrown, expected) => {
      // Prepare
      mock.on(DeleteVirtualNodeCommand).rejects(thrown);
      const provider = createAppMeshProvider(new AppMeshClient({}));

      // Act
      const error = await provider
        .delete({ kind: 'virtual-node', meshName: 'prod', name: 'web-v1' })
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(expected);
      expect((error as Error).cause).toBe(thrown);
    },
  );
});

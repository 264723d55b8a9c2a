import { toDomainError } from './errors';

/** One VPC Lattice call, its SDK error turned into meshwarden's (named by `attempted`). */
export async function latticeCall<T>(attempted: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toDomainError(error, attempted);
  }
}

/** Every page of a VPC Lattice List call, in order. */
export async function allPages<T>(
  attempted: string,
  page: (nextToken: string | undefined) => Promise<{ items?: T[]; nextToken?: string }>,
): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const answer = await latticeCall(attempted, () => page(token));
    items.push(...(answer.items ?? []));
    nextToken = answer.nextToken;
  } while (nextToken);
  return items;
}

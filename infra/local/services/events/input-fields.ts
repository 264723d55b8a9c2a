/**
 * Reading request members out of a decoded request body (JSON or query protocol) without
 * `any`: each reader names the member it refuses. Services map FieldError to their own
 * AWS error codes (ValidationException, MissingParameter, InvalidParameterValue).
 */

export class FieldError extends Error {
  constructor(
    readonly kind: 'missing' | 'invalid',
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FieldError';
  }
}

export type Input = Readonly<Record<string, unknown>>;

function missing(field: string): never {
  throw new FieldError('missing', field, `The parameter ${field} is required.`);
}

function invalid(field: string, what: string): never {
  throw new FieldError('invalid', field, `The parameter ${field} must be ${what}.`);
}

export function optionalString(input: Input, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') invalid(field, 'a string');
  return value;
}

export function requiredString(input: Input, field: string): string {
  const value = optionalString(input, field);
  if (value === undefined || value === '') missing(field);
  return value;
}

/** Numbers arrive as JSON numbers, or as strings from the query protocol. */
export function optionalNumber(input: Input, field: string): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) invalid(field, 'a number');
  return n;
}

export function requiredNumber(input: Input, field: string): number {
  const value = optionalNumber(input, field);
  if (value === undefined) missing(field);
  return value;
}

export function optionalInteger(input: Input, field: string, min: number, max: number): number | undefined {
  const value = optionalNumber(input, field);
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    invalid(field, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** Booleans arrive as JSON booleans, or as "true"/"false" from the query protocol. */
export function optionalBoolean(input: Input, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (typeof value !== 'boolean') invalid(field, 'a boolean');
  return value;
}

export function optionalObject(input: Input, field: string): Input | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) invalid(field, 'a structure');
  return value as Input;
}

export function optionalList(input: Input, field: string): readonly unknown[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  // The query protocol writes an empty list as `Field=`.
  if (value === '') return [];
  if (!Array.isArray(value)) invalid(field, 'a list');
  return value;
}

export function stringList(input: Input, field: string): string[] {
  const list = optionalList(input, field) ?? [];
  return list.map((item, i) => {
    if (typeof item !== 'string') invalid(`${field}[${i}]`, 'a string');
    return item;
  });
}

export function objectList(input: Input, field: string): Input[] {
  const list = optionalList(input, field) ?? [];
  return list.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      invalid(`${field}[${i}]`, 'a structure');
    return item as Input;
  });
}

export function oneOf<T extends string>(input: Input, field: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(input, field);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) invalid(field, `one of ${allowed.join(', ')}`);
  return value as T;
}

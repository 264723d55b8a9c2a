import { ValidationError } from '../../../shared/errors';

/** Run `act` and return the ValidationError it throws; fail if it throws nothing or another error. */
export function refusalOf(act: () => unknown): ValidationError {
  try {
    act();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, but the input was accepted');
}

/** The field paths a ValidationError names. */
export function pathsOf(error: ValidationError): string[] {
  return error.issues.map((issue) => issue.path);
}

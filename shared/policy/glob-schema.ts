import * as z from 'zod';
import { globSyntaxError } from './glob';

/** How globs read, said once for every policy field that takes one. */
export const GLOB_HELP =
  'Glob: `*` matches any run of characters (also "/" and ":"), `?` one character, `{a,b}` either alternative, `\\` escapes.';

/** A policy field holding a glob: its syntax is checked when the policy loads, not when it first matches. */
export function globSchema(what: string, maxLength = 1024) {
  return z
    .string()
    .min(1)
    .max(maxLength)
    .superRefine((value, ctx) => {
      const error = globSyntaxError(value);
      if (error !== undefined) ctx.addIssue({ code: 'custom', message: `invalid glob: ${error}` });
    })
    .describe(`${what}. ${GLOB_HELP}`);
}

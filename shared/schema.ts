/**
 * The zod the shared schemas (events, configuration) are built with: `zod/mini`, with zod's
 * English messages.
 *
 * Classic zod gives every schema it builds some fifty methods, and its first use compiles all of
 * them: about 20 ms of a cold start before the first event is read, and 97 KB of every bundle.
 * zod/mini builds the same schemas from the same core (same checks, same issues, same messages)
 * with functions instead (`z.optional(s)`, `s.check(z.minLength(1))`), so a bundle carries and
 * runs only what its schemas use. Unlike classic zod it loads no locale by itself: this module
 * sets the English one, which is what the messages meshwarden shows were written with.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';

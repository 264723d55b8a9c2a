/**
 * How every function is bundled: one self-contained ESM file per function, AWS SDK included
 * (`externalModules: []`), minified, with source maps. The CDK construct and
 * `npm run build` both read these settings, so what is measured is what is deployed.
 */
export const BUNDLE = {
  /** The Lambda runtime's Node.js major version. */
  target: 'node24',
  format: 'esm',
  minify: true,
  sourceMap: true,
  /** Nothing is left to the runtime: the SDK version is ours, and cold start avoids a resolve walk. */
  externalModules: [] as string[],
  /** CommonJS dependencies bundled into ESM still call require(); give them one. */
  banner:
    "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  mainFields: ['module', 'main'],
} as const;

/** Every function: its folder under `functions/` holds a `handler.ts` exporting `handler`. */
export const FUNCTIONS_DIR = 'functions';

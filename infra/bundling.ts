import { build, type Metafile } from 'esbuild';

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

/**
 * Bundle one function's handler into `outfile` with the house settings, as `npm run build`
 * and the cold-start benchmark do (the CDK construct passes the same settings to NodejsFunction).
 */
export async function bundleFunction(entry: string, outfile: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: BUNDLE.target,
    format: BUNDLE.format,
    minify: BUNDLE.minify,
    sourcemap: BUNDLE.sourceMap,
    mainFields: [...BUNDLE.mainFields],
    external: [...BUNDLE.externalModules],
    banner: { js: BUNDLE.banner },
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

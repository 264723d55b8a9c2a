import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

/**
 * How every function is bundled: one self-contained ESM file per function, AWS SDK included
 * (`externalModules: []`), minified, with source maps written next to it (decoded on demand by
 * `meshwarden stack-trace`, not at run time). The CDK construct and `npm run build` both read
 * these settings, so what is measured is what is deployed.
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

/** A deploy-time choice that changes what is bundled. */
export interface BundleOptions {
  /**
   * Powertools Tracer with the X-Ray SDK (true), or a no-op stand-in that keeps X-Ray out of the
   * bundle (false). `meshwarden:tracing` context; on by default.
   */
  readonly tracing: boolean;
}

export const DEFAULT_BUNDLE_OPTIONS: BundleOptions = { tracing: true };

/**
 * SDK runtime packages every client must share. esbuild resolves an aliased import from the
 * working directory, not from the importing file, so aliasing these to themselves makes a
 * client that ships its own nested copies (the ACM PCA client: the registry has nothing newer
 * than 3.523, on an older core) use the one copy the other clients use.
 */
export const SHARED_SDK_CORE = [
  '@aws-sdk/core',
  '@aws-sdk/types',
  '@smithy/core',
  '@smithy/fetch-http-handler',
  '@smithy/hash-node',
  '@smithy/node-http-handler',
  '@smithy/protocol-http',
  '@smithy/signature-v4',
  '@smithy/types',
] as const;

const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/**
 * Modules replaced in the bundles, by package name: only what Lambda needs at init.
 * - credentials come from the environment Lambda sets; the SDK's default chain (SSO, INI,
 *   process, IMDS providers) is never used there;
 * - with tracing off, the Powertools Tracer (and with it the X-Ray SDK) is a no-op.
 */
export function bundleAliases(options: BundleOptions = DEFAULT_BUNDLE_OPTIONS): Record<string, string> {
  return {
    ...Object.fromEntries(SHARED_SDK_CORE.map((name) => [name, name])),
    '@aws-sdk/credential-provider-node': fromRoot('shared/adapters/aws/env-credentials.ts'),
    'node:http': fromRoot('shared/runtime/node-http.ts'),
    'node:process': fromRoot('shared/runtime/node-process.ts'),
    ...(options.tracing
      ? { semver: fromRoot('shared/runtime/semver.ts') }
      : {
          '@aws-lambda-powertools/tracer/middleware': fromRoot(
            'shared/tracing/disabled-tracer-middleware.ts',
          ),
          '@aws-lambda-powertools/tracer': fromRoot('shared/tracing/disabled-tracer.ts'),
        }),
  };
}

/**
 * Constants the bundles are built with: the policy loader's YAML branch becomes dead code, so
 * the YAML parser and the policy schema stay out (see shared/policy/compiled-load.ts).
 */
export const BUNDLE_DEFINE: Readonly<Record<string, string>> = {
  'process.env.MESHWARDEN_BUNDLED': '"true"',
};

/**
 * Bundle one function's handler into `outfile` with the house settings, as `npm run build`
 * and the cold-start benchmark do (the CDK construct passes the same settings to NodejsFunction).
 */
export async function bundleFunction(
  entry: string,
  outfile: string,
  options: BundleOptions = DEFAULT_BUNDLE_OPTIONS,
): Promise<Metafile> {
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
    alias: bundleAliases(options),
    define: { ...BUNDLE_DEFINE },
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

/** Where `npm run build` writes the CLI bundle that `bin/meshwarden.js` runs in an installed package. */
export const CLI_BUNDLE = 'dist/cli/meshwarden.mjs';

/**
 * Bundle the CLI (`infra/cli/main.ts`) into one self-contained ESM file: every dependency inside,
 * so an installed package runs it with no node_modules at all (tsx, a devDependency, is only for
 * running the sources). Unlike the functions it keeps the SDK's full credential chain (profiles,
 * SSO) and reads YAML policies, so neither the credential alias nor MESHWARDEN_BUNDLED applies;
 * only the shared SDK core is, for the same reason as in the functions.
 */
export async function bundleCli(outfile: string = fromRoot(CLI_BUNDLE)): Promise<Metafile> {
  const result = await build({
    entryPoints: [fromRoot('infra/cli/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: BUNDLE.target,
    format: BUNDLE.format,
    minify: true,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: `#!/usr/bin/env node\n${BUNDLE.banner}` },
    alias: Object.fromEntries(SHARED_SDK_CORE.map((name) => [name, name])),
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

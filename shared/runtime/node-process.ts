/**
 * `node:process` for the bundles (an esbuild alias, see infra/bundling.ts): the global
 * `process` itself. Node's ES module facade of node:process reads every property of `process`
 * once, lazy getters included (`report`, `permission`, ...), about 3 ms of every cold start.
 * Only what the bundled SDK imports by name is exported; a new name fails the build.
 */
export default process;
export const { argv, cwd, emitWarning, env, hrtime, nextTick, platform, release, version, versions } =
  process;

#!/usr/bin/env node
// The `meshwarden` command. In a clone of the repository it runs the TypeScript sources through
// tsx (a devDependency), so what runs is always what is checked out, built or not. An installed
// package ships no sources and no tsx: it runs the self-contained bundle that `npm run build`
// (and `npm pack`, through prepack) writes to dist/cli/meshwarden.mjs.
import { existsSync } from 'node:fs';

const sources = new URL('../infra/cli/main.ts', import.meta.url);
const bundle = new URL('../dist/cli/meshwarden.mjs', import.meta.url);

/** tsx's loader, when this is a checkout with its devDependencies installed. */
async function tsxLoader() {
  if (!existsSync(sources)) return undefined;
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined;
  }
}

const tsx = await tsxLoader();
if (tsx !== undefined) {
  tsx.register();
  await import(sources.href);
} else if (existsSync(bundle)) {
  await import(bundle.href);
} else {
  console.error(
    'meshwarden: dist/cli/meshwarden.mjs is missing and the TypeScript sources cannot be run ' +
      '(tsx, a devDependency, is not installed). Run `npm run build` to bundle the CLI, or `npm install` ' +
      'in a clone of the repository to run it from the sources.',
  );
  process.exitCode = 2;
}

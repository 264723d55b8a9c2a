/**
 * Cold-start measurements: what a bundle weighs (the AWS SDK's share apart) and how long a
 * fresh `node` takes to import it. Every sample is its own process, samples of the bundles
 * being compared are interleaved (so load on the shared machine hits them alike), and figures
 * are medians.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { quantile } from '../harness';

/** Packages that are the AWS SDK (its clients, Smithy runtime, crypto helpers, XML parser). */
const SDK_PACKAGE = /^(@aws-sdk\/|@smithy\/|@aws-crypto\/|@aws\/|fast-xml-parser$|strnum$|tslib$)/;

/** The package a bundled input belongs to (the innermost `node_modules`), or undefined for our own code. */
export function packageOf(inputPath: string): string | undefined {
  const at = inputPath.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const [scope, name] = inputPath.slice(at + 'node_modules/'.length).split('/');
  return scope?.startsWith('@') ? `${scope}/${name}` : scope;
}

export interface BundleBytes {
  readonly total: number;
  readonly sdk: number;
  readonly other: number;
  /** Distinct copies of `@smithy/core` in the bundle: more than one means two SDK cores. */
  readonly sdkCoreCopies: number;
  /** The largest non-SDK packages, for the note under a missed target. */
  readonly largest: readonly { readonly name: string; readonly bytes: number }[];
}

/** Bytes of the bundle's entry output, split into the AWS SDK and everything else. */
export function bundleBytes(metafile: Metafile): BundleBytes {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  if (output === undefined) throw new Error('the metafile has no entry output');
  let sdk = 0;
  let other = 0;
  const cores = new Set<string>();
  const byPackage = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const pkg = packageOf(path);
    if (pkg === '@smithy/core') cores.add(path.slice(0, path.lastIndexOf('node_modules/@smithy/core')));
    if (pkg !== undefined && SDK_PACKAGE.test(pkg)) sdk += input.bytesInOutput;
    else {
      other += input.bytesInOutput;
      const name = pkg ?? path.split('/').slice(0, 2).join('/');
      byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  const largest = [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, bytes]) => ({ name, bytes }));
  return { total: output.bytes, sdk, other, sdkCoreCopies: cores.size, largest };
}

/**
 * Imports a bundle and prints how long the import (module init) took, in wall time and in CPU
 * time (user and system, all threads): on a loaded machine the wall time also counts waiting
 * for a core, the CPU time does not.
 */
const IMPORT_SCRIPT = `
const cpu = process.cpuUsage();
const start = performance.now();
await import(process.argv[1]);
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ initMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 }));
process.exit(0);
`;

/** One module init: wall time and CPU time, in milliseconds. */
export interface InitTime {
  readonly initMs: number;
  readonly cpuMs: number;
}

/** A bundle to import, with the environment its module init reads. */
export interface InitSubject {
  readonly label: string;
  readonly file: string;
  readonly env: Readonly<Record<string, string>>;
  readonly nodeArgs?: readonly string[];
}

/** Run `node` with a script and arguments; resolves with its stdout. */
export function runNode(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}

/** One import of a bundle in a fresh process: its module init in milliseconds. */
export async function importOnce(subject: InitSubject): Promise<InitTime> {
  const result = await runNode(
    [
      ...(subject.nodeArgs ?? []),
      '--input-type=module',
      '-e',
      IMPORT_SCRIPT,
      pathToFileURL(subject.file).href,
    ],
    subject.env,
  );
  if (result.code !== 0)
    throw new Error(`${subject.label}: import failed (${result.code}): ${result.stderr.slice(-2000)}`);
  return JSON.parse(result.stdout) as InitTime;
}

/** Median module init of each subject (wall and CPU apart), `rounds` fresh processes each, interleaved. */
export async function medianInits(
  subjects: readonly InitSubject[],
  rounds: number,
): Promise<Map<string, InitTime>> {
  const samples = new Map<string, InitTime[]>(subjects.map((s) => [s.label, []]));
  // One unmeasured round: the first process after a build pays for a cold file cache.
  for (const subject of subjects) await importOnce(subject);
  for (let round = 0; round < rounds; round++) {
    for (const subject of subjects) samples.get(subject.label)?.push(await importOnce(subject));
  }
  const median = (values: readonly InitTime[], of: (time: InitTime) => number) =>
    quantile(values.map(of), 0.5);
  return new Map(
    [...samples.entries()].map(([label, values]) => [
      label,
      { initMs: median(values, (v) => v.initMs), cpuMs: median(values, (v) => v.cpuMs) },
    ]),
  );
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_POLICY_FILE } from '../../../infra/local/runtime';
import { ConfigError } from '../../../shared/errors';
import {
  COMPILED_POLICY_FORMAT,
  loadCompiledPolicy,
  parseCompiledPolicy,
  serializeCompiledPolicy,
} from '../../../shared/policy/compiled-artifact';
import { loadPolicy as loadFunctionPolicy } from '../../../shared/policy/compiled-load';
import { loadPolicy, PolicyError } from '../../../shared/policy/load';

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'meshwarden-compiled-')), name);
  writeFileSync(path, text);
  return path;
}

/** Every path of a JSON value, the root included. */
function pathsOf(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  const below = Array.isArray(value)
    ? value.flatMap((item, i) => pathsOf(item, [...path, i]))
    : typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...path, key]))
      : [];
  return [path, ...below];
}

describe('the compiled policy the functions load', () => {
  it('holds the document the YAML loader validated, and governs the same meshes', () => {
    // Prepare
    const source = loadPolicy(DEMO_POLICY_FILE);

    // Act
    const compiled = parseCompiledPolicy(serializeCompiledPolicy(source), 'meshwarden.policy.json');

    // Assess
    expect(compiled.document).toEqual(source.document);
    for (const mesh of ['prod', 'staging', 'nope', 'prod-2']) {
      expect(compiled.forMesh(mesh)?.index).toBe(source.forMesh(mesh)?.index);
      expect(compiled.forMesh(mesh)?.changeControl.allow.map((r) => r.id)).toEqual(
        source.forMesh(mesh)?.changeControl.allow.map((r) => r.id),
      );
    }
  });

  it('points every path, written or defaulted, at the line and column the YAML loader does', () => {
    // Prepare
    const source = loadPolicy(DEMO_POLICY_FILE);
    const compiled = parseCompiledPolicy(serializeCompiledPolicy(source), 'meshwarden.policy.json');
    const paths = [
      ...pathsOf(source.document),
      ['meshes', 0, 'not-written', 'deeper'],
      ['meshes', 99],
      ['nothing'],
    ];

    // Act
    const positions = paths.map((path) => ({
      value: compiled.source?.position(path),
      key: compiled.source?.position(path, 'key'),
    }));

    // Assess
    expect(compiled.source?.file).toBe(DEMO_POLICY_FILE);
    expect(positions).toEqual(
      paths.map((path) => ({
        value: source.source?.position(path),
        key: source.source?.position(path, 'key'),
      })),
    );
  });

  it('is loaded by the functions from a .json file, and the YAML source keeps its own messages', async () => {
    // Prepare
    const json = tempFile('meshwarden.policy.json', serializeCompiledPolicy(loadPolicy(DEMO_POLICY_FILE)));
    const broken = tempFile('broken.yaml', 'version: 1\nmeshes:\n  - mesh: prod\n    bogus: true\n');
    const yamlError = (() => {
      try {
        loadPolicy(broken);
      } catch (error) {
        return error;
      }
    })();

    // Act
    const loaded = await loadFunctionPolicy(json);
    const refused = loadFunctionPolicy(broken);

    // Assess
    expect(loaded.document).toEqual(loadPolicy(DEMO_POLICY_FILE).document);
    expect(yamlError).toBeInstanceOf(PolicyError);
    await expect(refused).rejects.toThrow((yamlError as Error).message);
  });

  it('refuses a file that is not a compiled policy of this format, saying what to do', () => {
    // Prepare
    const written = JSON.parse(serializeCompiledPolicy(loadPolicy(DEMO_POLICY_FILE))) as Record<
      string,
      unknown
    >;
    const stale = tempFile(
      'stale.json',
      JSON.stringify({ ...written, format: 'meshwarden.compiled-policy/0' }),
    );
    const garbage = tempFile('garbage.json', 'meshes: []');

    // Act
    const readStale = () => loadCompiledPolicy(stale);
    const readGarbage = () => loadCompiledPolicy(garbage);
    const readMissing = () => loadCompiledPolicy(join(tmpdir(), 'no-such-dir', 'meshwarden.policy.json'));

    // Assess
    expect(readStale).toThrow(ConfigError);
    expect(readStale).toThrow(`expected format "${COMPILED_POLICY_FORMAT}"`);
    expect(readGarbage).toThrow(/not a compiled meshwarden policy \(invalid JSON\)/);
    expect(readMissing).toThrow(/cannot read the compiled policy/);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors';
import { loadPolicy, MAX_POLICY_BYTES, PolicyError, parsePolicy } from '../../../shared/policy/load';

const VALID = `version: 1
meshes:
  - mesh: prod
    changeControl:
      default: deny
      onViolation: revert
`;

function errorOf(text: string, file = 'policy.yaml'): PolicyError {
  try {
    parsePolicy(text, file);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected the policy to be refused');
}

describe('parsePolicy', () => {
  it('accepts a minimal policy and applies defaults', () => {
    // Act
    const policy = parsePolicy(VALID, 'policy.yaml');
    // Assess
    expect(policy.document.meshes[0]?.changeControl.allow).toEqual([]);
    expect(policy.document.meshes[0]?.exemptions).toEqual([]);
    expect(policy.forMesh('prod')?.index).toBe(0);
    expect(policy.forMesh('staging')).toBeUndefined();
  });

  it('reports three errors as three FILE:LINE:COL path: message lines', () => {
    // Prepare
    const text = `version: 1
meshes:
  - mesh: prod
    changeControl:
      default: maybe
      onViolation: revert
      allow:
        - id: devs
          principals:
            - iamUser: alice
          actions: [UpdateRoutes]
          resources:
            - kind: route
              nmae: web-route
`;
    // Act
    const error = errorOf(text, 'demo.policy.yaml');
    // Assess
    expect(error.lines).toEqual([
      `demo.policy.yaml:5:16 meshes[0].changeControl.default: Invalid option: expected one of "deny"|"allow"`,
      expect.stringMatching(
        /^demo\.policy\.yaml:11:21 meshes\[0\]\.changeControl\.allow\[0\]\.actions\[0\]: "UpdateRoutes" matches none of: CreateMesh/,
      ),
      'demo.policy.yaml:14:15 meshes[0].changeControl.allow[0].resources[0].nmae: unknown key "nmae"',
    ]);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain('3 problems');
  });

  it('points a missing required key at the object that lacks it', () => {
    // Prepare
    const text = 'version: 1\nmeshes:\n  - mesh: prod\n    changeControl:\n      default: deny\n';
    // Act
    const error = errorOf(text);
    // Assess
    expect(error.lines).toEqual([
      'policy.yaml:5:7 meshes[0].changeControl.onViolation: Invalid option: expected one of "revert"|"hold"|"report"',
    ]);
  });

  it('refuses unknown keys at every level with their path', () => {
    // Prepare
    const text = `${VALID}    compliance:\n      tls:\n        minimumMod: STRICT\nextra: true\n`;
    // Act
    const error = errorOf(text);
    // Assess
    expect(error.lines).toEqual([
      'policy.yaml:9:9 meshes[0].compliance.tls.minimumMod: unknown key "minimumMod"',
      'policy.yaml:10:1 extra: unknown key "extra"',
    ]);
  });

  it('refuses semantic mistakes: duplicate ids, sessionName alone, unknown rule ids, past-calendar dates', () => {
    // Prepare
    const text = `version: 1
meshes:
  - mesh: prod
    changeControl:
      default: deny
      onViolation: revert
      allow:
        - id: a
          principals: [{ sessionName: admin }]
          actions: ['*']
          resources: [{ kind: '*' }]
      violationOverrides:
        - id: a
          principals: [{ iamUser: bob, roleArn: 'arn:*' }]
          onViolation: hold
    exemptions:
      - resource: prod/*
        rules: [tls.strictest]
        expires: 2027-02-30
        reason: because
`;
    // Act
    const error = errorOf(text);
    // Assess
    const paths = error.policyIssues.map((i) => `${i.line} ${i.path}`);
    expect(paths).toEqual([
      '9 meshes[0].changeControl.allow[0].principals[0].sessionName',
      '13 meshes[0].changeControl.violationOverrides[0].id',
      '14 meshes[0].changeControl.violationOverrides[0].principals[0].iamUser',
      '18 meshes[0].exemptions[0].rules[0]',
      '19 meshes[0].exemptions[0].expires',
    ]);
  });

  it('reports duplicate rule ids once the rest is valid', () => {
    // Prepare
    const text = `${VALID}      allow:
        - { id: a, principals: [{ iamUser: x }], actions: ['*'], resources: [{ kind: '*' }] }
      violationOverrides:
        - { id: a, principals: [{ iamUser: x }], onViolation: hold }
`;
    // Act
    const error = errorOf(text);
    // Assess
    expect(error.lines).toEqual([
      'policy.yaml:10:17 meshes[0].changeControl.violationOverrides[0].id: duplicate id "a" (first used at allow.0.id)',
    ]);
  });

  it.each([
    ['a scalar', 'just a string', 'policy.yaml:1:1 (root): Invalid input: expected object, received string'],
    ['a list', '- 1\n- 2\n', 'policy.yaml:1:1 (root): Invalid input: expected object, received array'],
    ['an empty file', '', 'policy.yaml:1:1 (root): Invalid input: expected object, received null'],
  ])('refuses %s at the top level', (_what, text, line) => {
    // Act
    const error = errorOf(text);
    // Assess
    expect(error.lines).toEqual([line]);
  });

  it('refuses a YAML alias bomb without expanding it', () => {
    // Prepare
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const started = performance.now();
    // Act
    const error = errorOf(levels.join('\n'));
    // Assess
    expect(error.lines).toHaveLength(1);
    expect(error.lines[0]).toMatch(/^policy\.yaml:1:1 \(yaml\): Excessive alias count/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('refuses a file over the size limit before parsing it', () => {
    // Prepare
    const text = `# ${'x'.repeat(MAX_POLICY_BYTES)}\n${VALID}`;
    // Act
    const error = errorOf(text);
    // Assess
    expect(error.lines).toEqual([`policy.yaml:1:1 (file): larger than ${MAX_POLICY_BYTES} bytes`]);
  });

  it('refuses YAML syntax errors, duplicate keys, several documents and unknown tags with positions', () => {
    // Act
    const duplicate = errorOf(`${VALID}version: 1\n`);
    const syntax = errorOf('version: 1\nmeshes: [\n');
    const documents = errorOf(`${VALID}---\n${VALID}`);
    const tag = errorOf('version: !js/function 1\n');
    // Assess
    expect(duplicate.lines).toEqual(['policy.yaml:7:1 (yaml): Map keys must be unique']);
    expect(syntax.lines[0]).toMatch(/^policy\.yaml:\d+:\d+ \(yaml\): /);
    expect(documents.lines[0]).toMatch(/^policy\.yaml:7:1 \(yaml\): Source contains multiple documents/);
    expect(tag.lines).toEqual(['policy.yaml:1:10 (yaml): Unresolved tag: !js/function']);
  });

  it('does not let a merge key smuggle in unchecked members', () => {
    // Prepare
    const text = `${VALID}    compliance:\n      <<: { tls: { minimumMode: STRICT } }\n`;
    // Act
    const error = errorOf(text);
    // Assess
    expect(error.lines).toEqual(['policy.yaml:8:7 meshes[0].compliance.<<: unknown key "<<"']);
  });

  it('locates an error reached through an alias at the anchored node', () => {
    // Prepare
    const text = `version: 1
meshes:
  - mesh: prod
    changeControl:
      default: deny
      onViolation: revert
      allow:
        - id: a
          principals: &devs
            - iamUsr: bob
          actions: ['*']
          resources: [{ kind: '*' }]
        - { id: b, principals: *devs, actions: ['*'], resources: [{ kind: '*' }] }
`;
    // Act
    const error = errorOf(text);
    // Assess
    const unknownKeys = error.lines.filter((l) => l.endsWith('unknown key "iamUsr"'));
    expect(unknownKeys).toEqual([
      'policy.yaml:10:15 meshes[0].changeControl.allow[0].principals[0].iamUsr: unknown key "iamUsr"',
      'policy.yaml:10:15 meshes[0].changeControl.allow[1].principals[0].iamUsr: unknown key "iamUsr"',
    ]);
  });
});

describe('loadPolicy', () => {
  it('loads a file from disk and refuses a missing one with its name', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'meshwarden-policy-'));
    const file = join(dir, 'meshwarden.policy.yaml');
    writeFileSync(file, VALID);
    // Act
    const policy = loadPolicy(file);
    const missing = (() => {
      try {
        loadPolicy(join(dir, 'absent.yaml'));
      } catch (error) {
        return error;
      }
    })();
    // Assess
    expect(policy.meshes).toHaveLength(1);
    expect(missing).toBeInstanceOf(PolicyError);
    expect((missing as PolicyError).lines[0]).toMatch(/absent\.yaml:1:1 \(file\): cannot read: ENOENT/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { POLICY_JSON_SCHEMA_PATH, policyJsonSchema } from '../../../shared/policy/json-schema';

describe('the committed policy JSON Schema', () => {
  it('matches the zod schema (regenerate: npx tsx shared/policy/export-json-schema.ts)', () => {
    // Prepare
    const committed: unknown = JSON.parse(readFileSync(POLICY_JSON_SCHEMA_PATH, 'utf8'));
    // Act
    const current = policyJsonSchema();
    // Assess: compared as data, since Biome formats the committed file.
    expect(committed).toEqual(current);
  });

  it('describes the keys editors complete', () => {
    // Act
    const schema = policyJsonSchema() as {
      properties: Record<string, unknown>;
      additionalProperties: unknown;
    };
    // Assess
    expect(Object.keys(schema.properties)).toEqual(['version', 'meshes']);
    expect(schema.additionalProperties).toBe(false);
  });
});

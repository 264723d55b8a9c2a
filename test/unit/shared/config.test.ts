import { describe, expect, it } from 'vitest';
import { baseConfigSchema, readConfig } from '../../../shared/config';
import { ConfigError } from '../../../shared/errors';

const complete = {
  AWS_REGION: 'us-east-1',
  MESHWARDEN_EVENT_BUS: 'meshwarden',
  MESHWARDEN_TABLE: 'meshwarden-state',
  MESHWARDEN_MESHES: 'prod, staging',
};

describe('readConfig', () => {
  it('parses a complete environment, splitting the mesh list', () => {
    const config = readConfig(baseConfigSchema, complete);
    expect(config.MESHWARDEN_MESHES).toEqual(['prod', 'staging']);
  });

  it('names every missing variable in one error', () => {
    const { MESHWARDEN_TABLE: _t, MESHWARDEN_EVENT_BUS: _b, ...partial } = complete;
    expect(() => readConfig(baseConfigSchema, partial)).toThrow(ConfigError);
    expect(() => readConfig(baseConfigSchema, partial)).toThrow(
      /MESHWARDEN_EVENT_BUS is not set; MESHWARDEN_TABLE is not set/,
    );
  });

  it('refuses a mesh list that names no mesh', () => {
    expect(() => readConfig(baseConfigSchema, { ...complete, MESHWARDEN_MESHES: ' , ' })).toThrow(
      /MESHWARDEN_MESHES: must name at least one mesh/,
    );
  });
});

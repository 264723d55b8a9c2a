import { describe, expect, it } from 'vitest';
import { baseConfigSchema, readConfig } from '../../../shared/config';
import { ConfigError } from '../../../shared/errors';

const complete = {
  AWS_REGION: 'us-east-1',
  MESHWARDEN_EVENT_BUS: 'meshwarden',
  MESHWARDEN_TABLE: 'meshwarden-state',
  MESHWARDEN_MESHES: 'prod, staging',
  MESHWARDEN_POLICY_FILE: 'meshwarden.policy.yaml',
  MESHWARDEN_SELF_ROLE_ARNS: 'arn:aws:iam::123456789012:role/meshwarden-functions',
  MESHWARDEN_SLACK_SECRET: 'meshwarden/slack',
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

  it('refuses a self role that is not an IAM role ARN', () => {
    expect(() =>
      readConfig(baseConfigSchema, {
        ...complete,
        MESHWARDEN_SELF_ROLE_ARNS: 'arn:aws:sts::123456789012:assumed-role/x/y',
      }),
    ).toThrow(/MESHWARDEN_SELF_ROLE_ARNS\[0\]: must be an IAM role ARN/);
  });

  it('refuses a mesh list that names no mesh', () => {
    expect(() => readConfig(baseConfigSchema, { ...complete, MESHWARDEN_MESHES: ' , ' })).toThrow(
      /MESHWARDEN_MESHES: must name at least one mesh/,
    );
  });
});

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
  MESHWARDEN_ACCOUNT_ID: '123456789012',
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

  it('reads member roles and meshes when given, and leaves them out when not', () => {
    const central = readConfig(baseConfigSchema, complete);
    const withMembers = readConfig(baseConfigSchema, {
      ...complete,
      MESHWARDEN_MEMBER_ROLE_ARNS: 'arn:aws:iam::222222222222:role/meshwarden-member-access',
      MESHWARDEN_MEMBER_MESHES: '222222222222/prod',
    });
    expect(central.MESHWARDEN_MEMBER_ROLE_ARNS).toBeUndefined();
    expect(withMembers.MESHWARDEN_MEMBER_ROLE_ARNS).toEqual([
      'arn:aws:iam::222222222222:role/meshwarden-member-access',
    ]);
    expect(withMembers.MESHWARDEN_MEMBER_MESHES).toEqual(['222222222222/prod']);
  });

  it('refuses a member mesh that does not name its account', () => {
    expect(() => readConfig(baseConfigSchema, { ...complete, MESHWARDEN_MEMBER_MESHES: 'prod' })).toThrow(
      /MESHWARDEN_MEMBER_MESHES\[0\]: must be <12-digit account>\/<mesh name>/,
    );
  });

  it('refuses a mesh list that names no mesh', () => {
    expect(() => readConfig(baseConfigSchema, { ...complete, MESHWARDEN_MESHES: ' , ' })).toThrow(
      /MESHWARDEN_MESHES: must name at least one mesh/,
    );
  });
});

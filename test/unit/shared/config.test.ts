import { describe, expect, it } from 'vitest';
import { guardConfigSchema, schedulerConfigSchema } from '../../../functions/deployment-guard/config';
import { baseConfig, readConfig } from '../../../shared/config';
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
    const config = readConfig(baseConfig, complete);
    expect(config.MESHWARDEN_MESHES).toEqual(['prod', 'staging']);
  });

  it('names every missing variable in one error', () => {
    const { MESHWARDEN_TABLE: _t, MESHWARDEN_EVENT_BUS: _b, ...partial } = complete;
    expect(() => readConfig(baseConfig, partial)).toThrow(ConfigError);
    expect(() => readConfig(baseConfig, partial)).toThrow(
      /MESHWARDEN_EVENT_BUS is not set; MESHWARDEN_TABLE is not set/,
    );
  });

  it('refuses a self role that is not an IAM role ARN', () => {
    expect(() =>
      readConfig(baseConfig, {
        ...complete,
        MESHWARDEN_SELF_ROLE_ARNS: 'arn:aws:sts::123456789012:assumed-role/x/y',
      }),
    ).toThrow(/MESHWARDEN_SELF_ROLE_ARNS\[0\]: must be an IAM role ARN/);
  });

  it('reads member roles and meshes when given, and leaves them out when not', () => {
    const central = readConfig(baseConfig, complete);
    const withMembers = readConfig(baseConfig, {
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
    expect(() => readConfig(baseConfig, { ...complete, MESHWARDEN_MEMBER_MESHES: 'prod' })).toThrow(
      /MESHWARDEN_MEMBER_MESHES\[0\]: must be <12-digit account>\/<mesh name>/,
    );
  });

  it('refuses a mesh list that names no mesh', () => {
    expect(() => readConfig(baseConfig, { ...complete, MESHWARDEN_MESHES: ' , ' })).toThrow(
      /MESHWARDEN_MESHES: must name at least one mesh/,
    );
  });
});

describe('the deployment guard configuration', () => {
  const guardEnv = { ...complete, MESHWARDEN_ACCOUNT_ID: '123456789012' };

  it('reads the alarm bindings as route keys, and none when unset', () => {
    // Prepare
    const bindings = [
      { alarmName: 'web-5xx', mesh: 'prod', virtualRouter: 'web-router', route: 'web-route' },
    ];

    // Act
    const bound = readConfig(guardConfigSchema, {
      ...guardEnv,
      MESHWARDEN_ALARM_BINDINGS: JSON.stringify(bindings),
    });
    const unbound = readConfig(guardConfigSchema, guardEnv);

    // Assess
    expect(bound.MESHWARDEN_ALARM_BINDINGS).toEqual([
      { alarmName: 'web-5xx', routeKey: 'prod/web-router/web-route' },
    ]);
    expect(unbound.MESHWARDEN_ALARM_BINDINGS).toEqual([]);
  });

  it('reads a VPC Lattice alarm binding as its rule key', () => {
    // Prepare
    const bindings = [
      { alarmName: 'web-5xx', mesh: 'prod', virtualRouter: 'web-router', route: 'web-route' },
      {
        alarmName: 'checkout-5xx',
        serviceNetwork: 'prod-net',
        service: 'checkout',
        listener: 'http',
        rule: 'default',
      },
    ];

    // Act
    const bound = readConfig(guardConfigSchema, {
      ...guardEnv,
      MESHWARDEN_ALARM_BINDINGS: JSON.stringify(bindings),
    });

    // Assess
    expect(bound.MESHWARDEN_ALARM_BINDINGS).toEqual([
      { alarmName: 'web-5xx', routeKey: 'prod/web-router/web-route' },
      { alarmName: 'checkout-5xx', routeKey: 'prod-net/checkout/http/default' },
    ]);
  });

  it('refuses a VPC Lattice binding whose names Lattice would not take, or that mixes both shapes', () => {
    // Prepare
    const lattice = {
      alarmName: 'a',
      serviceNetwork: 'prod-net',
      service: 'checkout',
      listener: 'http',
      rule: 'r1',
    };

    // Act / Assess
    for (const bad of [
      { ...lattice, service: 'Checkout' },
      { ...lattice, mesh: 'prod' },
    ]) {
      expect(() =>
        readConfig(guardConfigSchema, { ...guardEnv, MESHWARDEN_ALARM_BINDINGS: JSON.stringify([bad]) }),
      ).toThrow(
        /MESHWARDEN_ALARM_BINDINGS: expected a JSON array of .*\{alarmName, serviceNetwork, service, listener, rule\}/,
      );
    }
  });

  it('refuses alarm bindings that are not JSON or not bindings, naming the variable', () => {
    // Prepare / Act / Assess
    for (const text of ['[{', JSON.stringify([{ alarmName: 'web-5xx', mesh: 'prod' }])]) {
      expect(() => readConfig(guardConfigSchema, { ...guardEnv, MESHWARDEN_ALARM_BINDINGS: text })).toThrow(
        'meshwarden configuration is invalid: MESHWARDEN_ALARM_BINDINGS: expected a JSON array of {alarmName, mesh, virtualRouter, route}',
      );
    }
  });

  it('refuses a scheduler role that is not an IAM role ARN, when the first step is scheduled', () => {
    // Prepare / Act / Assess
    expect(() =>
      readConfig(schedulerConfigSchema, {
        MESHWARDEN_SCHEDULE_GROUP: 'g',
        MESHWARDEN_SCHEDULER_ROLE_ARN: 'x',
      }),
    ).toThrow('meshwarden configuration is invalid: MESHWARDEN_SCHEDULER_ROLE_ARN: must be an IAM role ARN');
  });
});

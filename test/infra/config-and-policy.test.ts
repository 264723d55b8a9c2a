import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { toCdkEventPattern } from '../../infra/constructs/event-pattern';
import { functionRoleName, pascalCase } from '../../infra/constructs/names';
import { buildMeshwardenApp } from '../../infra/stacks/build-app';
import {
  configFromContext,
  parseConfig,
  REPORT_ONLY_POLICY_FILE,
} from '../../infra/stacks/meshwarden-config';
import { parseRoute } from '../../infra/stacks/meshwarden-stack';
import { validatePolicyAtSynth } from '../../infra/stacks/policy-at-synth';
import { ConfigError } from '../../shared/errors';
import { RULE_PATTERNS } from '../../shared/events/rule-patterns';
import { decideChange } from '../../shared/policy/change-control';
import { PolicyError } from '../../shared/policy/load';
import { roleSession } from '../unit/policy/fixtures';
import { cdkJsonContext, testApp } from './support';

const DEMO_POLICY = 'infra/local/demo/meshwarden.policy.yaml';

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'meshwarden-policy-')), name);
  writeFileSync(path, text);
  return path;
}

describe('configuration from CDK context', () => {
  it('reads command-line strings the way cdk.json values read', () => {
    const config = configFromContext({
      'meshwarden:meshes': 'prod, staging',
      'meshwarden:policyFile': DEMO_POLICY,
      'meshwarden:createTrail': 'true',
      'meshwarden:account': '123456789012',
      'meshwarden:region': 'eu-west-1',
      'meshwarden:memberAccounts': '[{"account":"210987654321","meshes":["edge"]}]',
      'aws:cdk:something-else': 'ignored',
    });
    expect(config.meshes).toEqual(['prod', 'staging']);
    expect(config.createTrail).toBe(true);
    expect(config.memberAccounts).toEqual([{ account: '210987654321', meshes: ['edge'] }]);
    expect(config.slackChannelIds).toEqual([]);
  });

  it('names every missing, unknown and invalid key at once', () => {
    const read = () =>
      configFromContext({
        'meshwarden:mehses': ['prod'],
        'meshwarden:account': '12345',
        'meshwarden:createTrail': 'yes',
      });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/meshwarden:meshes: .*\n.*meshwarden:policyFile/s);
    expect(read).toThrow(/meshwarden:mehses: unknown key/);
    expect(read).toThrow(/meshwarden:account: expected a 12-digit AWS account id/);
    expect(read).toThrow(/meshwarden:createTrail/);
  });

  it('refuses malformed JSON, duplicates, member accounts without a home, and bindings to ungoverned meshes', () => {
    expect(() => configFromContext({ 'meshwarden:memberAccounts': '[{' })).toThrow(
      /memberAccounts: not valid JSON/,
    );
    const base = { meshes: ['prod'], policyFile: DEMO_POLICY };
    expect(() => parseConfig({ ...base, meshes: ['prod', 'prod'] })).toThrow(
      /meshes\[1\]: "prod" is listed twice/,
    );
    expect(() =>
      parseConfig({ ...base, memberAccounts: [{ account: '210987654321', meshes: ['edge'] }] }),
    ).toThrow(/account: is required when memberAccounts are given/);
    expect(() =>
      parseConfig({
        ...base,
        alarmBindings: [{ alarmName: 'a', mesh: 'staging', virtualRouter: 'r', route: 'x' }],
      }),
    ).toThrow(/alarmBindings\[0\]\.mesh: "staging" is not one of the governed meshes/);
    expect(() => parseConfig({ ...base, slackChannelIds: ['#general'] })).toThrow(/slackChannelIds\[0\]/);
    expect(() => parseConfig({ ...base, meshes: ['prod mesh'] })).toThrow(
      /meshes\[0\]: expected an App Mesh name/,
    );
  });
});

describe('the policy at synth', () => {
  it('accepts the demo policy for the mesh it governs', () => {
    const policy = validatePolicyAtSynth(DEMO_POLICY, ['prod']);
    expect(policy.forMesh('prod')).toBeDefined();
  });

  it('fails with the policy’s own error, line and path included', () => {
    const path = tempFile(
      'bad.policy.yaml',
      'version: 1\nmeshes:\n  - mesh: prod\n    changeControl:\n      default: perhaps\n',
    );
    expect(() => validatePolicyAtSynth(path, ['prod'])).toThrow(PolicyError);
    expect(() => validatePolicyAtSynth(path, ['prod'])).toThrow(
      /bad\.policy\.yaml:5:\d+ meshes\[0\]\.changeControl\.default/,
    );
  });

  it('fails when a governed mesh has no entry in the policy, and when the file is missing', () => {
    expect(() => validatePolicyAtSynth(DEMO_POLICY, ['prod', 'staging'])).toThrow(/matches "staging"/);
    expect(() => validatePolicyAtSynth('/nonexistent/meshwarden.policy.yaml', ['prod'])).toThrow(
      /cannot read/,
    );
  });

  it('turns tracing off with meshwarden:tracing=false: no active tracing, the Tracer told so', () => {
    const context = { 'meshwarden:meshes': ['prod'], 'meshwarden:policyFile': DEMO_POLICY };
    const traced = Template.fromStack(buildMeshwardenApp(testApp(context, { bundle: false })).central);
    const untraced = Template.fromStack(
      buildMeshwardenApp(testApp({ ...context, 'meshwarden:tracing': 'false' }, { bundle: false })).central,
    );
    traced.hasResourceProperties('AWS::Lambda::Function', {
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ POWERTOOLS_TRACE_ENABLED: Match.absent() }) },
    });
    expect(
      untraced.findResources('AWS::Lambda::Function', { Properties: { TracingConfig: { Mode: 'Active' } } }),
    ).toEqual({});
    untraced.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_TRACE_ENABLED: 'false' }) },
    });
  });

  it('stops the app from synthesizing with an invalid policy', () => {
    const path = tempFile('broken.yaml', 'version: 1\nmeshes: [\n');
    const app = testApp({ 'meshwarden:meshes': ['prod'], 'meshwarden:policyFile': path }, { bundle: false });
    expect(() => buildMeshwardenApp(app)).toThrow(PolicyError);
  });
});

describe('the first deploy', () => {
  it('refuses to synthesize cdk.json as it is, and says how to start: the report-only policy', () => {
    // Prepare: the CDK app as `cdk synth` runs it, given the context of cdk.json (which names no
    // policy) the way the CDK CLI hands it over.
    const env = {
      PATH: process.env.PATH ?? '',
      CDK_CONTEXT_JSON: JSON.stringify(cdkJsonContext()),
      CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'meshwarden-cdk-')),
    };

    // Act
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });

    // Assess: the message alone, no stack trace, and nothing synthesized.
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      'meshwarden configuration (CDK context) is invalid:\n' +
        '  meshwarden:policyFile: is required: set -c meshwarden:policyFile=FILE. Start with the report-only ' +
        'policy (-c meshwarden:policyFile=infra/policies/report-only.policy.yaml): it reports every change and ' +
        'reverts nothing; switch rules to revert or hold once its reports show who changes the mesh',
    );
    expect(readdirSync(env.CDK_OUTDIR)).toEqual([]);
  }, 60_000);

  it('ships a report-only starter that governs any mesh and reports every change, reverting none', () => {
    const policy = validatePolicyAtSynth(REPORT_ONLY_POLICY_FILE, ['prod', 'payments-staging']);
    for (const entry of policy.document.meshes) {
      expect(entry.changeControl.onViolation).toBe('report');
      expect(entry.changeControl.allow).toEqual([]);
      expect(entry.changeControl.violationOverrides).toEqual([]);
      expect(entry.deployments).toBeUndefined();
    }
    const admin = roleSession('PlatformAdmin', 'priya', { account: '123456789012' });
    const decision = decideChange(policy, {
      principal: admin,
      action: 'UpdateRoute',
      resource: { meshName: 'payments-staging', kind: 'route', name: 'web', parentName: 'web-router' },
    });
    expect(decision).toMatchObject({ decision: 'deny', onViolation: 'report' });
  });

  it('synthesizes with the starter policy given on the command line', () => {
    const app = testApp(
      { ...cdkJsonContext(), 'meshwarden:policyFile': REPORT_ONLY_POLICY_FILE },
      { bundle: false },
    );
    const built = buildMeshwardenApp(app);
    expect(built.config.policyFile).toBe(REPORT_ONLY_POLICY_FILE);
    expect(built.config.meshes).toEqual(['prod']);
  });
});

describe('small mappings', () => {
  it('maps every shared pattern to the CDK shape, detail-type to detailType, without sharing objects', () => {
    for (const named of RULE_PATTERNS) {
      const cdk = toCdkEventPattern(named.pattern);
      expect(cdk.detailType).toEqual(named.pattern['detail-type']);
      expect(cdk.source).toEqual(named.pattern.source);
      expect(cdk.detail).toEqual(named.pattern.detail);
      if (cdk.detail !== undefined) expect(cdk.detail).not.toBe(named.pattern.detail);
      expect(Object.keys(cdk)).not.toContain('detail-type');
    }
  });

  it('refuses a pattern key that is no envelope field', () => {
    expect(() => toCdkEventPattern({ detail_type: ['x'] })).toThrow(
      /"detail_type" is not an event envelope field/,
    );
  });

  it('parses routes and refuses malformed ones', () => {
    expect(parseRoute('POST /slack/interactions').path).toBe('/slack/interactions');
    for (const bad of ['/slack', 'post /slack', 'POST slack', 'BREW /coffee', 'POST /a b']) {
      expect(() => parseRoute(bad)).toThrow(/is not "METHOD \/path"/);
    }
  });

  it('names roles predictably and refuses names IAM would refuse', () => {
    expect(functionRoleName('mesh-change')).toBe('meshwarden-fn-mesh-change');
    expect(() => functionRoleName('x'.repeat(60))).toThrow(/longer than 64/);
    expect(pascalCase('mesh-inventory')).toBe('MeshInventory');
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionRoleName } from '../../infra/constructs/names';
import { FUNCTIONS } from '../../infra/function-catalog';
import { buildMeshwardenApp, type MeshwardenApp } from '../../infra/stacks/build-app';
import { REPORT_ONLY_POLICY_FILE } from '../../infra/stacks/meshwarden-config';
import { isInvokedAsynchronously, needsJwtAuthorizer } from '../../infra/stacks/meshwarden-stack';
import { TABLE } from '../../shared/adapters/dynamodb/table';
import { DAILY_AUDIT_SCHEDULE } from '../../shared/events/patterns';
import { loadCompiledPolicy } from '../../shared/policy/compiled-artifact';
import { loadPolicy } from '../../shared/policy/load';
import { asArray, type CfnResource, cdkJsonContext, statementsOfRole, testApp } from './support';

/**
 * The app exactly as `npx cdk synth -c meshwarden:policyFile=<the report-only starter>` builds it
 * from cdk.json (the first deploy the README describes): bundled with esbuild, cdk-nag
 * AwsSolutions on. Synthesized once for the file; synth failing (an unacknowledged finding,
 * an invalid policy) fails every test here.
 */
const CONTEXT = { ...cdkJsonContext(), 'meshwarden:policyFile': REPORT_ONLY_POLICY_FILE };
/** cdk.json names no OIDC issuer, so the HTTP API's function is left out (see console-api.test.ts). */
const DEPLOYED = FUNCTIONS.filter((f) => !needsJwtAuthorizer(f));
let built: MeshwardenApp;
let template: Template;
let resources: Record<string, CfnResource>;
let assemblyDir: string;
let synthMs: number;

beforeAll(() => {
  const app = testApp(CONTEXT, { bundle: true });
  const started = performance.now();
  built = buildMeshwardenApp(app);
  const assembly = app.synth();
  synthMs = performance.now() - started;
  assemblyDir = assembly.directory;
  template = Template.fromStack(built.central);
  resources = template.toJSON().Resources as Record<string, CfnResource>;
});

function logicalIdOf(type: string, props: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
}

describe('the app from cdk.json', () => {
  it('synthesizes offline with cdk-nag on, in reasonable time', () => {
    // Prepare / Act happened in beforeAll (synth threw on any unacknowledged finding).
    const report = JSON.parse(readFileSync(join(assemblyDir, 'validation-report.json'), 'utf8')) as {
      pluginReports: unknown[];
    };
    // Assess
    expect(report.pluginReports).toEqual([]);
    expect(synthMs).toBeLessThan(60_000);
    console.info(
      `synth ${Math.round(synthMs)} ms, ${Object.keys(resources).length} resources in ${built.central.stackName}`,
    );
  });

  it('deploys one function per catalog entry with the house defaults', () => {
    template.resourceCountIs('AWS::Lambda::Function', DEPLOYED.length);
    for (const definition of DEPLOYED) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `meshwarden-${definition.name}`,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: definition.memoryMb,
        Timeout: definition.timeoutSeconds,
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: Match.objectLike({
            MESHWARDEN_EVENT_BUS: { Ref: Match.stringLikeRegexp('^Bus') },
            MESHWARDEN_TABLE: { Ref: Match.stringLikeRegexp('^State') },
            MESHWARDEN_MESHES: 'prod',
            POWERTOOLS_SERVICE_NAME: definition.name,
            MESHWARDEN_POLICY_FILE: 'meshwarden.policy.json',
            // Source maps are decoded on demand (meshwarden stack-trace), never at run time.
            NODE_OPTIONS: Match.absent(),
            POWERTOOLS_TRACE_ENABLED: Match.absent(),
          }),
        },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/lambda/meshwarden-${definition.name}`,
        RetentionInDays: 30,
      });
      template.hasResourceProperties('AWS::IAM::Role', { RoleName: functionRoleName(definition.name) });
    }
  });

  it('ships each function as one ESM bundle with source map and the validated policy compiled to data', () => {
    const manifest = JSON.parse(
      readFileSync(join(assemblyDir, `${built.central.artifactId}.assets.json`), 'utf8'),
    ) as { files: Record<string, { source: { path: string; packaging?: string } }> };
    const bundles = Object.values(manifest.files)
      .map((asset) => join(assemblyDir, asset.source.path))
      .filter((dir) => existsSync(join(dir, 'index.mjs')));
    expect(bundles).toHaveLength(DEPLOYED.length);
    const policyFile = REPORT_ONLY_POLICY_FILE;
    const policy = loadPolicy(policyFile);
    for (const dir of bundles) {
      const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(bundle.startsWith("import { createRequire as __createRequire } from 'node:module'")).toBe(true);
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      expect(existsSync(join(dir, 'meshwarden.policy.yaml'))).toBe(false);
      const shipped = loadCompiledPolicy(join(dir, 'meshwarden.policy.json'));
      expect(shipped.document).toEqual(policy.document);
      expect(shipped.source?.file).toBe(policyFile);
      // Only what Lambda needs at init: no YAML parser, no credential chain beyond the environment.
      const sources = (JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] })
        .sources;
      expect(
        sources.filter((s) => /node_modules\/yaml\/|credential-provider-(ini|sso|process|node)\//.test(s)),
      ).toEqual([]);
    }
  });

  it('runs the daily audit from its shared schedule, with a DLQ, retries and a maximum event age', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: DAILY_AUDIT_SCHEDULE.expression,
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MeshAudit'), 'Arn'] },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MeshAuditFailures'), 'Arn'] },
          },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        },
      ],
    });
  });

  it('gives every asynchronously invoked function an on-failure destination', () => {
    const asynchronous = DEPLOYED.filter(isInvokedAsynchronously);
    expect(asynchronous.length).toBeGreaterThan(0);
    for (const definition of asynchronous) {
      const functionId = logicalIdOf('AWS::Lambda::Function', {
        FunctionName: `meshwarden-${definition.name}`,
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: functionId },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } } },
      });
    }
  });

  it('grants mesh-audit only App Mesh reads on the governed mesh, certificate and alarm reads, the Slack secret, its table and its bus', () => {
    const roleId = logicalIdOf('AWS::IAM::Role', { RoleName: functionRoleName('mesh-audit') });
    const statements = statementsOfRole(resources, roleId);
    const actions = statements.flatMap((s) => asArray(s.Action));
    expect(actions).not.toContain('*');
    // Written out, not taken from the constant that built the policy: what reading a mesh whole needs.
    const kinds = [
      'VirtualNode',
      'VirtualService',
      'VirtualRouter',
      'Route',
      'VirtualGateway',
      'GatewayRoute',
    ];
    expect(actions.filter((a) => String(a).startsWith('appmesh:')).sort()).toEqual(
      [
        'appmesh:DescribeMesh',
        'appmesh:ListTagsForResource',
        ...kinds.flatMap((k) => [`appmesh:Describe${k}`, `appmesh:List${k}s`]),
      ].sort(),
    );
    expect(actions).toContain('events:PutEvents');
    expect(actions.some((a) => /^appmesh:(Create|Update|Delete)/.test(String(a)))).toBe(false);
    expect(actions.filter((a) => String(a).startsWith('dynamodb:')).length).toBeGreaterThan(0);
    expect(actions).toContain('acm:DescribeCertificate');
    // Dangling alarm references and meshwarden:route tags are found by listing the alarms.
    expect(actions).toEqual(
      expect.arrayContaining(['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource']),
    );
    expect(actions).toContain('secretsmanager:GetSecretValue');
    const meshStatement = statements.find((s) => asArray(s.Action).includes('appmesh:DescribeMesh'));
    expect(JSON.stringify(meshStatement?.Resource)).toContain(':mesh/prod');
    // "*" only for X-Ray: the starter policy governs no VPC Lattice service network, so the audit
    // gets no Lattice reads at all (lattice-audit-grants.test.ts covers a policy that does).
    const star = statements.filter((s) => asArray(s.Resource).includes('*'));
    expect(star.flatMap((s) => asArray(s.Action)).sort()).toEqual([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(actions.filter((a) => String(a).startsWith('vpc-lattice:'))).toEqual([]);
    expect(template.findResources('AWS::IAM::ManagedPolicy')).toEqual({});
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: functionRoleName('mesh-audit'),
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('keeps state in an on-demand, recoverable, encrypted table with TTL', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('creates the bus, the Slack API (throttled, logged) and secrets, the Scheduler group, and no trail', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'meshwarden' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      AccessLogSettings: { DestinationArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'meshwarden/slack',
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'signingSecret' }),
    });
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'meshwarden-deployments' });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
      },
    });
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
  });

  it('alarms on failure queue depth, function errors and throttles, and draws a dashboard', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Throttles',
      Namespace: 'AWS/Lambda',
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('encrypts failure queues and refuses plain-HTTP access to them', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues).length).toBeGreaterThan(0);
    for (const queue of Object.values(queues) as CfnResource[]) {
      expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
      expect(queue.Properties?.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    }
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

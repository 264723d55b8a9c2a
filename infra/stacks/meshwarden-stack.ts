import { resolve } from 'node:path';
import {
  Annotations,
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { TABLE } from '../../shared/adapters/dynamodb/table';
import { governedServiceNetworks } from '../../shared/deployments/route-policy';
import { publisherRoleNames, sourceGuardStatement } from '../constructs/bus-trust';
import { type CapabilityResources, grantCapabilities } from '../constructs/capabilities';
import { applyRuleState, toCdkEventPattern } from '../constructs/event-pattern';
import { FailureQueue } from '../constructs/failure-queue';
import { MeshwardenFunction } from '../constructs/meshwarden-function';
import { acknowledge } from '../constructs/nag';
import {
  EVENT_BUS_NAME,
  functionRoleName,
  MEMBER_ACCOUNT_ROLE_NAME,
  OIDC_CLIENT_ID_ENV,
  OIDC_ISSUER_ENV,
  pascalCase,
  SCHEDULE_GROUP_NAME,
  SELF_ROLE_ARNS_ENV,
  SLACK_SECRET_NAME,
} from '../constructs/names';
import { Operations, type WatchedQueue } from '../constructs/operations';
import { PENDING_KEYS_ALIAS, pendingKeyPolicy } from '../constructs/pending-keys';
import { FUNCTIONS, type FunctionDefinition, RULE_DELIVERY_RETRY, type Trigger } from '../function-catalog';
import { checkLatticeAlarmBindings, type MeshwardenConfig } from './meshwarden-config';
import { validatePolicyAtSynth, writeCompiledPolicy } from './policy-at-synth';

/** EventBridge's retries of a target it cannot invoke, then its DLQ (the catalog holds the numbers). */
export const RULE_TARGET_RETRY_ATTEMPTS = RULE_DELIVERY_RETRY.retryAttempts;
export const RULE_TARGET_MAX_EVENT_AGE = Duration.seconds(RULE_DELIVERY_RETRY.maxEventAgeSeconds);

/** Slack interactions are people clicking buttons: a low rate, with room for a burst. */
export const HTTP_API_THROTTLE = { rateLimit: 10, burstLimit: 20 } as const;

export interface MeshwardenStackProps extends StackProps {
  readonly config: MeshwardenConfig;
  /** The functions to deploy; the catalog unless a test passes its own. */
  readonly functions?: readonly FunctionDefinition[];
}

/** Whether anything invokes the function asynchronously (EventBridge rules, Scheduler). */
export function isInvokedAsynchronously(definition: FunctionDefinition): boolean {
  return (
    definition.triggers.some((t) => t.kind === 'pattern' || t.kind === 'schedule') ||
    definition.capabilities.includes('scheduler:manage')
  );
}

const HTTP_METHODS: Readonly<Record<string, apigw.HttpMethod>> = {
  GET: apigw.HttpMethod.GET,
  POST: apigw.HttpMethod.POST,
  PUT: apigw.HttpMethod.PUT,
  PATCH: apigw.HttpMethod.PATCH,
  DELETE: apigw.HttpMethod.DELETE,
};

/** A function whose routes need the JWT authorizer: deployed only when an OIDC issuer is configured. */
export function needsJwtAuthorizer(definition: FunctionDefinition): boolean {
  return definition.triggers.some((t) => t.kind === 'http' && t.authorizer === 'jwt');
}

/** `POST /slack/interactions` -> method and path; anything else fails synth with the route. */
export function parseRoute(route: string): { method: apigw.HttpMethod; path: string } {
  const match = /^([A-Z]+) (\/[A-Za-z0-9/_{}+.-]*)$/.exec(route);
  const method = match?.[1] === undefined ? undefined : HTTP_METHODS[match[1]];
  const path = match?.[2];
  if (method === undefined || path === undefined) {
    throw new Error(`HTTP route "${route}" is not "METHOD /path" (e.g. "POST /slack/interactions")`);
  }
  return { method, path };
}

/**
 * meshwarden in its central account: the functions of the catalog with their triggers and
 * least-privilege roles, the event bus, the state table, the Slack HTTP API and secrets, the
 * Scheduler group for deployment steps, an optional CloudTrail trail, and alarms with a
 * dashboard.
 */
export class MeshwardenStack extends Stack {
  readonly bus: events.EventBus;
  readonly table: dynamodb.Table;
  readonly httpApi: apigw.HttpApi;
  readonly functions: MeshwardenFunction[] = [];
  /** The JWT authorizer of the `/api/*` routes; undefined when no OIDC issuer is configured. */
  readonly jwtAuthorizer: authorizers.HttpJwtAuthorizer | undefined;

  constructor(scope: Construct, id: string, props: MeshwardenStackProps) {
    super(scope, id, props);
    const { config } = props;
    const definitions = props.functions ?? FUNCTIONS;
    const policyFile = resolve(config.policyFile);
    const compiledPolicy = validatePolicyAtSynth(policyFile, [
      ...config.meshes,
      ...config.memberAccounts.flatMap((m) => m.meshes),
    ]);
    const compiledPolicyFile = writeCompiledPolicy(compiledPolicy, config.policyFile);
    const serviceNetworks = governedServiceNetworks(compiledPolicy);
    checkLatticeAlarmBindings(config, serviceNetworks);

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: EVENT_BUS_NAME });
    for (const member of config.memberAccounts) {
      // Member accounts forward their App Mesh and alarm events here (MemberAccountStack).
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `member-${member.account}`,
          principals: [new iam.AccountPrincipal(member.account)],
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
        }),
      );
    }

    // Only meshwarden's function roles may put `source: meshwarden` events (decisions,
    // approvals) on its bus; the member accounts above may put only what they forward.
    this.bus.addToResourcePolicy(
      iam.PolicyStatement.fromJson(
        sourceGuardStatement(
          this.bus.eventBusArn,
          publisherRoleNames(definitions).map((name) =>
            this.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: name }),
          ),
        ),
      ),
    );

    this.table = new dynamodb.Table(this, 'State', {
      partitionKey: { name: TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE.ttlAttribute,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      // The audit trail and last known good specs outlive a stack deletion.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE.auditIndex.name,
      partitionKey: { name: TABLE.auditIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE.auditIndex.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    const slack = { secret: this.slackSecret(), channelIds: config.slackChannelIds };

    // Seals a new private key from its creation until delivery: the table (and its backups)
    // hold only ciphertext that no role but the rotation function's can open. The functions
    // with `kms:pending-keys` are added to the policy by name as they are created.
    const pendingKeys = new kms.Key(this, 'PendingPrivateKeys', {
      description: 'meshwarden: seals private keys while their certificate rotation is pending',
      enableKeyRotation: true,
      alias: PENDING_KEYS_ALIAS,
      policy: iam.PolicyDocument.fromJson(pendingKeyPolicy(new iam.AccountRootPrincipal().arn, [])),
      // Ciphertext in the table's backups outlives a stack deletion; so must the key, until deleted by hand.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const schedulerDeadLetterQueue = new FailureQueue(this, 'DeploymentStepFailures');
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler runs meshwarden deployment steps with this role',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    schedulerDeadLetterQueue.grantSendMessages(schedulerRole);
    const scheduleGroup = new scheduler.ScheduleGroup(this, 'DeploymentSchedules', {
      scheduleGroupName: SCHEDULE_GROUP_NAME,
    });

    const memberRoleArns = config.memberAccounts.map((m) =>
      this.formatArn({
        service: 'iam',
        region: '',
        account: m.account,
        resource: 'role',
        resourceName: MEMBER_ACCOUNT_ROLE_NAME,
      }),
    );
    const resources: CapabilityResources = {
      meshArns: config.meshes.map((mesh) =>
        this.formatArn({ service: 'appmesh', resource: 'mesh', resourceName: mesh }),
      ),
      serviceNetworks,
      memberRoleArns,
      table: this.table,
      bus: this.bus,
      alarms: {
        arns: config.alarmBindings.map((b) =>
          this.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: b.alarmName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
        bindingsJson: JSON.stringify(config.alarmBindings),
      },
      certificateAuthorityArns: config.certificateAuthorityArns,
      slack,
      scheduler: { group: scheduleGroup, role: schedulerRole, deadLetterQueue: schedulerDeadLetterQueue },
      pendingKeys,
    };

    // Whose App Mesh writes are meshwarden's own (the loop guard skips them): the roles of
    // functions that may write to a mesh, and the roles meshwarden assumes in member accounts.
    // Built from the fixed role names, so no function depends on another's role resource.
    const selfRoleArns = [
      ...definitions
        .filter((d) => d.capabilities.includes('mesh:write'))
        .map((d) =>
          this.formatArn({
            service: 'iam',
            region: '',
            resource: 'role',
            resourceName: functionRoleName(d.name),
          }),
        ),
      ...memberRoleArns,
    ];

    this.httpApi = this.createHttpApi();
    this.jwtAuthorizer =
      config.oidcIssuer === undefined || config.oidcAudience === undefined
        ? undefined
        : new authorizers.HttpJwtAuthorizer('OidcAuthorizer', config.oidcIssuer, {
            jwtAudience: config.oidcAudience,
            authorizerName: 'meshwarden-oidc',
          });

    const watched: WatchedQueue[] = [{ label: 'deployment-steps', queue: schedulerDeadLetterQueue }];
    const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    for (const definition of definitions) {
      const id = pascalCase(definition.name);
      if (needsJwtAuthorizer(definition) && this.jwtAuthorizer === undefined) {
        // No token can be verified, so no route may exist: leave the function out rather than open it.
        Annotations.of(this).addWarningV2(
          'meshwarden:api-routes-omitted',
          `${definition.name}: its /api/* routes and the console page are left out because no OIDC issuer is configured; set -c ${'meshwarden:'}oidcIssuer=https://... and -c ${'meshwarden:'}oidcAudience=... to deploy the HTTP API`,
        );
        continue;
      }
      const failures = isInvokedAsynchronously(definition)
        ? new FailureQueue(this, `${id}Failures`)
        : undefined;
      if (failures !== undefined) watched.push({ label: definition.name, queue: failures });
      const fn = new MeshwardenFunction(this, id, {
        definition,
        compiledPolicyFile,
        tracing: config.tracing,
        onFailure: failures,
        environment: {
          MESHWARDEN_EVENT_BUS: this.bus.eventBusName,
          MESHWARDEN_TABLE: this.table.tableName,
          MESHWARDEN_MESHES: config.meshes.join(','),
          // State keys name the account; the central account is where the functions run.
          MESHWARDEN_ACCOUNT_ID: this.account,
          ...(config.memberAccounts.length === 0
            ? {}
            : {
                MESHWARDEN_MEMBER_MESHES: config.memberAccounts
                  .flatMap((m) => m.meshes.map((mesh) => `${m.account}/${mesh}`))
                  .join(','),
              }),
          ...(selfRoleArns.length === 0 ? {} : { [SELF_ROLE_ARNS_ENV]: selfRoleArns.join(',') }),
          // The console page signs people in with the issuer the JWT authorizer trusts; its
          // client id is the first audience, the one the authorizer accepts its tokens for.
          ...(needsJwtAuthorizer(definition) && config.oidcIssuer !== undefined
            ? {
                [OIDC_ISSUER_ENV]: config.oidcIssuer,
                [OIDC_CLIENT_ID_ENV]: config.oidcAudience?.[0] ?? '',
              }
            : {}),
        },
      });
      const environment = grantCapabilities(fn.functionRole, definition.capabilities, resources, fn);
      for (const [key, value] of Object.entries(environment)) fn.addEnvironment(key, value);
      acknowledge(
        fn.functionRole,
        'AwsSolutions-IAM5[Resource::*]',
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions in IAM, so AWS requires "*".',
      );
      if (definition.capabilities.includes('scheduler:manage')) {
        // Only the function ARN itself: the scheduler invokes the unqualified function.
        schedulerRole.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
        );
      }
      for (const trigger of definition.triggers) {
        this.addTrigger(fn, id, trigger, failures, defaultBus, config.memberAccounts.length > 0);
      }
      this.functions.push(fn);
    }

    if (config.createTrail) this.createTrail();

    new Operations(this, 'Operations', {
      functions: this.functions,
      queues: watched,
      ...(config.alarmTopicArn === undefined
        ? {}
        : { alarmTopic: sns.Topic.fromTopicArn(this, 'AlarmTopic', config.alarmTopicArn) }),
    });

    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'SlackInteractionsUrl', {
      description:
        'Paste into the Slack app: Interactivity & Shortcuts > Request URL (append the route path)',
      value: this.httpApi.apiEndpoint,
    });
    new CfnOutput(this, 'SlackSecretName', { value: SLACK_SECRET_NAME });
  }

  private slackSecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'SlackSecret', {
      secretName: SLACK_SECRET_NAME,
      description:
        'Slack signing secret and bot token for meshwarden (JSON); created with a random placeholder, put the real values after deploy',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ botToken: 'xoxb-put-the-real-bot-token-here' }),
        generateStringKey: 'signingSecret',
        excludePunctuation: true,
      },
    });
    acknowledge(
      secret,
      'AwsSolutions-SMG4',
      'Slack issues this credential; it is rotated in the Slack app settings, which Secrets Manager rotation cannot call. The operator puts the new value (README).',
    );
    return secret;
  }

  private createHttpApi(): apigw.HttpApi {
    const api = new apigw.HttpApi(this, 'SlackApi', {
      apiName: 'meshwarden-slack',
      description: 'Slack interaction callbacks for meshwarden approvals',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'SlackApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new apigw.HttpStage(this, 'SlackApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: HTTP_API_THROTTLE,
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
    });
    return api;
  }

  private readonly integrations = new Map<MeshwardenFunction, integrations.HttpLambdaIntegration>();

  private integrationOf(fn: MeshwardenFunction, id: string): integrations.HttpLambdaIntegration {
    let integration = this.integrations.get(fn);
    if (integration === undefined) {
      integration = new integrations.HttpLambdaIntegration(`${id}Integration`, fn);
      this.integrations.set(fn, integration);
    }
    return integration;
  }

  private addTrigger(
    fn: MeshwardenFunction,
    id: string,
    trigger: Trigger,
    failures: FailureQueue | undefined,
    defaultBus: events.IEventBus,
    hasMemberAccounts: boolean,
  ): void {
    if (trigger.kind === 'http') {
      const { method, path } = parseRoute(trigger.route);
      const routes = this.httpApi.addRoutes({
        path,
        methods: [method],
        // One integration per function: every route of a function invokes it through the same one.
        integration: this.integrationOf(fn, id),
        ...(trigger.authorizer === 'jwt' ? { authorizer: this.jwtAuthorizer } : {}),
      });
      if (trigger.authorizer === 'jwt') return;
      if (trigger.authorizer === 'none') {
        for (const r of routes) {
          acknowledge(
            r,
            'AwsSolutions-APIG4',
            'The console page and its sign-in configuration are public by design: a browser loads them before anyone has signed in. They serve only static files and the OIDC issuer and client id; every /api/* route is behind the JWT authorizer.',
          );
        }
        return;
      }
      for (const r of routes) {
        acknowledge(
          r,
          'AwsSolutions-APIG4',
          'Slack cannot present IAM, JWT or Cognito credentials; the function verifies every request’s Slack signature (HMAC-SHA256 over timestamp and body with the signing secret) before anything else.',
        );
      }
      return;
    }
    if (failures === undefined)
      throw new Error(`${fn.definition.name}: an asynchronous trigger needs a failure queue`);
    const target = new targets.LambdaFunction(fn, {
      deadLetterQueue: failures,
      retryAttempts: RULE_TARGET_RETRY_ATTEMPTS,
      maxEventAge: RULE_TARGET_MAX_EVENT_AGE,
    });
    if (trigger.kind === 'schedule') {
      new events.Rule(this, `${id}${pascalCase(trigger.schedule.name)}`, {
        description: trigger.schedule.description,
        schedule: events.Schedule.expression(trigger.schedule.expression),
        targets: [target],
      });
      return;
    }
    const { pattern } = trigger;
    const eventPattern = toCdkEventPattern(pattern.pattern);
    const buses: events.IEventBus[] = trigger.bus === 'meshwarden' ? [this.bus] : [defaultBus];
    // Member accounts forward AWS service events to meshwarden's bus, so a rule for the
    // default bus is mirrored there.
    if (trigger.bus === 'default' && hasMemberAccounts) buses.push(this.bus);
    for (const bus of buses) {
      const suffix = bus === this.bus && trigger.bus === 'default' ? 'Forwarded' : '';
      const rule = new events.Rule(this, `${id}${pascalCase(pattern.name)}${suffix}`, {
        description: pattern.description,
        eventBus: bus,
        eventPattern,
        targets: [target],
      });
      applyRuleState(rule, pattern);
    }
  }

  private createTrail(): void {
    const bucket = new s3.Bucket(this, 'TrailBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // EventBridge reads API calls from the trail as they happen; the files are only a record.
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      bucket,
      'AwsSolutions-S1',
      'The bucket holds only the log files CloudTrail writes (with digest files for validation); its server access logs would need another bucket, whose own access logs would need another.',
    );
    new cloudtrail.Trail(this, 'Trail', {
      bucket,
      // Read events too: AssumeRoleWithWebIdentity, which carries the OIDC claims, is a
      // read-only management event, and a trail that leaves it out cannot be relied on to
      // let EventBridge see it. The first copy of management events costs nothing.
      managementEvents: cloudtrail.ReadWriteType.ALL,
      isMultiRegionTrail: false,
      enableFileValidation: true,
      sendToCloudWatchLogs: true,
      cloudWatchLogsRetention: logs.RetentionDays.ONE_MONTH,
    });
  }
}

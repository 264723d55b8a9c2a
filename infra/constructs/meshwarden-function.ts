import { basename, resolve } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { COMPILED_POLICY_FILE } from '../../shared/policy/compiled-artifact';
import { BUNDLE, BUNDLE_DEFINE, bundleAliases } from '../bundling';
import { ASSETS_DIR_ENV, ASYNC_INVOKE_RETRY, entryOf, type FunctionDefinition } from '../function-catalog';
import { deployedFunctionName, functionRoleName } from './names';

/** How long function logs are kept: long enough to investigate an incident a month later. */
export const FUNCTION_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/** Lambda's retries of an asynchronous invocation that threw, then the failure queue (numbers in the catalog). */
export const ASYNC_RETRY_ATTEMPTS = ASYNC_INVOKE_RETRY.retryAttempts;
export const ASYNC_MAX_EVENT_AGE = Duration.seconds(ASYNC_INVOKE_RETRY.maxEventAgeSeconds);

export interface MeshwardenFunctionProps {
  readonly definition: FunctionDefinition;
  /**
   * Absolute path of the compiled policy (written at synth from the validated policy file),
   * shipped in the bundle as `meshwarden.policy.json`.
   */
  readonly compiledPolicyFile: string;
  /**
   * X-Ray tracing (`meshwarden:tracing`): active tracing and the Powertools Tracer in the
   * bundle, or neither. On by default.
   */
  readonly tracing?: boolean;
  /** Merged over the house defaults. */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Where a failed asynchronous invocation (after Lambda's retries) is sent. Required for a
   * function that anything invokes asynchronously; absent for one only invoked synchronously.
   */
  readonly onFailure?: sqs.IQueue;
}

/**
 * Every meshwarden function: nodejs24.x on arm64, one ESM bundle with the AWS SDK inside,
 * source maps beside it (decoded by `meshwarden stack-trace`, not at run time), active tracing
 * unless turned off, Powertools environment, its own log group with retention,
 * and its own role named `meshwarden-fn-<name>` (see names.ts) with only log and tracing
 * permissions; the stack adds the function's capabilities to it.
 */
export class MeshwardenFunction extends nodejs.NodejsFunction {
  readonly definition: FunctionDefinition;
  readonly functionRole: iam.Role;
  readonly functionLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: MeshwardenFunctionProps) {
    const { definition } = props;
    const tracing = props.tracing ?? true;
    const name = deployedFunctionName(definition.name);
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      logGroupName: `/aws/lambda/${name}`,
      retention: FUNCTION_LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Written here, not through AWSLambdaBasicExecutionRole: that managed policy may write to
    // every log group in the account.
    const role = new iam.Role(scope, `${id}Role`, {
      roleName: functionRoleName(definition.name),
      description: `meshwarden ${definition.name}: only what its catalog capabilities need`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      functionName: name,
      description: definition.description,
      entry: entryOf(definition),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: definition.memoryMb,
      timeout: Duration.seconds(definition.timeoutSeconds),
      role,
      logGroup,
      tracing: tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: {
        POWERTOOLS_SERVICE_NAME: definition.name,
        POWERTOOLS_METRICS_NAMESPACE: 'meshwarden',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // The policy validated and compiled at synth, copied into the bundle (see afterBundling below).
        MESHWARDEN_POLICY_FILE: COMPILED_POLICY_FILE,
        // No --enable-source-maps: it slows every cold start by about a tenth. Stack traces are
        // decoded from the .map files on demand (`meshwarden stack-trace`).
        ...(tracing ? {} : { POWERTOOLS_TRACE_ENABLED: 'false' }),
        ...(definition.assets === undefined ? {} : { [ASSETS_DIR_ENV]: basename(definition.assets) }),
        ...props.environment,
      },
      ...(props.onFailure === undefined
        ? {}
        : {
            onFailure: new destinations.SqsDestination(props.onFailure),
            retryAttempts: ASYNC_RETRY_ATTEMPTS,
            maxEventAge: ASYNC_MAX_EVENT_AGE,
          }),
      bundling: {
        target: BUNDLE.target,
        format: nodejs.OutputFormat.ESM,
        minify: BUNDLE.minify,
        sourceMap: BUNDLE.sourceMap,
        externalModules: [...BUNDLE.externalModules],
        bundleAwsSDK: true,
        banner: BUNDLE.banner,
        mainFields: [...BUNDLE.mainFields],
        define: { ...BUNDLE_DEFINE },
        // Only what Lambda needs at init: credentials from the environment, and no X-Ray SDK
        // when tracing is off (see infra/bundling.ts).
        esbuildArgs: {
          '--alias': Object.entries(bundleAliases({ tracing })).map(([from, to]) => `${from}=${to}`),
        },
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The functions read the policy from their working directory (/var/task): the
          // policy validated when this app was synthesized, compiled to data.
          afterBundling: (_inputDir: string, outputDir: string) => [
            `cp ${shellQuote(props.compiledPolicyFile)} ${shellQuote(`${outputDir}/${COMPILED_POLICY_FILE}`)}`,
            // Static files it serves, next to the bundle under their folder's name.
            ...(definition.assets === undefined
              ? []
              : [`cp -R ${shellQuote(resolve(definition.assets))} ${shellQuote(outputDir)}/`]),
          ],
        },
      },
    });
    this.definition = definition;
    this.functionRole = role;
    this.functionLogGroup = logGroup;
  }
}

/** Single-quote a path for the bundling shell, whatever characters it holds. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

import { BadRequestError, ConflictError, NotFoundError } from '../../../../shared/errors';
import { deniesEntry, type SourceGuardStatement } from '../../../constructs/bus-trust';
import { busArn as arnOfBus, busNameOf } from '../../bus/arns';
import type { RetryPolicy } from '../../bus/delivery';
import type {
  BusDefinition,
  BusState,
  FailedTarget,
  LocalEventBus,
  RuleDefinition,
  TargetDefinition,
} from '../../bus/event-bus';
import { compilePattern, InvalidEventPatternError } from '../../bus/pattern';
import { isRuleState, RULE_STATES, type RuleState } from '../../bus/rule-state';
import { InvalidScheduleError } from '../../bus/schedule';
import { AwsError, handleJsonRequest, type JsonOperationTable } from '../../protocol/aws-json';
import { StateFile } from '../../state-file';
import type {
  BusEntry,
  CallerIdentity,
  LocalRequest,
  LocalResponse,
  LocalService,
  LocalServiceContext,
  OperationResolver,
} from '../../types';
import {
  FieldError,
  type Input,
  objectList,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  requiredString,
  stringList,
} from './input-fields';
import { InvalidNextTokenError, paginate } from './pagination';

/**
 * The `events` service (EventBridge, awsJson 1.1, target prefix `AWSEvents`) over the local
 * bus: PutEvents, rules, targets, buses and TestEventPattern. API-created buses, rules and
 * targets are persisted with StateFile; rules the runtime registers are not.
 */

const READ_ONLY = new Set([
  'DescribeRule',
  'ListRules',
  'ListTargetsByRule',
  'DescribeEventBus',
  'ListEventBuses',
  'TestEventPattern',
]);
const MAX_ENTRIES = 10;
const DEFAULT_LIMIT = 100;
const EVENT_REQUIRED_FIELDS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];

/** Map bus and input errors to the codes EventBridge answers with. */
function toAwsError(error: unknown): never {
  if (error instanceof AwsError) throw error;
  if (error instanceof InvalidEventPatternError)
    throw new AwsError('InvalidEventPatternException', error.message);
  if (error instanceof InvalidScheduleError) throw new AwsError('ValidationException', error.message);
  if (error instanceof InvalidNextTokenError) throw new AwsError('ValidationException', error.message);
  if (error instanceof FieldError) throw new AwsError('ValidationException', error.message);
  if (error instanceof NotFoundError) throw new AwsError('ResourceNotFoundException', error.message);
  if (error instanceof ConflictError) throw new AwsError('ResourceAlreadyExistsException', error.message);
  if (error instanceof BadRequestError) throw new AwsError('ValidationException', error.message);
  throw error;
}

function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** PutEvents Time: epoch seconds (JSON protocols) or an ISO string (hand-written requests). */
function entryTime(value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date =
    typeof value === 'number'
      ? new Date(value * 1000)
      : typeof value === 'string'
        ? new Date(value)
        : undefined;
  return date !== undefined && !Number.isNaN(date.getTime()) ? date : undefined;
}

type EntryCheck = { entry: BusEntry } | { errorCode: string; errorMessage: string };

/** Decode one PutEvents entry; Detail must be a JSON object. */
function decodeEntry(raw: Input): EntryCheck {
  const source = typeof raw.Source === 'string' ? raw.Source : '';
  const detailType = typeof raw.DetailType === 'string' ? raw.DetailType : '';
  if (source === '') {
    return {
      errorCode: 'InvalidArgument',
      errorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
    };
  }
  if (detailType === '') {
    return {
      errorCode: 'InvalidArgument',
      errorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
    };
  }
  if (typeof raw.Detail !== 'string' || raw.Detail === '') {
    return {
      errorCode: 'InvalidArgument',
      errorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
    };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(raw.Detail);
  } catch {
    return { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  }
  const resources = Array.isArray(raw.Resources)
    ? raw.Resources.filter((r): r is string => typeof r === 'string')
    : [];
  const time = entryTime(raw.Time);
  return {
    entry: {
      source,
      detailType,
      detail: detail as Record<string, unknown>,
      resources,
      ...(typeof raw.EventBusName === 'string' && raw.EventBusName !== ''
        ? { eventBusName: raw.EventBusName }
        : {}),
      ...(time !== undefined ? { time } : {}),
    },
  };
}

function retryPolicyOf(target: Input): RetryPolicy | undefined {
  const policy = optionalObject(target, 'RetryPolicy');
  if (policy === undefined) return undefined;
  return {
    maximumRetryAttempts: optionalInteger(policy, 'MaximumRetryAttempts', 0, 185) ?? 185,
    maximumEventAgeInSeconds: optionalInteger(policy, 'MaximumEventAgeInSeconds', 60, 86_400) ?? 86_400,
  };
}

function targetOf(raw: Input): TargetDefinition {
  const retryPolicy = retryPolicyOf(raw);
  const input = optionalString(raw, 'Input');
  if (input !== undefined) {
    try {
      JSON.parse(input);
    } catch {
      throw new AwsError('ValidationException', `Target ${String(raw.Id)}: Input is not valid JSON.`);
    }
  }
  const inputPath = optionalString(raw, 'InputPath');
  const roleArn = optionalString(raw, 'RoleArn');
  const deadLetterArn = optionalString(optionalObject(raw, 'DeadLetterConfig') ?? {}, 'Arn');
  return {
    id: requiredString(raw, 'Id'),
    arn: requiredString(raw, 'Arn'),
    ...(input !== undefined ? { input } : {}),
    ...(inputPath !== undefined ? { inputPath } : {}),
    ...(retryPolicy !== undefined ? { retryPolicy } : {}),
    ...(deadLetterArn !== undefined ? { deadLetterArn } : {}),
    ...(roleArn !== undefined ? { roleArn } : {}),
  };
}

function targetView(target: TargetDefinition): Record<string, unknown> {
  return {
    Id: target.id,
    Arn: target.arn,
    ...(target.input !== undefined ? { Input: target.input } : {}),
    ...(target.inputPath !== undefined ? { InputPath: target.inputPath } : {}),
    ...(target.roleArn !== undefined ? { RoleArn: target.roleArn } : {}),
    ...(target.retryPolicy !== undefined
      ? {
          RetryPolicy: {
            MaximumRetryAttempts: target.retryPolicy.maximumRetryAttempts,
            MaximumEventAgeInSeconds: target.retryPolicy.maximumEventAgeInSeconds,
          },
        }
      : {}),
    ...(target.deadLetterArn !== undefined ? { DeadLetterConfig: { Arn: target.deadLetterArn } } : {}),
  };
}

function failedEntries(failed: readonly FailedTarget[]): Record<string, unknown> {
  return {
    FailedEntryCount: failed.length,
    FailedEntries: failed.map((f) => ({
      TargetId: f.targetId,
      ErrorCode: f.errorCode,
      ErrorMessage: f.errorMessage,
    })),
  };
}

/** PutRule's State, refused as EventBridge refuses a value outside its enum. */
function ruleStateOf(input: Input): RuleState | undefined {
  const state = optionalString(input, 'State');
  if (state === undefined || isRuleState(state)) return state;
  throw new AwsError(
    'ValidationException',
    `1 validation error detected: Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [${RULE_STATES.join(', ')}]`,
  );
}

/** What the events service enforces beyond the bus itself. */
export interface EventsServiceOptions {
  /**
   * Deny statements of bus resource policies (meshwarden's bus: `source: meshwarden` only from
   * meshwarden's roles), evaluated per PutEvents entry as EventBridge does.
   */
  readonly busPolicies?: readonly SourceGuardStatement[];
}

/** `aws:PrincipalArn` of a caller: the role behind a role session, or the user. */
function principalArnOf(caller: CallerIdentity): string {
  const issuer = (caller.userIdentity.sessionContext as { sessionIssuer?: { arn?: unknown } } | undefined)
    ?.sessionIssuer?.arn;
  return typeof issuer === 'string' ? issuer : caller.arn;
}

export class EventsService implements LocalService, OperationResolver {
  readonly signingName = 'events';
  private readonly state: StateFile<BusState>;
  private readonly operations: JsonOperationTable;

  constructor(
    private readonly context: LocalServiceContext,
    private readonly bus: LocalEventBus,
    private readonly options: EventsServiceOptions = {},
  ) {
    this.state = new StateFile<BusState>(context.dataDir, 'events', () => ({ buses: [], rules: [] }));
    const skipped = bus.restore(this.state.load());
    for (const line of skipped) process.emitWarning(`local events: skipped persisted rule ${line}`);
    this.operations = this.table();
  }

  operationOf(req: LocalRequest): string | undefined {
    return req.headers['x-amz-target']?.split('.')[1];
  }

  async handle(req: LocalRequest): Promise<LocalResponse> {
    return handleJsonRequest(req, {
      version: '1.1',
      targetPrefix: 'AWSEvents',
      operations: this.operations,
      isReadOnly: (operation) => READ_ONLY.has(operation),
    });
  }

  async close(): Promise<void> {
    this.persist();
  }

  private persist(): void {
    this.state.save(this.bus.snapshot());
  }

  /** Run a mutating operation, persisting afterwards, with errors mapped to AWS codes. */
  private mutate<T>(run: () => T): T {
    try {
      const out = run();
      this.persist();
      return out;
    } catch (error) {
      return toAwsError(error);
    }
  }

  private read<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      return toAwsError(error);
    }
  }

  /**
   * An explicit deny of the bus policy answers the entry with AccessDeniedException, as
   * EventBridge answers an entry it may not accept (other entries of the call go through).
   */
  private deniedBy(
    entry: BusEntry,
    caller: CallerIdentity,
  ): { ErrorCode: string; ErrorMessage: string } | undefined {
    const busArn = arnOfBus(this.context.region, this.context.accountId, busNameOf(entry.eventBusName));
    const principalArn = principalArnOf(caller);
    const denied = (this.options.busPolicies ?? []).some((statement) =>
      deniesEntry(statement, { busArn, source: entry.source, principalArn }),
    );
    if (!denied) return undefined;
    return {
      ErrorCode: 'AccessDeniedException',
      ErrorMessage: `User: ${caller.arn} is not authorized to perform: events:PutEvents on resource: ${busArn} with an explicit deny in a resource-based policy`,
    };
  }

  private ruleView(rule: RuleDefinition): Record<string, unknown> {
    return {
      Name: rule.name,
      Arn: this.bus.ruleArn(rule),
      ...(rule.eventPattern !== undefined ? { EventPattern: rule.eventPattern } : {}),
      ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
      State: rule.state,
      ...(rule.description !== undefined ? { Description: rule.description } : {}),
      ...(rule.roleArn !== undefined ? { RoleArn: rule.roleArn } : {}),
      EventBusName: rule.busName,
    };
  }

  private busView(bus: BusDefinition & { arn: string }): Record<string, unknown> {
    return {
      Name: bus.name,
      Arn: bus.arn,
      ...(bus.description !== undefined ? { Description: bus.description } : {}),
      CreationTime: epochSeconds(bus.creationTime),
      LastModifiedTime: epochSeconds(bus.creationTime),
    };
  }

  private table(): JsonOperationTable {
    const bus = this.bus;
    return {
      PutEvents: (input, req) =>
        this.read(() => {
          const raw = objectList(input, 'Entries');
          if (raw.length === 0 || raw.length > MAX_ENTRIES) {
            throw new AwsError(
              'ValidationException',
              `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
            );
          }
          const results = raw.map((entry) => {
            const checked = decodeEntry(entry);
            if (!('entry' in checked))
              return { ErrorCode: checked.errorCode, ErrorMessage: checked.errorMessage };
            const denied = this.deniedBy(checked.entry, req.caller);
            if (denied !== undefined) return denied;
            const [result] = bus.putEntries([checked.entry]);
            return result === undefined || !('eventId' in result)
              ? {
                  ErrorCode: result?.errorCode ?? 'InternalFailure',
                  ErrorMessage: result?.errorMessage ?? 'not put',
                }
              : { EventId: result.eventId };
          });
          return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
        }),

      PutRule: (input) =>
        this.mutate(() => {
          const state = ruleStateOf(input);
          const eventPattern = optionalString(input, 'EventPattern');
          const scheduleExpression = optionalString(input, 'ScheduleExpression');
          const description = optionalString(input, 'Description');
          const roleArn = optionalString(input, 'RoleArn');
          const busName = optionalString(input, 'EventBusName');
          const arn = bus.putRule({
            name: requiredString(input, 'Name'),
            ...(busName !== undefined ? { busName } : {}),
            ...(eventPattern !== undefined ? { eventPattern } : {}),
            ...(scheduleExpression !== undefined ? { scheduleExpression } : {}),
            ...(state !== undefined ? { state } : {}),
            ...(description !== undefined ? { description } : {}),
            ...(roleArn !== undefined ? { roleArn } : {}),
          });
          return { RuleArn: arn };
        }),

      DeleteRule: (input) =>
        this.mutate(() => {
          bus.deleteRule(
            requiredString(input, 'Name'),
            optionalString(input, 'EventBusName'),
            optionalBoolean(input, 'Force') ?? false,
          );
          return {};
        }),

      DescribeRule: (input) =>
        this.read(() => {
          const rule = bus.describeRule(requiredString(input, 'Name'), optionalString(input, 'EventBusName'));
          return { ...this.ruleView(rule), CreatedBy: this.context.accountId };
        }),

      EnableRule: (input) =>
        this.mutate(() => {
          bus.setRuleState(requiredString(input, 'Name'), optionalString(input, 'EventBusName'), 'ENABLED');
          return {};
        }),

      DisableRule: (input) =>
        this.mutate(() => {
          bus.setRuleState(requiredString(input, 'Name'), optionalString(input, 'EventBusName'), 'DISABLED');
          return {};
        }),

      ListRules: (input) =>
        this.read(() => {
          const limit = optionalInteger(input, 'Limit', 1, 100) ?? DEFAULT_LIMIT;
          const rules = bus.listRules(
            optionalString(input, 'EventBusName'),
            optionalString(input, 'NamePrefix'),
          );
          const page = paginate(rules, (r) => r.name, limit, optionalString(input, 'NextToken'));
          return {
            Rules: page.items.map((r) => this.ruleView(r)),
            ...(page.nextToken ? { NextToken: page.nextToken } : {}),
          };
        }),

      PutTargets: (input) =>
        this.mutate(() => {
          const targets = objectList(input, 'Targets');
          if (targets.length === 0 || targets.length > 10) {
            throw new AwsError('ValidationException', 'Targets must have between 1 and 10 entries.');
          }
          const failed = bus.putTargets(
            requiredString(input, 'Rule'),
            optionalString(input, 'EventBusName'),
            targets.map(targetOf),
          );
          return failedEntries(failed);
        }),

      RemoveTargets: (input) =>
        this.mutate(() => {
          const ids = stringList(input, 'Ids');
          if (ids.length === 0)
            throw new AwsError('ValidationException', 'Ids must have between 1 and 100 entries.');
          return failedEntries(
            bus.removeTargets(requiredString(input, 'Rule'), optionalString(input, 'EventBusName'), ids),
          );
        }),

      ListTargetsByRule: (input) =>
        this.read(() => {
          const limit = optionalInteger(input, 'Limit', 1, 100) ?? DEFAULT_LIMIT;
          const targets = [
            ...bus.listTargets(requiredString(input, 'Rule'), optionalString(input, 'EventBusName')),
          ].sort((a, b) => (a.id < b.id ? -1 : 1));
          const page = paginate(targets, (t) => t.id, limit, optionalString(input, 'NextToken'));
          return {
            Targets: page.items.map(targetView),
            ...(page.nextToken ? { NextToken: page.nextToken } : {}),
          };
        }),

      CreateEventBus: (input) =>
        this.mutate(() => {
          const description = optionalString(input, 'Description');
          const arn = bus.createBus(requiredString(input, 'Name'), description);
          return { EventBusArn: arn, ...(description !== undefined ? { Description: description } : {}) };
        }),

      DeleteEventBus: (input) =>
        this.mutate(() => {
          bus.deleteBus(requiredString(input, 'Name'));
          return {};
        }),

      DescribeEventBus: (input) =>
        this.read(() => this.busView(bus.describeBus(optionalString(input, 'Name')))),

      ListEventBuses: (input) =>
        this.read(() => {
          const limit = optionalInteger(input, 'Limit', 1, 100) ?? DEFAULT_LIMIT;
          const buses = bus.listBuses(optionalString(input, 'NamePrefix'));
          const page = paginate(buses, (b) => b.name, limit, optionalString(input, 'NextToken'));
          return {
            EventBuses: page.items.map((b) => this.busView(b)),
            ...(page.nextToken ? { NextToken: page.nextToken } : {}),
          };
        }),

      TestEventPattern: (input) =>
        this.read(() => {
          const pattern = compilePattern(requiredString(input, 'EventPattern'));
          let event: unknown;
          try {
            event = JSON.parse(requiredString(input, 'Event'));
          } catch (error) {
            if (error instanceof FieldError) throw error;
            throw new AwsError('ValidationException', 'Parameter Event is not valid.');
          }
          if (typeof event !== 'object' || event === null || Array.isArray(event)) {
            throw new AwsError('ValidationException', 'Parameter Event is not valid.');
          }
          const missing = EVENT_REQUIRED_FIELDS.filter((field) => !Object.hasOwn(event, field));
          if (missing.length > 0) {
            throw new AwsError(
              'ValidationException',
              `Parameter Event is not valid. Missing: ${missing.join(', ')}.`,
            );
          }
          return { Result: pattern.matches(event) };
        }),
    };
  }
}

import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { ValidationError } from '../../../../shared/errors';
import { parseOrThrow } from '../../../../shared/validation';
import { AwsError } from '../../protocol/aws-json';
import { StateFile } from '../../state-file';
import type {
  LocalRequest,
  LocalResponse,
  LocalService,
  LocalServiceContext,
  OperationResolver,
} from '../../types';
import {
  firstDue,
  isValidTimeZone,
  parseScheduleExpression,
  ScheduleExpressionError,
} from './schedule-expression';
import { EVENT_BUS_ARN, type Firing, LAMBDA_ARN, ScheduleRunner } from './schedule-runner';
import { DEFAULT_GROUP, type SchedulerState, type StoredGroup, type StoredSchedule } from './scheduler-state';

/**
 * EventBridge Scheduler (REST-JSON): schedules and schedule groups, persisted in the data
 * directory, fired by a `ScheduleRunner` against local functions and the local bus.
 */

const NAME = /^[0-9a-zA-Z\-_.]+$/;
const name = z.string().min(1).max(64).regex(NAME, 'must match [0-9a-zA-Z-_.]+');
const epochSeconds = z.number().finite();

const targetSchema = z.looseObject({
  Arn: z.string().min(1).max(1600),
  RoleArn: z
    .string()
    .min(1)
    .max(1600)
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'must be an IAM role ARN'),
  Input: z.string().min(1).max(8192).optional(),
  RetryPolicy: z
    .object({
      MaximumEventAgeInSeconds: z.number().int().min(60).max(86_400).optional(),
      MaximumRetryAttempts: z.number().int().min(0).max(185).optional(),
    })
    .optional(),
  DeadLetterConfig: z
    .object({
      Arn: z
        .string()
        .regex(/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}$/, 'must be an SQS queue ARN')
        .optional(),
    })
    .optional(),
  EventBridgeParameters: z
    .object({
      DetailType: z.string().min(1).max(128),
      Source: z
        .string()
        .min(1)
        .max(256)
        .regex(/^[/.\-_A-Za-z0-9]+$/, 'must match [/.-_A-Za-z0-9]+')
        .refine((s) => !s.startsWith('aws.'), 'must not start with aws.'),
    })
    .optional(),
});

const scheduleBody = z.looseObject({
  ScheduleExpression: z.string().min(1).max(256),
  ScheduleExpressionTimezone: z
    .string()
    .min(1)
    .max(50)
    .refine(isValidTimeZone, 'must be an IANA time zone')
    .optional(),
  FlexibleTimeWindow: z.object({
    Mode: z.enum(['OFF', 'FLEXIBLE']),
    MaximumWindowInMinutes: z.number().int().min(1).max(1440).optional(),
  }),
  Target: targetSchema,
  GroupName: name.optional(),
  Description: z.string().max(512).optional(),
  StartDate: epochSeconds.optional(),
  EndDate: epochSeconds.optional(),
  State: z.enum(['ENABLED', 'DISABLED']).optional(),
  KmsKeyArn: z.string().min(1).max(2048).optional(),
  ClientToken: z.string().min(1).max(64).optional(),
  ActionAfterCompletion: z.enum(['NONE', 'DELETE']).optional(),
});

const groupBody = z.looseObject({
  ClientToken: z.string().min(1).max(64).optional(),
  Tags: z
    .array(z.object({ Key: z.string().min(1).max(128), Value: z.string().min(1).max(256) }))
    .max(200)
    .optional(),
});

const listQuery = z.object({
  MaxResults: z.coerce.number().int().min(1).max(100).optional(),
  NamePrefix: z.string().min(1).max(64).optional(),
  NextToken: z.string().regex(/^\d+$/, 'is not a token this service issued').optional(),
  ScheduleGroup: name.optional(),
  State: z.enum(['ENABLED', 'DISABLED']).optional(),
});

type Route = { operation: string; name?: string };

/** Map method and path to the API operation, as Scheduler's REST bindings define them. */
function routeOf(method: string, path: string): Route | undefined {
  const match = /^\/(schedules|schedule-groups)(?:\/([^/]+))?\/?$/.exec(path);
  if (match === null) return undefined;
  const [, collection, rawName] = match;
  const entity = collection === 'schedules' ? 'Schedule' : 'ScheduleGroup';
  if (rawName === undefined) {
    return method === 'GET'
      ? { operation: collection === 'schedules' ? 'ListSchedules' : 'ListScheduleGroups' }
      : undefined;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawName);
  } catch {
    return undefined;
  }
  const verb: Record<string, string> = { POST: 'Create', GET: 'Get', DELETE: 'Delete' };
  if (collection === 'schedules') verb.PUT = 'Update';
  const action = verb[method];
  return action === undefined ? undefined : { operation: `${action}${entity}`, name: decoded };
}

function restError(error: AwsError): LocalResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code },
    body: JSON.stringify({ Message: error.message }),
    error: { code: error.code, message: error.message },
  };
}

const validation = (message: string) => new AwsError('ValidationException', message, 400);
const notFound = (message: string) => new AwsError('ResourceNotFoundException', message, 404);
const conflict = (message: string) => new AwsError('ConflictException', message, 409);

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  try {
    return parseOrThrow(schema, input, what);
  } catch (error) {
    if (error instanceof ValidationError) throw validation(error.message);
    throw error;
  }
}

function parseBody(req: LocalRequest): unknown {
  const text = req.body.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AwsError('SerializationException', 'Request body is not valid JSON', 400);
  }
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
const READ_ONLY = new Set(['GetSchedule', 'ListSchedules', 'GetScheduleGroup', 'ListScheduleGroups']);

export interface SchedulerOptions {
  /** How often the interval timer started by `start()` ticks. */
  readonly intervalMs?: number;
}

export class SchedulerService implements LocalService, OperationResolver {
  readonly signingName = 'scheduler';
  private readonly file: StateFile<SchedulerState>;
  private readonly state: SchedulerState;
  private readonly runner: ScheduleRunner;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly context: LocalServiceContext,
    private readonly options: SchedulerOptions = {},
  ) {
    this.file = new StateFile<SchedulerState>(context.dataDir, 'scheduler', () => ({
      groups: [],
      schedules: [],
    }));
    this.state = this.file.load();
    if (!this.state.groups.some((g) => g.name === DEFAULT_GROUP)) {
      const now = this.now();
      this.state.groups.unshift({
        name: DEFAULT_GROUP,
        arn: this.groupArn(DEFAULT_GROUP),
        tags: [],
        createdAt: now,
        modifiedAt: now,
      });
    }
    this.runner = new ScheduleRunner(this.state, context, () => this.save());
  }

  /** Fire the schedules due at `now` (default: the context clock). */
  tick(now: Date = this.context.now()): Promise<Firing[]> {
    return this.runner.tick(now);
  }

  /** Deliveries that exhausted their retry policy. */
  get deadLetters() {
    return this.runner.deadLetters;
  }

  /** Start the real interval timer. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.tick().catch((error: unknown) => {
        console.error(
          `local scheduler: tick failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }, this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.save();
  }

  operationOf(req: LocalRequest): string | undefined {
    return routeOf(req.method, req.path)?.operation;
  }

  async handle(req: LocalRequest): Promise<LocalResponse> {
    const route = routeOf(req.method, req.path);
    if (route === undefined) {
      return restError(
        new AwsError('UnknownOperationException', `No operation for ${req.method} ${req.path}`, 404),
      );
    }
    let input: Record<string, unknown> = {};
    try {
      const body = parseBody(req);
      input = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
      const output = this.run(route, body, req.query);
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(output),
        apiCall: {
          eventName: route.operation,
          readOnly: READ_ONLY.has(route.operation),
          requestParameters: { name: route.name, ...input },
          responseElements: output,
        },
      };
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      return {
        ...restError(error),
        apiCall: {
          eventName: route.operation,
          readOnly: READ_ONLY.has(route.operation),
          requestParameters: input,
        },
      };
    }
  }

  private run(route: Route, body: unknown, query: URLSearchParams): unknown {
    const target = route.name ?? '';
    if (route.name !== undefined) parse(name, route.name, `${route.operation} Name`);
    switch (route.operation) {
      case 'CreateSchedule':
        return this.putSchedule(target, body, 'create');
      case 'UpdateSchedule':
        return this.putSchedule(target, body, 'update');
      case 'GetSchedule':
        return this.describeSchedule(this.findSchedule(target, query.get('groupName')));
      case 'DeleteSchedule': {
        const schedule = this.findSchedule(target, query.get('groupName'));
        this.state.schedules = this.state.schedules.filter((s) => s !== schedule);
        this.save();
        return {};
      }
      case 'ListSchedules':
        return this.listSchedules(query);
      case 'CreateScheduleGroup':
        return this.createGroup(target, body);
      case 'GetScheduleGroup':
        return this.describeGroup(this.findGroup(target));
      case 'DeleteScheduleGroup':
        return this.deleteGroup(target);
      case 'ListScheduleGroups':
        return this.listGroups(query);
      default:
        throw new AwsError('UnknownOperationException', `Operation ${route.operation} is not supported`, 404);
    }
  }

  private putSchedule(scheduleName: string, body: unknown, mode: 'create' | 'update'): unknown {
    const input = parse(scheduleBody, body, `${mode === 'create' ? 'Create' : 'Update'}Schedule request`);
    const groupName = input.GroupName ?? DEFAULT_GROUP;
    this.findGroup(groupName);
    const now = this.now();
    let expression: ReturnType<typeof parseScheduleExpression>;
    try {
      expression = parseScheduleExpression(input.ScheduleExpression, input.ScheduleExpressionTimezone);
    } catch (error) {
      if (error instanceof ScheduleExpressionError) throw validation(error.message);
      throw error;
    }
    const window = input.FlexibleTimeWindow;
    if (window.Mode === 'FLEXIBLE' && window.MaximumWindowInMinutes === undefined) {
      throw validation('FlexibleTimeWindow.MaximumWindowInMinutes is required when Mode is FLEXIBLE.');
    }
    if (window.Mode === 'OFF' && window.MaximumWindowInMinutes !== undefined) {
      throw validation('FlexibleTimeWindow.MaximumWindowInMinutes must not be set when Mode is OFF.');
    }
    const startDate = input.StartDate === undefined ? undefined : input.StartDate * 1000;
    const endDate = input.EndDate === undefined ? undefined : input.EndDate * 1000;
    if (startDate !== undefined && endDate !== undefined && endDate <= startDate) {
      throw validation('The EndDate must be after the StartDate.');
    }
    const { Target } = input;
    const isLambda = LAMBDA_ARN.test(Target.Arn);
    const isBus = EVENT_BUS_ARN.test(Target.Arn);
    if (!isLambda && !isBus) {
      throw validation(
        `Target.Arn ${Target.Arn}: local AWS delivers only to Lambda functions and EventBridge event buses (templated targets).`,
      );
    }
    if (isBus && Target.EventBridgeParameters === undefined) {
      throw validation('Target.EventBridgeParameters is required for an EventBridge event bus target.');
    }
    const existing = this.state.schedules.find((s) => s.name === scheduleName && s.groupName === groupName);
    const clientToken = input.ClientToken ?? randomUUID();
    if (mode === 'create' && existing !== undefined) {
      // A retried create with the same token succeeds with the schedule it made.
      if (existing.clientToken === clientToken) return { ScheduleArn: existing.arn };
      throw conflict(`Schedule ${scheduleName} already exists.`);
    }
    if (mode === 'update' && existing === undefined)
      throw notFound(`Schedule ${scheduleName} does not exist.`);
    const schedule: StoredSchedule = {
      name: scheduleName,
      groupName,
      arn: `arn:aws:scheduler:${this.context.region}:${this.context.accountId}:schedule/${groupName}/${scheduleName}`,
      ...(input.Description === undefined ? {} : { description: input.Description }),
      scheduleExpression: input.ScheduleExpression,
      ...(input.ScheduleExpressionTimezone === undefined
        ? {}
        : { timezone: input.ScheduleExpressionTimezone }),
      ...(startDate === undefined ? {} : { startDate }),
      ...(endDate === undefined ? {} : { endDate }),
      state: input.State ?? 'ENABLED',
      flexibleTimeWindow: {
        Mode: window.Mode,
        ...(window.MaximumWindowInMinutes === undefined
          ? {}
          : { MaximumWindowInMinutes: window.MaximumWindowInMinutes }),
      },
      target: {
        ...Target,
        RetryPolicy: {
          MaximumEventAgeInSeconds: Target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400,
          MaximumRetryAttempts: Target.RetryPolicy?.MaximumRetryAttempts ?? 185,
        },
      },
      actionAfterCompletion: input.ActionAfterCompletion ?? 'NONE',
      ...(input.KmsKeyArn === undefined ? {} : { kmsKeyArn: input.KmsKeyArn }),
      clientToken: existing?.clientToken ?? clientToken,
      createdAt: existing?.createdAt ?? now,
      modifiedAt: now,
      nextDueAt: firstDue(expression, now, startDate),
    };
    this.state.schedules = [...this.state.schedules.filter((s) => s !== existing), schedule];
    this.save();
    return { ScheduleArn: schedule.arn };
  }

  private findSchedule(scheduleName: string, groupName: string | null): StoredSchedule {
    const group = groupName ?? DEFAULT_GROUP;
    const schedule = this.state.schedules.find((s) => s.name === scheduleName && s.groupName === group);
    if (schedule === undefined) throw notFound(`Schedule ${scheduleName} does not exist.`);
    return schedule;
  }

  private describeSchedule(s: StoredSchedule): unknown {
    return {
      ActionAfterCompletion: s.actionAfterCompletion,
      Arn: s.arn,
      CreationDate: seconds(s.createdAt),
      Description: s.description,
      EndDate: seconds(s.endDate),
      FlexibleTimeWindow: s.flexibleTimeWindow,
      GroupName: s.groupName,
      KmsKeyArn: s.kmsKeyArn,
      LastModificationDate: seconds(s.modifiedAt),
      Name: s.name,
      ScheduleExpression: s.scheduleExpression,
      ScheduleExpressionTimezone: s.timezone,
      StartDate: seconds(s.startDate),
      State: s.state,
      Target: s.target,
    };
  }

  private listSchedules(query: URLSearchParams): unknown {
    const q = parse(listQuery, Object.fromEntries(query), 'ListSchedules request');
    const all = this.state.schedules
      .filter((s) => q.ScheduleGroup === undefined || s.groupName === q.ScheduleGroup)
      .filter((s) => q.NamePrefix === undefined || s.name.startsWith(q.NamePrefix))
      .filter((s) => q.State === undefined || s.state === q.State)
      .sort((a, b) => a.groupName.localeCompare(b.groupName) || a.name.localeCompare(b.name));
    const { page, next } = paginate(all, q.NextToken, q.MaxResults);
    return {
      Schedules: page.map((s) => ({
        Arn: s.arn,
        CreationDate: seconds(s.createdAt),
        GroupName: s.groupName,
        LastModificationDate: seconds(s.modifiedAt),
        Name: s.name,
        State: s.state,
        Target: { Arn: s.target.Arn },
      })),
      NextToken: next,
    };
  }

  private createGroup(groupName: string, body: unknown): unknown {
    const input = parse(groupBody, body, 'CreateScheduleGroup request');
    const existing = this.state.groups.find((g) => g.name === groupName);
    if (existing !== undefined) {
      if (input.ClientToken !== undefined && existing.clientToken === input.ClientToken)
        return { ScheduleGroupArn: existing.arn };
      throw conflict(`Schedule group ${groupName} already exists.`);
    }
    const now = this.now();
    const group: StoredGroup = {
      name: groupName,
      arn: this.groupArn(groupName),
      ...(input.ClientToken === undefined ? {} : { clientToken: input.ClientToken }),
      tags: input.Tags ?? [],
      createdAt: now,
      modifiedAt: now,
    };
    this.state.groups.push(group);
    this.save();
    return { ScheduleGroupArn: group.arn };
  }

  private findGroup(groupName: string): StoredGroup {
    const group = this.state.groups.find((g) => g.name === groupName);
    if (group === undefined) throw notFound(`Schedule group ${groupName} does not exist.`);
    return group;
  }

  private describeGroup(g: StoredGroup) {
    return {
      Arn: g.arn,
      CreationDate: seconds(g.createdAt),
      LastModificationDate: seconds(g.modifiedAt),
      Name: g.name,
      State: 'ACTIVE',
    };
  }

  private deleteGroup(groupName: string): unknown {
    if (groupName === DEFAULT_GROUP) throw validation('The default schedule group cannot be deleted.');
    const group = this.findGroup(groupName);
    // Deleting a group deletes its schedules with it.
    this.state.groups = this.state.groups.filter((g) => g !== group);
    this.state.schedules = this.state.schedules.filter((s) => s.groupName !== groupName);
    this.save();
    return {};
  }

  private listGroups(query: URLSearchParams): unknown {
    const q = parse(listQuery, Object.fromEntries(query), 'ListScheduleGroups request');
    const all = this.state.groups
      .filter((g) => q.NamePrefix === undefined || g.name.startsWith(q.NamePrefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, next } = paginate(all, q.NextToken, q.MaxResults);
    return { ScheduleGroups: page.map((g) => this.describeGroup(g)), NextToken: next };
  }

  private groupArn(groupName: string): string {
    return `arn:aws:scheduler:${this.context.region}:${this.context.accountId}:schedule-group/${groupName}`;
  }

  private now(): number {
    return this.context.now().getTime();
  }

  private save(): void {
    this.file.save(this.state);
  }
}

function paginate<T>(all: T[], token: string | undefined, maxResults: number | undefined) {
  const start = token === undefined ? 0 : Number(token);
  const limit = maxResults ?? 100;
  const page = all.slice(start, start + limit);
  return { page, next: start + limit < all.length ? String(start + limit) : undefined };
}

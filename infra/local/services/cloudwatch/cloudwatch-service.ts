import { parseQueryRequest, QueryParseError, queryError, queryResponse } from '../../protocol/query';
import { StateFile } from '../../state-file';
import type {
  BusEntry,
  LocalRequest,
  LocalResponse,
  LocalService,
  LocalServiceContext,
  OperationResolver,
} from '../../types';
import {
  FieldError,
  type Input,
  optionalInteger,
  optionalString,
  requiredString,
  stringList,
} from '../events/input-fields';
import { InvalidNextTokenError, paginate } from '../events/pagination';
import { alarmFilter, compositeAlarmSpec, metricAlarmSpec, stateValue, tags } from './alarm-inputs';
import { type AlarmsState, TIMESTAMP_FIELDS } from './alarm-model';
import { AlarmStore } from './alarm-store';
import { CloudWatchError, cloudWatchErrors } from './cloudwatch-errors';

/**
 * Local CloudWatch (signing name `monitoring`): alarms only. It speaks both wire protocols
 * on the same endpoint: JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.Op`, as SDK v3
 * sends it, errors with the awsQueryCompatible `x-amzn-query-error` header) and the query
 * protocol with XML answers (as the AWS CLI sends it). State changes go onto the default bus
 * as `CloudWatch Alarm State Change` events.
 */

export const CLOUDWATCH_NAMESPACE = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
const TARGET_PREFIX = 'GraniteServiceVersion20100801';
const SHAPE_NAMESPACE = 'com.amazonaws.cloudwatch';
const DEFAULT_MAX_RECORDS = 50;

/** What an operation did: its output (ISO timestamps), and the events to publish. */
interface Outcome {
  readonly output: Record<string, unknown>;
  readonly events?: readonly BusEntry[];
  readonly mutated: boolean;
}

type Operation = (input: Input) => Outcome;

type Protocol = 'json' | 'query';

function isForm(req: LocalRequest): boolean {
  return (
    (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ||
    req.query.has('Action')
  );
}

/** JSON 1.0 timestamps are epoch seconds; query XML keeps ISO 8601. */
function epochTimestamps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(epochTimestamps);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] =
      (TIMESTAMP_FIELDS as readonly string[]).includes(key) && typeof child === 'string'
        ? Date.parse(child) / 1000
        : epochTimestamps(child);
  }
  return out;
}

function asCloudWatchError(error: unknown): CloudWatchError | undefined {
  if (error instanceof CloudWatchError) return error;
  if (error instanceof FieldError) {
    return error.kind === 'missing'
      ? cloudWatchErrors.missingParameter(error.message)
      : cloudWatchErrors.invalidParameterValue(error.message);
  }
  if (error instanceof InvalidNextTokenError) return cloudWatchErrors.invalidNextToken(error.message);
  if (error instanceof QueryParseError) return cloudWatchErrors.serialization(error.message);
  return undefined;
}

export class CloudWatchService implements LocalService, OperationResolver {
  readonly signingName = 'monitoring';
  private readonly store: AlarmStore;
  private readonly state: StateFile<AlarmsState>;
  private readonly operations: Readonly<Record<string, Operation>>;

  constructor(private readonly context: LocalServiceContext) {
    this.state = new StateFile<AlarmsState>(context.dataDir, 'cloudwatch', () => ({ alarms: [], tags: {} }));
    this.store = new AlarmStore(context.region, context.accountId, () => context.now(), this.state.load());
    this.operations = this.table();
  }

  /** An alarm's tags, for IAM's `aws:ResourceTag/<key>`; undefined when there is no such alarm. */
  resourceTags(arn: string): Record<string, string> | undefined {
    try {
      return Object.fromEntries(this.store.listTags(arn).map((t) => [t.Key, t.Value]));
    } catch {
      return undefined;
    }
  }

  operationOf(req: LocalRequest): string | undefined {
    const target = req.headers['x-amz-target'];
    if (target !== undefined) return target.split('.')[1];
    return (
      new URLSearchParams(req.body.toString('utf8')).get('Action') ?? req.query.get('Action') ?? undefined
    );
  }

  async handle(req: LocalRequest): Promise<LocalResponse> {
    const protocol: Protocol = req.headers['x-amz-target'] !== undefined || !isForm(req) ? 'json' : 'query';
    let operation = '';
    try {
      let input: Input;
      if (protocol === 'json') {
        const [prefix, name] = (req.headers['x-amz-target'] ?? '').split('.', 2);
        if (prefix !== TARGET_PREFIX || name === undefined) {
          throw new CloudWatchError(
            'UnknownOperationException',
            'InvalidAction',
            400,
            `Unknown target "${req.headers['x-amz-target'] ?? ''}"`,
          );
        }
        operation = name;
        input = this.jsonInput(req);
      } else {
        const parsed = parseQueryRequest(req);
        operation = parsed.action;
        input = parsed.params;
      }
      const run = Object.hasOwn(this.operations, operation) ? this.operations[operation] : undefined;
      if (run === undefined)
        throw cloudWatchErrors.invalidAction(`Could not find operation ${operation} for version 2010-08-01`);
      const outcome = run(input);
      if (outcome.mutated) this.state.save(this.store.snapshot());
      if (outcome.events !== undefined && outcome.events.length > 0)
        await this.context.putEvents(outcome.events);
      const apiCall = {
        eventName: operation,
        readOnly: !outcome.mutated,
        requestParameters: input,
        responseElements: null,
      };
      const res =
        protocol === 'json'
          ? {
              status: 200,
              headers: { 'content-type': 'application/x-amz-json-1.0' },
              body: JSON.stringify(epochTimestamps(outcome.output)),
            }
          : queryResponse(operation, CLOUDWATCH_NAMESPACE, outcome.output, req.requestId);
      return { ...res, apiCall };
    } catch (error) {
      const cw = asCloudWatchError(error);
      if (cw === undefined) throw error;
      const apiCall = operation === '' ? undefined : { eventName: operation, readOnly: false };
      const res =
        protocol === 'json'
          ? this.jsonError(cw)
          : queryError(CLOUDWATCH_NAMESPACE, cw.status, cw.queryCode, cw.message, req.requestId);
      return apiCall === undefined ? res : { ...res, apiCall };
    }
  }

  async close(): Promise<void> {
    this.state.save(this.store.snapshot());
  }

  private jsonInput(req: LocalRequest): Input {
    const text = req.body.toString('utf8');
    let parsed: unknown;
    try {
      parsed = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw new CloudWatchError(
        'SerializationException',
        'SerializationException',
        400,
        'Request body is not valid JSON',
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new CloudWatchError(
        'SerializationException',
        'SerializationException',
        400,
        'Request body is not a JSON object',
      );
    }
    return parsed as Input;
  }

  private jsonError(error: CloudWatchError): LocalResponse {
    return {
      status: error.status,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-errortype': error.shape,
        'x-amzn-query-error': `${error.queryCode};${error.status >= 500 ? 'Receiver' : 'Sender'}`,
      },
      body: JSON.stringify({
        __type: `${SHAPE_NAMESPACE}#${error.shape}`,
        message: error.message,
        ...error.extra,
      }),
      error: { code: error.queryCode, message: error.message },
    };
  }

  private table(): Record<string, Operation> {
    const store = this.store;
    return {
      PutMetricAlarm: (input) => ({
        output: {},
        events: store.putMetricAlarm(metricAlarmSpec(input), tags(input)),
        mutated: true,
      }),

      PutCompositeAlarm: (input) => ({
        output: {},
        events: store.putCompositeAlarm(compositeAlarmSpec(input), tags(input)),
        mutated: true,
      }),

      DescribeAlarms: (input) => {
        const filter = alarmFilter(input);
        const maxRecords = optionalInteger(input, 'MaxRecords', 1, 100) ?? DEFAULT_MAX_RECORDS;
        const page = paginate(
          store.describe(filter),
          (s) => s.alarm.AlarmName,
          maxRecords,
          optionalString(input, 'NextToken'),
        );
        return {
          output: {
            MetricAlarms: page.items.filter((s) => s.kind === 'metric').map((s) => s.alarm),
            CompositeAlarms: page.items.filter((s) => s.kind === 'composite').map((s) => s.alarm),
            ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
          },
          mutated: false,
        };
      },

      SetAlarmState: (input) => {
        const name = requiredString(input, 'AlarmName');
        const value = stateValue(input);
        const reason = requiredString(input, 'StateReason');
        const events = store.setAlarmState(name, value, reason, optionalString(input, 'StateReasonData'));
        return { output: {}, events, mutated: true };
      },

      DeleteAlarms: (input) => {
        const names = stringList(input, 'AlarmNames');
        if (names.length === 0)
          throw cloudWatchErrors.missingParameter('The parameter AlarmNames is required.');
        store.deleteAlarms(names);
        return { output: {}, mutated: true };
      },

      EnableAlarmActions: (input) => this.setActionsEnabled(input, true),
      DisableAlarmActions: (input) => this.setActionsEnabled(input, false),

      TagResource: (input) => {
        store.tagResource(requiredString(input, 'ResourceARN'), tags(input));
        return { output: {}, mutated: true };
      },

      UntagResource: (input) => {
        store.untagResource(requiredString(input, 'ResourceARN'), stringList(input, 'TagKeys'));
        return { output: {}, mutated: true };
      },

      ListTagsForResource: (input) => ({
        output: { Tags: store.listTags(requiredString(input, 'ResourceARN')) },
        mutated: false,
      }),
    };
  }

  private setActionsEnabled(input: Input, enabled: boolean): Outcome {
    for (const name of stringList(input, 'AlarmNames')) {
      const stored = this.store.get(name);
      if (stored === undefined) continue;
      if (stored.kind === 'metric')
        this.store.putMetricAlarm({ ...stored.alarm, ActionsEnabled: enabled }, []);
      else this.store.putCompositeAlarm({ ...stored.alarm, ActionsEnabled: enabled }, []);
    }
    return { output: {}, mutated: true };
  }
}

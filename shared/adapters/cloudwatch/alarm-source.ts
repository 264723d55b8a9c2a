import {
  type CloudWatchClient,
  type CompositeAlarm,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandOutput,
  ListTagsForResourceCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { mapBounded } from '../../bounded-map';
import {
  BadRequestError,
  ForbiddenError,
  MeshwardenError,
  NotFoundError,
  ThrottledError,
} from '../../errors';
import type { AlarmCatalog, AlarmFacts, AlarmInfo, AlarmSource, ListedAlarm } from '../../ports';

/** The alarm tag that binds an alarm to a route: `<mesh>/<virtual-router>/<route>`. */
export const ROUTE_TAG = 'meshwarden:route';

export interface AlarmSourceOptions {
  /** How long an alarm's tag and threshold are trusted (ms). Tags change rarely; a rollback must be fast. */
  readonly factsTtlMs?: number;
  /** Cap on cached alarms, so a function that sees many alarms stays small. */
  readonly maxCached?: number;
  readonly now?: () => number;
}

const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:(.+)$/;
const DESCRIBE_BATCH = 100;

function toDomain(error: unknown, attempted: string): Error {
  const name = error instanceof Error ? error.name : '';
  const message = `${attempted}: ${error instanceof Error ? error.message : String(error)}`;
  if (/Throttl|TooManyRequests|RequestLimitExceeded/.test(name))
    return new ThrottledError(message, { cause: error });
  if (name === 'ResourceNotFoundException' || name === 'ResourceNotFound')
    return new NotFoundError(message, { cause: error });
  if (name === 'AccessDenied' || name === 'AccessDeniedException')
    return new ForbiddenError(message, { cause: error });
  if (name === 'InvalidParameterValueException' || name === 'ValidationError')
    return new BadRequestError(message, { cause: error });
  return new MeshwardenError(message, { cause: error });
}

function infoOf(alarm: MetricAlarm | CompositeAlarm, type: AlarmInfo['type']): AlarmInfo | undefined {
  if (alarm.AlarmName === undefined || alarm.AlarmArn === undefined || alarm.StateValue === undefined)
    return undefined;
  return {
    name: alarm.AlarmName,
    arn: alarm.AlarmArn,
    type,
    state: alarm.StateValue,
    stateReason: alarm.StateReason ?? '',
    threshold: 'Threshold' in alarm ? alarm.Threshold : undefined,
  };
}

/**
 * CloudWatch as the guard's AlarmSource. An alarm's facts (route tag, threshold) are cached
 * per ARN for `factsTtlMs`, so a warm rollback makes no CloudWatch call at all.
 */
export class CloudWatchAlarmSource implements AlarmSource, AlarmCatalog {
  private readonly facts = new Map<string, { value: AlarmFacts; until: number }>();
  private readonly ttl: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(
    private readonly client: CloudWatchClient,
    options: AlarmSourceOptions = {},
  ) {
    this.ttl = options.factsTtlMs ?? 5 * 60_000;
    this.max = options.maxCached ?? 1000;
    this.now = options.now ?? Date.now;
  }

  async describe(namesOrArns: readonly string[]): Promise<AlarmInfo[]> {
    const names = [...new Set(namesOrArns.map((n) => ALARM_ARN.exec(n)?.[1] ?? n))];
    const out: AlarmInfo[] = [];
    for (let i = 0; i < names.length; i += DESCRIBE_BATCH) {
      out.push(...(await this.page({ AlarmNames: names.slice(i, i + DESCRIBE_BATCH) })));
    }
    return out;
  }

  private async page(filter: { AlarmNames?: string[] }): Promise<AlarmInfo[]> {
    const out: AlarmInfo[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      let page: DescribeAlarmsCommandOutput;
      try {
        page = await this.client.send(
          new DescribeAlarmsCommand({
            ...filter,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            ...(token === undefined ? {} : { NextToken: token }),
          }),
        );
      } catch (error) {
        throw toDomain(error, 'DescribeAlarms');
      }
      for (const a of page.MetricAlarms ?? []) {
        const info = infoOf(a, 'metric');
        if (info !== undefined) out.push(info);
      }
      for (const a of page.CompositeAlarms ?? []) {
        const info = infoOf(a, 'composite');
        if (info !== undefined) out.push(info);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return out;
  }

  private async routeTagOf(arn: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
      return out.Tags?.find((t) => t.Key === ROUTE_TAG)?.Value;
    } catch (error) {
      const domain = toDomain(error, `ListTagsForResource ${arn}`);
      if (domain instanceof NotFoundError) return undefined;
      throw domain;
    }
  }

  async factsOf(alarmArn: string): Promise<AlarmFacts> {
    const cached = this.facts.get(alarmArn);
    if (cached !== undefined && cached.until > this.now()) return cached.value;
    const name = ALARM_ARN.exec(alarmArn)?.[1];
    const [routeTag, described] = await Promise.all([
      this.routeTagOf(alarmArn),
      name === undefined ? Promise.resolve([]) : this.describe([name]),
    ]);
    const value: AlarmFacts = { routeTag, threshold: described.find((a) => a.arn === alarmArn)?.threshold };
    if (this.facts.size >= this.max) {
      const oldest = this.facts.keys().next().value;
      if (oldest !== undefined) this.facts.delete(oldest);
    }
    this.facts.set(alarmArn, { value, until: this.now() + this.ttl });
    return value;
  }

  async taggedFor(routeKey: string): Promise<AlarmInfo[]> {
    const all = await this.page({});
    const tags = await mapBounded(all, 8, async (alarm) => (await this.factsOf(alarm.arn)).routeTag);
    return all.filter((_, i) => tags[i] === routeKey);
  }

  /**
   * Every alarm with its route tag, read fresh (not from the facts cache): a policy check must
   * see the tags as they are now.
   */
  async listAlarms(): Promise<ListedAlarm[]> {
    const all = await this.page({});
    const tags = await mapBounded(all, 8, (alarm) => this.routeTagOf(alarm.arn));
    return all.map((alarm, i) => ({ name: alarm.name, arn: alarm.arn, routeTag: tags[i] }));
  }
}

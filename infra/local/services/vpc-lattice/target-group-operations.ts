import { isIP } from 'node:net';
import { type Call, idempotent, newId, type Operation, paginate, topLevelArn } from './call';
import { conflict, validationError } from './errors';
import { targetGroupOf } from './lookups';
import type { TargetGroupRecord } from './records';
import type { LatticeStore } from './store';
import {
  createTargetGroupBody,
  type HealthCheck,
  listTargetsBody,
  type Target,
  type TargetGroupConfig,
  targetsBody,
  updateTargetGroupBody,
  validate,
} from './validation';
import { serviceArnsOf, targetGroupSummary, targetGroupView } from './views';

/** Target groups per Region (the default quota) is not enforced; targets per group is. */
const TARGETS_PER_GROUP = 1000;

/** The health check VPC Lattice fills in for what the request leaves out. */
function healthCheckDefaults(protocol: string | undefined, given: HealthCheck | undefined): HealthCheck {
  return {
    enabled: true,
    protocol: protocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
    protocolVersion: 'HTTP1',
    path: '/',
    healthCheckIntervalSeconds: 30,
    healthCheckTimeoutSeconds: 5,
    healthyThresholdCount: 5,
    unhealthyThresholdCount: 2,
    matcher: { httpCode: '200' },
    ...given,
  };
}

/** Check a config against the target group type and fill in VPC Lattice's defaults. */
function configFor(
  type: TargetGroupRecord['type'],
  config: TargetGroupConfig | undefined,
): TargetGroupConfig | undefined {
  if (type === 'LAMBDA') {
    const extra = Object.keys(config ?? {}).filter((k) => k !== 'lambdaEventStructureVersion');
    if (extra.length > 0) {
      throw validationError(
        extra.map((k) => ({
          name: `config.${k}`,
          message: 'Member is not supported for LAMBDA target groups',
        })),
      );
    }
    return { lambdaEventStructureVersion: config?.lambdaEventStructureVersion ?? 'V1' };
  }
  const missing = (['protocol', 'vpcIdentifier'] as const).filter((k) => config?.[k] === undefined);
  if (type === 'ALB' && config?.port === undefined) missing.unshift('port' as never);
  if (missing.length > 0) {
    throw validationError(
      missing.map((k) => ({ name: `config.${k}`, message: `Member is required for ${type} target groups` })),
    );
  }
  if (config?.lambdaEventStructureVersion !== undefined) {
    throw validationError([
      {
        name: 'config.lambdaEventStructureVersion',
        message: 'Member is only supported for LAMBDA target groups',
      },
    ]);
  }
  const protocol = config?.protocol ?? 'HTTP';
  return {
    ...config,
    port: config?.port ?? (protocol === 'HTTP' ? 80 : 443),
    protocol,
    ...(protocol === 'TCP' ? {} : { protocolVersion: config?.protocolVersion ?? 'HTTP1' }),
    ...(type === 'IP' ? { ipAddressType: config?.ipAddressType ?? 'IPV4' } : {}),
    healthCheck: healthCheckDefaults(protocol, config?.healthCheck),
  };
}

/** Why a target id is not one the target group type takes, or undefined when it is. */
function badTarget(type: TargetGroupRecord['type'], target: Target): string | undefined {
  switch (type) {
    case 'IP':
      return isIP(target.id) === 0 ? `${target.id} is not an IP address` : undefined;
    case 'INSTANCE':
      return /^i-[0-9a-f]{8}([0-9a-f]{9})?$/.test(target.id)
        ? undefined
        : `${target.id} is not an EC2 instance id`;
    case 'LAMBDA':
      return /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/.test(
        target.id,
      )
        ? undefined
        : `${target.id} is not a Lambda function ARN`;
    case 'ALB':
      return /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\//.test(target.id)
        ? undefined
        : `${target.id} is not an Application Load Balancer ARN`;
  }
}

/** Target groups and their targets. */
export function targetGroupOperations(store: LatticeStore): Record<string, Operation> {
  const groupOf = (call: Call) => targetGroupOf(store, call, call.params.targetGroupIdentifier ?? '');
  const portOf = (tg: TargetGroupRecord, target: Target) => target.port ?? tg.config?.port;
  const sameTarget = (tg: TargetGroupRecord, a: Target, b: Target) =>
    a.id === b.id && portOf(tg, a) === portOf(tg, b);
  const targetOut = (tg: TargetGroupRecord, t: Target) => {
    const port = portOf(tg, t);
    return { id: t.id, ...(port === undefined ? {} : { port }) };
  };

  return {
    CreateTargetGroup: (call) => {
      const body = validate(createTargetGroupBody, call.body);
      return idempotent(store, call, 'TARGET_GROUP', () => {
        const config = configFor(body.type, body.config);
        const existing = store.find('targetgroup', call.region, (tg) => tg.name === body.name)[0];
        if (existing !== undefined) {
          throw conflict('TARGET_GROUP', existing.id, `A target group named ${body.name} already exists`);
        }
        const id = newId('targetgroup');
        const at = call.now.getTime();
        const record: TargetGroupRecord = {
          kind: 'targetgroup',
          arn: topLevelArn(call, 'targetgroup', id),
          id,
          region: call.region,
          name: body.name,
          type: body.type,
          ...(config === undefined ? {} : { config }),
          targets: [],
          createdAt: at,
          lastUpdatedAt: at,
          tags: body.tags ?? {},
        };
        store.put(record);
        return {
          id,
          arn: record.arn,
          name: record.name,
          type: record.type,
          ...(config === undefined ? {} : { config }),
          status: 'ACTIVE',
        };
      });
    },
    GetTargetGroup: (call) => targetGroupView(store, groupOf(call)),
    ListTargetGroups: (call) => {
      const vpc = call.query.get('vpcIdentifier');
      const type = call.query.get('targetGroupType');
      if (type !== null && !['IP', 'LAMBDA', 'INSTANCE', 'ALB'].includes(type)) {
        throw validationError([
          { name: 'targetGroupType', message: 'Member must be one of: IP, LAMBDA, INSTANCE, ALB' },
        ]);
      }
      const groups = store.find(
        'targetgroup',
        call.region,
        (tg) => (vpc === null || tg.config?.vpcIdentifier === vpc) && (type === null || tg.type === type),
      );
      const page = paginate(groups, call, `ListTargetGroups:${vpc ?? ''}:${type ?? ''}`);
      return {
        items: page.items.map((tg) => targetGroupSummary(store, tg)),
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
      };
    },
    UpdateTargetGroup: (call) => {
      const body = validate(updateTargetGroupBody, call.body);
      const tg = groupOf(call);
      if (tg.type === 'LAMBDA' || tg.config === undefined) {
        throw validationError([
          { name: 'healthCheck', message: 'LAMBDA target groups have no health checks' },
        ]);
      }
      tg.config = { ...tg.config, healthCheck: { ...tg.config.healthCheck, ...body.healthCheck } };
      tg.lastUpdatedAt = call.now.getTime();
      return { id: tg.id, arn: tg.arn, name: tg.name, type: tg.type, config: tg.config, status: 'ACTIVE' };
    },
    DeleteTargetGroup: (call) => {
      const tg = groupOf(call);
      const users = serviceArnsOf(store, tg);
      if (users.length > 0) {
        throw conflict(
          'TARGET_GROUP',
          tg.id,
          `Target group ${tg.id} is used by listener rules of ${users.join(', ')}; remove it from them first`,
        );
      }
      store.delete(tg.arn);
      return { id: tg.id, arn: tg.arn, status: 'DELETE_IN_PROGRESS' };
    },
    RegisterTargets: (call) => {
      const body = validate(targetsBody, call.body);
      const tg = groupOf(call);
      const successful: unknown[] = [];
      const unsuccessful: unknown[] = [];
      for (const target of body.targets) {
        const reason = badTarget(tg.type, target);
        if (reason !== undefined) {
          unsuccessful.push({
            ...targetOut(tg, target),
            failureCode: 'InvalidTarget',
            failureMessage: reason,
          });
          continue;
        }
        if (tg.type === 'LAMBDA' && tg.targets.length > 0 && !tg.targets.some((t) => t.id === target.id)) {
          unsuccessful.push({
            ...targetOut(tg, target),
            failureCode: 'TargetLimitExceeded',
            failureMessage: 'A LAMBDA target group takes one function',
          });
          continue;
        }
        if (!tg.targets.some((t) => sameTarget(tg, t, target))) {
          if (tg.targets.length >= TARGETS_PER_GROUP) {
            unsuccessful.push({
              ...targetOut(tg, target),
              failureCode: 'TargetLimitExceeded',
              failureMessage: `A target group takes at most ${TARGETS_PER_GROUP} targets`,
            });
            continue;
          }
          tg.targets.push(target);
        }
        successful.push(targetOut(tg, target));
      }
      return { successful, unsuccessful };
    },
    DeregisterTargets: (call) => {
      const body = validate(targetsBody, call.body);
      const tg = groupOf(call);
      const successful: unknown[] = [];
      const unsuccessful: unknown[] = [];
      for (const target of body.targets) {
        const before = tg.targets.length;
        tg.targets = tg.targets.filter((t) => !sameTarget(tg, t, target));
        if (tg.targets.length === before) {
          unsuccessful.push({
            ...targetOut(tg, target),
            failureCode: 'TargetNotFound',
            failureMessage: `${target.id} is not registered with target group ${tg.id}`,
          });
        } else {
          successful.push(targetOut(tg, target));
        }
      }
      return { successful, unsuccessful };
    },
    ListTargets: (call) => {
      const body = validate(listTargetsBody, call.body);
      const tg = groupOf(call);
      const filter = body.targets ?? [];
      const used = serviceArnsOf(store, tg).length > 0;
      const status = !used ? 'UNUSED' : tg.config?.healthCheck?.enabled === false ? 'UNAVAILABLE' : 'HEALTHY';
      const targets = tg.targets
        .filter((t) => filter.length === 0 || filter.some((f) => sameTarget(tg, f, t)))
        .map((t, i) => ({ createdAt: i, id: `${t.id}:${portOf(tg, t) ?? ''}`, target: t }));
      const page = paginate(targets, call, `ListTargets:${tg.arn}`);
      return {
        items: page.items.map(({ target }) => ({ ...targetOut(tg, target), status })),
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
      };
    },
  };
}

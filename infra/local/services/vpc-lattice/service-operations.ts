import { randomBytes } from 'node:crypto';
import { AwsError } from '../../protocol/aws-json';
import { type Call, idempotent, newId, type Operation, paginate, topLevelArn } from './call';
import { conflict, invalidRequest, notFound, quotaExceeded, validationError } from './errors';
import { serviceOf, targetGroupOf } from './lookups';
import type { ListenerRecord, RuleRecord, ServiceRecord } from './records';
import type { LatticeStore } from './store';
import {
  batchUpdateRuleBody,
  createListenerBody,
  createRuleBody,
  createServiceBody,
  listenerIdentifier,
  type RuleAction,
  type RuleUpdate,
  ruleIdentifier,
  updateListenerBody,
  updateRuleBody,
  updateServiceBody,
  validate,
} from './validation';
import {
  defaultRuleView,
  listenerSummary,
  listenerView,
  ruleSummary,
  ruleView,
  serviceSummary,
  serviceView,
} from './views';

/** Listeners per service (the default quota, Service Quotas code L-D64E952E). */
const LISTENERS_PER_SERVICE = 2;
/** Rules per listener, the default rule not counted (the default quota). */
const RULES_PER_LISTENER = 10;
/** The weight of a forward action's only target group when the request gives none. */
const SINGLE_TARGET_WEIGHT = 100;
const DEFAULT_PORT = { HTTP: 80, HTTPS: 443, TLS_PASSTHROUGH: 443 } as const;

/** A checked rule update: the rule, its new priority if it changes, and how to apply it. */
interface PreparedUpdate {
  readonly rule?: RuleRecord;
  readonly priority?: number;
  apply(): unknown;
}

/** Services, their listeners and the listeners' rules. */
export function serviceOperations(store: LatticeStore): Record<string, Operation> {
  const param = (call: Call, name: string) => call.params[name] ?? '';
  const pageOut = <T>(page: { items: T[]; nextToken?: string }, map: (item: T) => unknown) => ({
    items: page.items.map(map),
    ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
  });

  const listenerOf = (call: Call, svc: ServiceRecord): ListenerRecord => {
    const identifier = param(call, 'listenerIdentifier');
    validate(listenerIdentifier, identifier, 'listenerIdentifier');
    const arn = identifier.startsWith('arn:') ? identifier : `${svc.arn}/listener/${identifier}`;
    const listener = store.getOf('listener', arn);
    if (listener === undefined || listener.serviceArn !== svc.arn) {
      throw notFound('LISTENER', identifier, `Listener ${identifier} not found in service ${svc.id}`);
    }
    return listener;
  };

  /** A rule of the listener, or `'default'` for its default rule. */
  const ruleOf = (listener: ListenerRecord, identifier: string): RuleRecord | 'default' => {
    validate(ruleIdentifier, identifier, 'ruleIdentifier');
    const arn = identifier.startsWith('arn:') ? identifier : `${listener.arn}/rule/${identifier}`;
    if (arn === `${listener.arn}/rule/${listener.defaultRuleId}`) return 'default';
    const rule = store.getOf('rule', arn);
    if (rule === undefined || rule.listenerArn !== listener.arn) {
      throw notFound('RULE', identifier, `Rule ${identifier} not found in listener ${listener.id}`);
    }
    return rule;
  };

  /**
   * An action as stored: every target group resolved to its id and existing, the weights
   * filled in where VPC Lattice fills them, and the target groups fit for the listener's protocol.
   */
  const actionFor = (
    call: Call,
    action: RuleAction,
    listener: Pick<ListenerRecord, 'protocol'>,
    member: string,
  ) => {
    if (action.fixedResponse !== undefined) {
      if (listener.protocol === 'TLS_PASSTHROUGH') {
        throw validationError([
          {
            name: `${member}.fixedResponse`,
            message: 'TLS_PASSTHROUGH listeners only forward to target groups',
          },
        ]);
      }
      return { fixedResponse: { statusCode: action.fixedResponse.statusCode } };
    }
    const groups = action.forward?.targetGroups ?? [];
    const seen = new Set<string>();
    const out = groups.map((group, i) => {
      const name = `${member}.forward.targetGroups[${i}]`;
      const tg = targetGroupOf(store, call, group.targetGroupIdentifier);
      if (seen.has(tg.id)) {
        throw validationError([
          { name, message: `Target group ${tg.id} appears more than once in the action` },
        ]);
      }
      seen.add(tg.id);
      if (groups.length > 1 && group.weight === undefined) {
        throw validationError([
          {
            name: `${name}.weight`,
            message: 'A weight is required when an action forwards to several target groups',
          },
        ]);
      }
      const tcp = tg.config?.protocol === 'TCP';
      if (listener.protocol === 'TLS_PASSTHROUGH' ? !tcp : tcp) {
        throw validationError([
          {
            name: `${name}.targetGroupIdentifier`,
            message: `Target group ${tg.id} (${tg.type}${tg.config?.protocol === undefined ? '' : ` ${tg.config.protocol}`}) cannot serve a ${listener.protocol} listener`,
          },
        ]);
      }
      return { targetGroupIdentifier: tg.id, weight: group.weight ?? SINGLE_TARGET_WEIGHT };
    });
    return { forward: { targetGroups: out } };
  };

  const requirePriorityFree = (listener: ListenerRecord, priority: number, except?: string) => {
    const taken = store.find(
      'rule',
      listener.region,
      (r) => r.listenerArn === listener.arn && r.priority === priority && r.arn !== except,
    )[0];
    if (taken !== undefined) {
      throw conflict(
        'RULE',
        taken.id,
        `Priority ${priority} is already used by rule ${taken.id} of listener ${listener.id}`,
      );
    }
  };

  const rulesOf = (listener: ListenerRecord) =>
    store.find('rule', listener.region, (r) => r.listenerArn === listener.arn);

  /** Apply an update to a rule after validating it against the listener; returns the UpdateRule answer. */
  /**
   * Check an update of a rule against the listener (everything but the uniqueness of its new
   * priority, which depends on the other updates of a batch) and return how to apply it.
   */
  const prepareRuleUpdate = (
    call: Call,
    listener: ListenerRecord,
    target: RuleRecord | 'default',
    update: RuleUpdate,
    member: string,
  ): PreparedUpdate => {
    const action =
      update.action === undefined ? undefined : actionFor(call, update.action, listener, `${member}.action`);
    if (target === 'default') {
      if (update.match !== undefined || update.priority !== undefined) {
        throw validationError([
          { name: member, message: "The default rule's match and priority cannot be changed" },
        ]);
      }
      return {
        apply: () => {
          if (action !== undefined) {
            listener.defaultAction = action;
            listener.lastUpdatedAt = call.now.getTime();
          }
          const { createdAt: _c, lastUpdatedAt: _u, ...view } = defaultRuleView(listener);
          return view;
        },
      };
    }
    return {
      rule: target,
      ...(update.priority === undefined ? {} : { priority: update.priority }),
      apply: () => {
        if (update.match !== undefined) target.match = update.match;
        if (update.priority !== undefined) target.priority = update.priority;
        if (action !== undefined) target.action = action;
        target.lastUpdatedAt = call.now.getTime();
        const { createdAt: _c, lastUpdatedAt: _u, ...view } = ruleView(target);
        return view;
      },
    };
  };

  const deleteListener = (listener: ListenerRecord) => {
    for (const rule of rulesOf(listener)) store.delete(rule.arn);
    store.delete(listener.arn);
  };

  return {
    CreateService: (call) => {
      const body = validate(createServiceBody, call.body);
      return idempotent(store, call, 'SERVICE', () => {
        const existing = store.find('service', call.region, (s) => s.name === body.name)[0];
        if (existing !== undefined) {
          throw conflict('SERVICE', existing.id, `A service named ${body.name} already exists`);
        }
        const id = newId('service');
        const at = call.now.getTime();
        const record: ServiceRecord = {
          kind: 'service',
          arn: topLevelArn(call, 'service', id),
          id,
          region: call.region,
          name: body.name,
          authType: body.authType ?? 'NONE',
          ...(body.customDomainName === undefined ? {} : { customDomainName: body.customDomainName }),
          ...(body.certificateArn === undefined || body.certificateArn === ''
            ? {}
            : { certificateArn: body.certificateArn }),
          dnsEntry: {
            domainName: `${body.name}-${id.slice(4)}.${randomBytes(4).toString('hex').slice(0, 7)}.vpc-lattice-svcs.${call.region}.on.aws`,
            hostedZoneId: `Z${randomBytes(10).toString('hex').toUpperCase().slice(0, 13)}`,
          },
          createdAt: at,
          lastUpdatedAt: at,
          tags: body.tags ?? {},
        };
        store.put(record);
        const { createdAt: _c, lastUpdatedAt: _u, ...view } = serviceView(record);
        return view;
      });
    },
    GetService: (call) => serviceView(serviceOf(store, call, param(call, 'serviceIdentifier'))),
    ListServices: (call) =>
      pageOut(paginate(store.find('service', call.region), call, 'ListServices'), serviceSummary),
    UpdateService: (call) => {
      const body = validate(updateServiceBody, call.body);
      const svc = serviceOf(store, call, param(call, 'serviceIdentifier'));
      if (body.authType !== undefined) svc.authType = body.authType;
      if (body.certificateArn !== undefined) {
        if (body.certificateArn === '') delete svc.certificateArn;
        else svc.certificateArn = body.certificateArn;
      }
      svc.lastUpdatedAt = call.now.getTime();
      return {
        id: svc.id,
        arn: svc.arn,
        name: svc.name,
        ...(svc.customDomainName === undefined ? {} : { customDomainName: svc.customDomainName }),
        ...(svc.certificateArn === undefined ? {} : { certificateArn: svc.certificateArn }),
        authType: svc.authType,
      };
    },
    DeleteService: (call) => {
      const svc = serviceOf(store, call, param(call, 'serviceIdentifier'));
      const associations = store.find(
        'servicenetworkserviceassociation',
        call.region,
        (a) => a.serviceArn === svc.arn,
      );
      if (associations.length > 0) {
        throw conflict(
          'SERVICE',
          svc.id,
          `Service ${svc.id} is associated with ${associations.length} service network(s); delete the associations first`,
        );
      }
      // Deleting a service deletes its listeners, their rules and its policies.
      for (const listener of store.find('listener', call.region, (l) => l.serviceArn === svc.arn))
        deleteListener(listener);
      store.delete(svc.arn);
      return { id: svc.id, arn: svc.arn, name: svc.name, status: 'DELETE_IN_PROGRESS' };
    },

    CreateListener: (call) => {
      const body = validate(createListenerBody, call.body);
      const svc = serviceOf(store, call, param(call, 'serviceIdentifier'));
      return idempotent(store, call, 'LISTENER', () => {
        const port = body.port ?? DEFAULT_PORT[body.protocol];
        const listeners = store.find('listener', call.region, (l) => l.serviceArn === svc.arn);
        const clash = listeners.find((l) => l.name === body.name || l.port === port);
        if (clash !== undefined) {
          throw conflict(
            'LISTENER',
            clash.id,
            clash.name === body.name
              ? `Service ${svc.id} already has a listener named ${body.name}`
              : `Service ${svc.id} already has a listener on port ${port}`,
          );
        }
        if (listeners.length >= LISTENERS_PER_SERVICE) {
          throw quotaExceeded(
            'LISTENER',
            `Service ${svc.id} has reached the quota of ${LISTENERS_PER_SERVICE} listeners`,
            {
              resourceId: svc.id,
              quotaCode: 'L-D64E952E',
            },
          );
        }
        const defaultAction = actionFor(call, body.defaultAction, body, 'defaultAction');
        const id = newId('listener');
        const at = call.now.getTime();
        const record: ListenerRecord = {
          kind: 'listener',
          arn: `${svc.arn}/listener/${id}`,
          id,
          region: call.region,
          name: body.name,
          serviceArn: svc.arn,
          serviceId: svc.id,
          protocol: body.protocol,
          port,
          defaultAction,
          defaultRuleId: newId('rule'),
          createdAt: at,
          lastUpdatedAt: at,
          tags: body.tags ?? {},
        };
        store.put(record);
        const { createdAt: _c, lastUpdatedAt: _u, ...view } = listenerView(record);
        return view;
      });
    },
    GetListener: (call) => {
      const svc = serviceOf(store, call, param(call, 'serviceIdentifier'));
      return listenerView(listenerOf(call, svc));
    },
    ListListeners: (call) => {
      const svc = serviceOf(store, call, param(call, 'serviceIdentifier'));
      const listeners = store.find('listener', call.region, (l) => l.serviceArn === svc.arn);
      return pageOut(paginate(listeners, call, `ListListeners:${svc.arn}`), listenerSummary);
    },
    UpdateListener: (call) => {
      const body = validate(updateListenerBody, call.body);
      const svc = serviceOf(store, call, param(call, 'serviceIdentifier'));
      const listener = listenerOf(call, svc);
      listener.defaultAction = actionFor(call, body.defaultAction, listener, 'defaultAction');
      listener.lastUpdatedAt = call.now.getTime();
      const { createdAt: _c, lastUpdatedAt: _u, ...view } = listenerView(listener);
      return view;
    },
    DeleteListener: (call) => {
      const svc = serviceOf(store, call, param(call, 'serviceIdentifier'));
      deleteListener(listenerOf(call, svc));
      return undefined;
    },

    CreateRule: (call) => {
      const body = validate(createRuleBody, call.body);
      const svc = serviceOf(store, call, param(call, 'serviceIdentifier'));
      const listener = listenerOf(call, svc);
      return idempotent(store, call, 'RULE', () => {
        if (listener.protocol === 'TLS_PASSTHROUGH') {
          throw invalidRequest(`Listener ${listener.id} is a TLS_PASSTHROUGH listener: it takes no rules`);
        }
        const rules = rulesOf(listener);
        const named = rules.find((r) => r.name === body.name);
        if (named !== undefined) {
          throw conflict('RULE', named.id, `Listener ${listener.id} already has a rule named ${body.name}`);
        }
        requirePriorityFree(listener, body.priority);
        if (rules.length >= RULES_PER_LISTENER) {
          throw quotaExceeded(
            'RULE',
            `Listener ${listener.id} has reached the quota of ${RULES_PER_LISTENER} rules`,
            {
              resourceId: listener.id,
            },
          );
        }
        const action = actionFor(call, body.action, listener, 'action');
        const id = newId('rule');
        const at = call.now.getTime();
        const record: RuleRecord = {
          kind: 'rule',
          arn: `${listener.arn}/rule/${id}`,
          id,
          region: call.region,
          name: body.name,
          listenerArn: listener.arn,
          priority: body.priority,
          match: body.match,
          action,
          createdAt: at,
          lastUpdatedAt: at,
          tags: body.tags ?? {},
        };
        store.put(record);
        return {
          arn: record.arn,
          id,
          name: record.name,
          match: record.match,
          priority: record.priority,
          action,
        };
      });
    },
    GetRule: (call) => {
      const svc = serviceOf(store, call, param(call, 'serviceIdentifier'));
      const listener = listenerOf(call, svc);
      const rule = ruleOf(listener, param(call, 'ruleIdentifier'));
      return rule === 'default' ? defaultRuleView(listener) : ruleView(rule);
    },
    ListRules: (call) => {
      const svc = serviceOf(store, call, param(call, 'serviceIdentifier'));
      const listener = listenerOf(call, svc);
      // The default rule is listed after the others, as it is evaluated last.
      const entries: { createdAt: number; id: string; view: unknown }[] = [
        ...rulesOf(listener)
          .sort((a, b) => a.priority - b.priority)
          .map((r, i) => ({ createdAt: i, id: r.id, view: ruleSummary(r) })),
      ];
      const { action: _a, ...defaultSummary } = defaultRuleView(listener);
      entries.push({ createdAt: entries.length, id: listener.defaultRuleId, view: defaultSummary });
      return pageOut(paginate(entries, call, `ListRules:${listener.arn}`), (e) => e.view);
    },
    UpdateRule: (call) => {
      const body = validate(updateRuleBody, call.body);
      const svc = serviceOf(store, call, param(call, 'serviceIdentifier'));
      const listener = listenerOf(call, svc);
      const prepared = prepareRuleUpdate(
        call,
        listener,
        ruleOf(listener, param(call, 'ruleIdentifier')),
        body,
        'request',
      );
      if (prepared.priority !== undefined)
        requirePriorityFree(listener, prepared.priority, prepared.rule?.arn);
      return prepared.apply();
    },
    BatchUpdateRule: (call) => {
      const body = validate(batchUpdateRuleBody, call.body);
      const svc = serviceOf(store, call, param(call, 'serviceIdentifier'));
      const listener = listenerOf(call, svc);
      const failures = new Map<number, unknown>();
      const fail = (i: number, identifier: string, error: AwsError) =>
        failures.set(i, {
          ruleIdentifier: identifier,
          failureCode: error.code,
          failureMessage: error.message,
        });
      const prepared = new Map<number, PreparedUpdate>();
      for (const [i, { ruleIdentifier: identifier, ...update }] of body.rules.entries()) {
        try {
          prepared.set(
            i,
            prepareRuleUpdate(call, listener, ruleOf(listener, identifier), update, `rules[${i}]`),
          );
        } catch (error) {
          if (!(error instanceof AwsError)) throw error;
          fail(i, identifier, error);
        }
      }
      // Priorities are checked against the listener as the whole batch leaves it, so that a
      // batch can swap two rules' priorities; an update whose priority another rule still
      // holds fails, and is left out until no two rules share one.
      for (;;) {
        const finalPriority = new Map(rulesOf(listener).map((r) => [r.arn, r.priority]));
        for (const p of prepared.values()) {
          if (p.rule !== undefined && p.priority !== undefined) finalPriority.set(p.rule.arn, p.priority);
        }
        // The later of two updates that want one priority is the one that fails.
        const clash = [...prepared]
          .reverse()
          .find(
            ([, p]) =>
              p.rule !== undefined &&
              p.priority !== undefined &&
              [...finalPriority].some(([arn, priority]) => arn !== p.rule?.arn && priority === p.priority),
          );
        if (clash === undefined) break;
        const [i, p] = clash;
        prepared.delete(i);
        fail(
          i,
          body.rules[i]?.ruleIdentifier ?? '',
          conflict(
            'RULE',
            p.rule?.id ?? '',
            `Priority ${p.priority} is already used by another rule of listener ${listener.id}`,
          ),
        );
      }
      const successful = [...prepared.keys()].sort((a, b) => a - b).map((i) => prepared.get(i)?.apply());
      const unsuccessful = [...failures.keys()].sort((a, b) => a - b).map((i) => failures.get(i));
      return { successful, unsuccessful };
    },
    DeleteRule: (call) => {
      const svc = serviceOf(store, call, param(call, 'serviceIdentifier'));
      const listener = listenerOf(call, svc);
      const rule = ruleOf(listener, param(call, 'ruleIdentifier'));
      if (rule === 'default') {
        throw invalidRequest(
          `The default rule of listener ${listener.id} cannot be deleted; delete the listener instead`,
        );
      }
      store.delete(rule.arn);
      return undefined;
    },
  };
}

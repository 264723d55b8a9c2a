/**
 * The plan as a terminal reads it: what Lattice gets (services, listeners, rules, target groups,
 * auth), the parity report, and the routing simulation's count with every difference shown by an
 * example request.
 */
import type {
  MigrationPlan,
  PlannedAction,
  PlannedRuleMatch,
  RoutingDifference,
  SourceRef,
} from './plan-model';

export function table(rows: readonly (readonly string[])[]): string[] {
  const widths =
    rows[0]?.map((_, i) => Math.min(90, Math.max(...rows.map((r) => (r[i] ?? '').length)))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function describeMatch(match: PlannedRuleMatch): string {
  const parts: string[] = [];
  if (match.method !== undefined) parts.push(match.method);
  if (match.path !== undefined)
    parts.push(
      'exact' in match.path.match ? `path = ${match.path.match.exact}` : `path ^ ${match.path.match.prefix}`,
    );
  for (const h of match.headerMatches ?? []) {
    const [kind, value] = Object.entries(h.match)[0] ?? ['', ''];
    parts.push(`${h.name} ${kind === 'exact' ? '=' : kind === 'prefix' ? '^' : '~'} ${value}`);
  }
  return parts.join(', ') || '(any)';
}

export function describeAction(action: PlannedAction): string {
  if ('fixedResponse' in action) return `fixed ${action.fixedResponse.statusCode}`;
  return action.forward.targetGroups.map((t) => `${t.targetGroupName}:${t.weight}`).join(' ');
}

function describeSources(sources: readonly SourceRef[], max = 3): string {
  const names = sources.map((s) => (s.parentName ? `${s.parentName}/${s.name}` : s.name));
  const unique = [...new Set(names)];
  return unique.length <= max
    ? unique.join(', ')
    : `${unique.slice(0, max).join(', ')} +${unique.length - max} more`;
}

function describeShares(shares: Readonly<Record<string, number>> | null): string {
  if (shares === null) return 'no route (404)';
  const entries = Object.entries(shares);
  if (entries.length === 0) return 'no target (all weights 0)';
  return entries.map(([k, v]) => `${k} ${Math.round(v * 1000) / 10}%`).join(', ');
}

export function describeDifference(d: RoutingDifference): string {
  const headers = Object.entries(d.request.headers)
    .map(([k, v]) => ` -H '${k}: ${v}'`)
    .join('');
  return `${d.service}: ${d.request.method} ${d.request.path} (port ${d.request.port})${headers}: App Mesh -> ${describeShares(d.appMesh)}; Lattice -> ${describeShares(d.lattice)}${d.explanation ? ` (${d.explanation})` : ''}`;
}

/** Most differences a table shows one by one; JSON always has them all. */
const SHOWN_DIFFERENCES = 20;

export function formatPlanTable(plan: MigrationPlan): string[] {
  const out: string[] = [];
  out.push(`Plan: App Mesh mesh ${plan.meshName} -> VPC Lattice service network ${plan.serviceNetwork.name}`);
  out.push('');
  const ruleRows: string[][] = [['SERVICE', 'LISTENER', 'PRIORITY', 'RULE', 'MATCH', 'ACTION']];
  for (const s of plan.services) {
    for (const l of s.listeners) {
      const listener = `${l.protocol}:${l.port}`;
      for (const r of [...l.rules].sort((a, b) => a.priority - b.priority))
        ruleRows.push([
          s.name,
          listener,
          String(r.priority),
          r.name,
          describeMatch(r.match),
          describeAction(r.action),
        ]);
      ruleRows.push([s.name, listener, 'default', '-', '(none matched)', describeAction(l.defaultAction)]);
    }
  }
  out.push(...table(ruleRows));
  out.push('');
  const serviceRows: string[][] = [['SERVICE', 'CUSTOM DOMAIN', 'CERTIFICATE', 'AUTH', 'CALLERS (IAM ROLE)']];
  for (const s of plan.services)
    serviceRows.push([
      s.name,
      s.customDomainName ?? '-',
      s.certificateArn ?? '-',
      s.auth.authType,
      s.auth.callers.map((c) => `${c.virtualNode} (${c.principalArn ?? 'no role mapped'})`).join(', ') ||
        'none: denies every caller',
    ]);
  out.push(...table(serviceRows));
  out.push('');
  const tgRows: string[][] = [['TARGET GROUP', 'VIRTUAL NODE', 'TYPE', 'PORT', 'PROTOCOL', 'HEALTH CHECK']];
  for (const tg of plan.targetGroups) {
    const hc = tg.healthCheck;
    tgRows.push([
      tg.name,
      tg.virtualNode,
      tg.type,
      String(tg.port),
      `${tg.protocol}${tg.protocolVersion ? `/${tg.protocolVersion}` : ''}`,
      hc === undefined
        ? '-'
        : hc.enabled
          ? `${hc.protocol ?? 'HTTP'} ${hc.path ?? '/'} every ${hc.healthCheckIntervalSeconds}s, timeout ${hc.healthCheckTimeoutSeconds}s, ${hc.healthyThresholdCount}/${hc.unhealthyThresholdCount}`
          : 'off',
    ]);
  }
  out.push(...table(tgRows));
  out.push('');
  out.push('Parity (App Mesh features in use):');
  const parityRows: string[][] = [['STATUS', 'FEATURE', 'USED BY', 'WHAT DIFFERS / WHAT TO DO INSTEAD']];
  for (const p of plan.parity)
    parityRows.push([
      p.status,
      p.feature,
      describeSources(p.source),
      p.status === 'exact' ? p.detail : `${p.detail}. Instead: ${p.instead ?? '-'}`,
    ]);
  out.push(...table(parityRows));
  const lost = plan.parity.filter((p) => p.status === 'lost').length;
  const different = plan.parity.filter((p) => p.status === 'different').length;
  out.push(
    `${plan.parity.length} feature(s): ${plan.parity.length - lost - different} exact, ${different} different, ${lost} lost`,
  );
  const rp = plan.routingParity;
  if (rp !== undefined) {
    out.push('');
    out.push(
      `Routing parity: ${rp.requestsTried} simulated requests, ${rp.differences.length} difference(s) on what the plan carries over, ${rp.lostDifferences.length} from features marked lost`,
    );
    for (const d of [...rp.differences, ...rp.lostDifferences].slice(0, SHOWN_DIFFERENCES))
      out.push(`  ${d.fromLostFeature ? '(lost) ' : ''}${describeDifference(d)}`);
    const hidden = rp.differences.length + rp.lostDifferences.length - SHOWN_DIFFERENCES;
    if (hidden > 0) out.push(`  ... ${hidden} more (--format json lists them all)`);
  }
  return out;
}

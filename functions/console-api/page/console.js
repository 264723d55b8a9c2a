/**
 * meshwarden's console page: sign-in with the configured OIDC issuer (authorization code with
 * PKCE S256, the token kept in sessionStorage), then the mesh graph, deployments with their
 * weights over time, approvals, decisions and certificates, refreshed every few seconds.
 *
 * No framework and no build: the DOM is built with textContent only (nothing from the API is
 * ever parsed as HTML). The pure helpers are exported for unit tests; the page starts only in
 * a browser.
 */

const POLL_MS = 3000;
const CERTIFICATE_POLL_MS = 30000;
const GRAPH_POLL_MS = 30000;
const SVG = 'http://www.w3.org/2000/svg';
const KEYS = { token: 'meshwarden.token', pending: 'meshwarden.signin' };

// ---------------------------------------------------------------------------------------------
// PKCE and tokens (pure)

/** @param {Uint8Array} bytes */
export function base64url(bytes) {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A code verifier: 32 random bytes, 43 base64url characters (RFC 7636 allows 43 to 128). */
export function newVerifier() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier: base64url(SHA-256(verifier)). */
export async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/**
 * The authorization request URL of the code flow with PKCE.
 * @param {{ authorizationEndpoint: string, clientId: string, redirectUri: string, scope: string, state: string, nonce: string, challenge: string }} p
 */
export function authorizeUrl(p) {
  const url = new URL(p.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    scope: p.scope,
    state: p.state,
    nonce: p.nonce,
    code_challenge: p.challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

/** The claims of a JWT, unverified (the API verifies it); undefined when it is not one. */
export function claimsOf(token) {
  const part = typeof token === 'string' ? token.split('.')[1] : undefined;
  if (part === undefined) return undefined;
  try {
    const text = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(text, (c) => c.charCodeAt(0))));
  } catch {
    return undefined;
  }
}

/** True when the token's `exp` has passed (with a little margin), or it has none. */
export function isExpired(token, nowMs = Date.now()) {
  const exp = claimsOf(token)?.exp;
  return typeof exp !== 'number' || exp * 1000 <= nowMs + 5000;
}

// ---------------------------------------------------------------------------------------------
// Formatting (pure)

/** `web-v1 90 / web-v2 10` */
export function formatWeights(weights) {
  if (weights === null || weights === undefined) return '(unknown)';
  return Object.entries(weights)
    .map(([node, w]) => `${node} ${w}`)
    .join(' / ');
}

function timeText(iso) {
  if (typeof iso !== 'string') return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}

function daysUntil(iso, nowMs = Date.now()) {
  return Math.floor((Date.parse(iso) - nowMs) / 86400000);
}

// ---------------------------------------------------------------------------------------------
// DOM helpers

/** An element with attributes and children; strings become text nodes. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'onclick') el.addEventListener('click', v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c);
  return el;
}

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs))
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c);
  return el;
}

function tag(text, kind) {
  return h('span', { class: `tag ${kind}` }, text);
}

const STATUS_KIND = {
  'in-progress': 'warn',
  'awaiting-approval': 'warn',
  'rolling-back': 'bad',
  'rolled-back': 'bad',
  promoted: 'good',
  ended: 'plain',
  pending: 'warn',
  approved: 'good',
  rejected: 'bad',
  expired: 'plain',
  applied: 'good',
  failed: 'bad',
};

// ---------------------------------------------------------------------------------------------
// Mesh graph

const BOX_W = 150;
const BOX_H = 30;
const COL_W = 210;
const ROW_H = 48;

/** The graph as columns: gateways, services, routers, nodes; one box per resource. */
export function graphLayout(graph) {
  const columns = [
    graph.gateways.map((g) => ({ id: `gw:${g.name}`, label: g.name, kind: 'virtual gateway' })),
    graph.services.map((v) => ({ id: `vs:${v.name}`, label: v.name, kind: 'virtual service' })),
    graph.routers.map((r) => ({ id: `vr:${r.name}`, label: r.name, kind: 'virtual router' })),
    graph.nodes.map((n) => ({ id: `vn:${n.name}`, label: n.name, kind: 'virtual node' })),
  ];
  const boxes = new Map();
  columns.forEach((column, c) => {
    column.forEach((box, r) => {
      boxes.set(box.id, { ...box, x: 10 + c * COL_W, y: 34 + r * ROW_H });
    });
  });
  const edges = [];
  for (const g of graph.gateways)
    for (const r of g.routes)
      if (r.service !== null) edges.push({ from: `gw:${g.name}`, to: `vs:${r.service}`, label: '' });
  for (const v of graph.services)
    if (v.provider !== null)
      edges.push({
        from: `vs:${v.name}`,
        to: `${v.provider.kind === 'virtual-router' ? 'vr' : 'vn'}:${v.provider.name}`,
        label: '',
      });
  for (const router of graph.routers)
    for (const route of router.routes)
      for (const t of route.targets)
        edges.push({
          from: `vr:${router.name}`,
          to: `vn:${t.node}`,
          label: String(t.weight),
          weighted: true,
          route: route.name,
        });
  const rows = Math.max(1, ...columns.map((c) => c.length));
  return {
    boxes,
    edges: edges.filter((e) => boxes.has(e.from) && boxes.has(e.to)),
    height: 44 + rows * ROW_H,
  };
}

/**
 * A VPC Lattice service network as columns: services, their listeners' rules (the default action
 * as `default`), the target groups the rules forward to by weight.
 */
export function networkLayout(graph) {
  const rules = graph.services.flatMap((service) =>
    service.listeners.flatMap((listener) =>
      listener.rules.map((rule) => ({ service: service.name, listener: listener.name, rule })),
    ),
  );
  const columns = [
    graph.services.map((v) => ({ id: `svc:${v.name}`, label: v.name, kind: 'service' })),
    rules.map((r) => ({
      id: `rule:${r.rule.routeKey}`,
      label: `${r.listener}/${r.rule.name}`,
      kind: 'rule',
    })),
    graph.targetGroups.map((t) => ({ id: `tg:${t}`, label: t, kind: 'target group' })),
  ];
  const boxes = new Map();
  columns.forEach((column, c) => {
    column.forEach((box, r) => {
      boxes.set(box.id, { ...box, x: 10 + c * COL_W, y: 34 + r * ROW_H });
    });
  });
  const edges = [];
  for (const r of rules) {
    edges.push({ from: `svc:${r.service}`, to: `rule:${r.rule.routeKey}`, label: '' });
    for (const t of r.rule.targets)
      edges.push({
        from: `rule:${r.rule.routeKey}`,
        to: `tg:${t.targetGroup}`,
        label: String(t.weight),
        weighted: true,
        route: r.rule.name,
      });
  }
  const rows = Math.max(1, ...columns.map((c) => c.length));
  return {
    boxes,
    edges: edges.filter((e) => boxes.has(e.from) && boxes.has(e.to)),
    height: 44 + rows * ROW_H,
    columns: columns.length,
  };
}

/** One sentence per forwarding rule: `web/http/web-canary sends tg-… 90 / tg-… 10`. */
export function ruleSentences(graph) {
  return graph.services.flatMap((service) =>
    service.listeners.flatMap((listener) =>
      listener.rules
        .filter((rule) => rule.targets.length > 0)
        .map(
          (rule) =>
            `${service.name}/${listener.name}/${rule.name} sends ${rule.targets.map((t) => `${t.targetGroup} ${t.weight}`).join(' / ')}`,
        ),
    ),
  );
}

/** What one graph card draws: a mesh, or a VPC Lattice service network. */
function drawingOf(graph) {
  if (graph.provider === 'vpc-lattice') {
    const rules = graph.services.reduce((n, v) => n + v.listeners.reduce((m, l) => m + l.rules.length, 0), 0);
    const sentences = ruleSentences(graph);
    return {
      name: graph.network,
      title: `Service network ${graph.network}`,
      layout: networkLayout(graph),
      heads: ['Services', 'Rules', 'Target groups'],
      summary: `${graph.services.length} services, ${rules} rules, ${graph.targetGroups.length} target groups.`,
      sentences,
      listed: 'Rules and their weights:',
    };
  }
  return {
    name: graph.mesh,
    title: `Mesh ${graph.mesh}`,
    layout: graphLayout(graph),
    heads: ['Gateways', 'Services', 'Routers', 'Nodes'],
    summary: `${graph.gateways.length} gateways, ${graph.services.length} services, ${graph.routers.length} routers, ${graph.nodes.length} nodes.`,
    sentences: routeSentences(graph),
    listed: 'Routes and their weights:',
  };
}

/** One sentence per route: `web-router/web-route sends web-v1 90 / web-v2 10`. */
export function routeSentences(graph) {
  return graph.routers.flatMap((router) =>
    router.routes.map(
      (route) =>
        `${router.name}/${route.name} sends ${route.targets.map((t) => `${t.node} ${t.weight}`).join(' / ')}`,
    ),
  );
}

function graphSvg(drawing) {
  const { boxes, edges, height } = drawing.layout;
  const width = 10 + (drawing.heads.length - 1) * COL_W + BOX_W + 10;
  const titleId = `graph-title-${drawing.name}`;
  const descId = `graph-desc-${drawing.name}`;
  const heads = drawing.heads.map((t, i) => s('text', { x: 10 + i * COL_W, y: 18, class: 'muted' }, t));
  const lines = edges.map((e) => {
    const a = boxes.get(e.from);
    const b = boxes.get(e.to);
    const x1 = a.x + BOX_W;
    const y1 = a.y + BOX_H / 2;
    const x2 = b.x;
    const y2 = b.y + BOX_H / 2;
    // An edge that skips a column runs through the gap below its row, not across the boxes there.
    const skips = b.x - a.x > COL_W;
    const gap = a.y + BOX_H + (ROW_H - BOX_H) / 2;
    const d = skips
      ? `M${x1},${y1} C${x1 + 30},${y1} ${x1 + 20},${gap} ${x1 + 50},${gap} L${x2 - 50},${gap} C${x2 - 20},${gap} ${x2 - 30},${y2} ${x2},${y2}`
      : `M${x1},${y1} C${x1 + 40},${y1} ${x2 - 40},${y2} ${x2},${y2}`;
    const path = s('path', {
      d,
      class: e.weighted ? 'edge weighted' : 'edge',
      'marker-end': 'url(#arrow)',
    });
    if (e.label === '') return path;
    const lx = x2 - 26;
    const ly = y2 - 6;
    return s('g', {}, path, s('text', { x: lx, y: ly, class: 'weight' }, e.label));
  });
  const nodes = [...boxes.values()].map((b) =>
    s(
      'g',
      {},
      s('rect', {
        x: b.x,
        y: b.y,
        width: BOX_W,
        height: BOX_H,
        rx: 6,
        class: b.kind === 'virtual router' || b.kind === 'rule' ? 'box router' : 'box',
      }),
      s('text', { x: b.x + 8, y: b.y + 19 }, b.label),
    ),
  );
  const defs = s(
    'defs',
    {},
    s(
      'marker',
      {
        id: 'arrow',
        viewBox: '0 0 10 10',
        refX: 9,
        refY: 5,
        markerWidth: 7,
        markerHeight: 7,
        orient: 'auto',
      },
      s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'muted' }),
    ),
  );
  return s(
    'svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-labelledby': `${titleId} ${descId}`,
      'data-graph': drawing.name,
    },
    s('title', { id: titleId }, drawing.title),
    s('desc', { id: descId }, `${drawing.summary} ${drawing.sentences.join('. ')}`),
    defs,
    heads,
    lines,
    nodes,
  );
}

function renderMesh(graphs) {
  if (graphs.length === 0) return [h('p', {}, 'No mesh you may read.')];
  return graphs.map((graph) => {
    // A graph that could not be read (a governed service network not created yet) says why.
    if (graph.unreadable !== undefined)
      return h('div', { class: 'card' }, h('h3', {}, graph.unreadable), h('p', { class: 'meta' }, graph.why));
    const drawing = drawingOf(graph);
    return h(
      'div',
      { class: 'card' },
      h('h3', {}, drawing.title),
      graphSvg(drawing),
      h('p', { class: 'meta' }, drawing.listed),
      h(
        'ul',
        { class: 'routes-list', 'data-routes': drawing.name },
        drawing.sentences.map((t) => h('li', {}, t)),
      ),
      graph.provider !== 'vpc-lattice' && graph.nodes.some((n) => n.backends.length > 0)
        ? h(
            'p',
            { class: 'meta' },
            `Calls: ${graph.nodes
              .filter((n) => n.backends.length > 0)
              .map((n) => `${n.name} → ${n.backends.join(', ')}`)
              .join('; ')}`,
          )
        : null,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Deployment chart

/** Points per target over time: `[{ node, points: [{ t, w }] }]`, weights as shares of 100. */
export function chartSeries(history) {
  const nodes = [...new Set(history.flatMap((p) => Object.keys(p.weights)))];
  return nodes.map((node) => ({
    node,
    points: history.map((p) => {
      const total = Object.values(p.weights).reduce((a, b) => a + b, 0);
      return { t: Date.parse(p.at), w: total === 0 ? 0 : Math.round(((p.weights[node] ?? 0) * 100) / total) };
    }),
  }));
}

function chartSvg(d) {
  const history = d.weightHistory ?? [];
  const W = 560;
  const H = 194;
  const left = 40;
  const right = 130;
  const top = 14;
  // Room below the plot for the rollback's label, then the time axis.
  const bottom = 44;
  const series = chartSeries(history);
  const times = history.map((p) => Date.parse(p.at));
  const rollbackAt = d.rollback ? Date.parse(d.rollback.decidedAt) : undefined;
  if (rollbackAt !== undefined) times.push(rollbackAt);
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1000);
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (W - left - right);
  const y = (w) => top + (1 - w / 100) * (H - top - bottom);
  const id = `chart-${d.id}`;
  const summary = history.map((p) => `${timeText(p.at)}: ${formatWeights(p.weights)}`).join('; ');
  const grid = [0, 50, 100].map((w) =>
    s(
      'g',
      {},
      s('line', { x1: left, x2: W - right, y1: y(w), y2: y(w), class: 'axis' }),
      s('text', { x: 4, y: y(w) + 4, class: 'muted' }, `${w}%`),
    ),
  );
  const lines = series.map((serie, i) => {
    // A step line: a weight holds until the next change.
    const pts = [];
    serie.points.forEach((p, j) => {
      if (j > 0) pts.push(`${x(p.t)},${y(serie.points[j - 1].w)}`);
      pts.push(`${x(p.t)},${y(p.w)}`);
    });
    const last = serie.points.at(-1);
    return s(
      'g',
      {},
      s('polyline', { points: pts.join(' '), class: `series-${i % 3}` }),
      last === undefined
        ? null
        : s('text', { x: W - right + 6, y: y(last.w) + 4 + i * 13 }, `${serie.node} ${last.w}%`),
    );
  });
  const marker =
    rollbackAt === undefined
      ? null
      : s(
          'g',
          {},
          s('line', { x1: x(rollbackAt), x2: x(rollbackAt), y1: top, y2: H - bottom, class: 'rollback' }),
          s(
            'text',
            { x: x(rollbackAt) - 4, y: H - bottom + 15, class: 'rollback-label', 'text-anchor': 'end' },
            // Who, without the issuer and channel the API adds (the description has them).
            d.rollback.by ? `⟲ rollback by ${String(d.rollback.by).split(' (')[0]}` : '⟲ rollback',
          ),
        );
  return s(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-labelledby': `${id}-t ${id}-d` },
    s('title', { id: `${id}-t` }, `Weights of ${d.routeKey} over time`),
    s(
      'desc',
      { id: `${id}-d` },
      `${summary}${d.rollback ? `. Rolled back at ${timeText(d.rollback.decidedAt)}: ${rollbackSentence(d.rollback)}` : ''}`,
    ),
    grid,
    s('text', { x: left, y: H - 6, class: 'muted' }, timeText(new Date(t0).toISOString())),
    s(
      'text',
      { x: W - right, y: H - 6, class: 'muted', 'text-anchor': 'end' },
      timeText(new Date(t1).toISOString()),
    ),
    lines,
    marker,
  );
}

/** What each deployment action is called on the page. */
export const DEPLOYMENT_ACTIONS = {
  promote: { label: 'Promote', verb: 'promote', doing: 'Promoting', done: 'Promoted', takesNote: false },
  abort: { label: 'Abort', verb: 'abort', doing: 'Aborting', done: 'Aborted', takesNote: true },
  rollback: {
    label: 'Roll back',
    verb: 'roll back',
    doing: 'Rolling back',
    done: 'Rolled back',
    takesNote: true,
  },
};

/**
 * The weights an action leaves the route at, as the guard writes them: promote puts all weight
 * on the canary, abort and rollback on the stable target, every other target at 0.
 */
export function resultingWeights(d, action) {
  const to = action === 'promote' ? d.canaryTargets[0] : d.stableTarget;
  const nodes = Object.keys(d.weights.current ?? d.weights.baseline ?? {});
  if (!nodes.includes(to)) nodes.push(to);
  return Object.fromEntries(nodes.map((n) => [n, n === to ? 100 : 0]));
}

/** What rolled a deployment back, in words: `alarm web-5xx-rate: 5xx above threshold`. */
export function rollbackSentence(rollback) {
  switch (rollback.kind) {
    case 'alarm':
    case 'alarm-at-open':
    case 'step-check':
      return `alarm ${rollback.alarmName}: ${rollback.stateReason}`;
    case 'target-deleted':
      return `target ${rollback.virtualNode} was deleted`;
    case 'abort':
      return `aborted by ${rollback.by}${rollback.note ? `: ${rollback.note}` : ''}`;
    case 'approval-rejected':
      return `the last step's approval was rejected by ${rollback.by}`;
    default:
      return String(rollback.kind);
  }
}

/**
 * A deployment's action buttons (only those the API says the caller may take now), disabled
 * while one of its actions is in flight, and the answer to the last one.
 * @param {{ busy: Set<string>, outcomes: Map<string, { ok: boolean, text: string }>, ask: Function }} ops
 */
function deploymentActions(d, ops) {
  const allowed = (d.allowedActions ?? []).filter((a) => Object.hasOwn(DEPLOYMENT_ACTIONS, a));
  const outcome = ops.outcomes.get(d.id);
  const busy = ops.busy.has(d.id);
  return [
    allowed.length === 0
      ? null
      : h(
          'div',
          { class: 'actions', role: 'group', 'aria-label': `Actions on ${d.routeKey}` },
          allowed.map((action) =>
            h(
              'button',
              {
                type: 'button',
                class: action === 'promote' ? 'forward' : 'back',
                'data-action': action,
                disabled: busy,
                'aria-disabled': busy ? 'true' : undefined,
                onclick: (e) => ops.ask(e.currentTarget, d, action),
              },
              DEPLOYMENT_ACTIONS[action].label,
            ),
          ),
        ),
    busy || outcome
      ? h(
          'p',
          {
            class: busy ? 'meta' : outcome.ok ? 'outcome ok' : 'outcome error',
            'data-outcome': d.id,
            role: busy || outcome.ok ? 'status' : 'alert',
          },
          busy ? 'Sending…' : outcome.text,
        )
      : null,
  ];
}

function renderDeployments(deployments, ops) {
  if (deployments.length === 0) return [h('p', {}, 'No deployments yet.')];
  return deployments.map((d) => {
    const r = d.rollback;
    return h(
      'article',
      { class: 'card', 'data-deployment': d.id, 'aria-labelledby': `dep-${d.id}` },
      h('h3', { id: `dep-${d.id}` }, d.routeKey, ' ', tag(d.status, STATUS_KIND[d.status] ?? 'plain')),
      h(
        'p',
        { class: 'meta' },
        `Started ${timeText(d.startedAt)} by ${d.startedBy?.label ?? 'unknown'} · stable ${d.stableTarget} · now ${formatWeights(d.weights.current)}`,
      ),
      deploymentActions(d, ops),
      d.weightHistory?.length > 0 ? chartSvg(d) : null,
      r
        ? h(
            'div',
            { class: 'rollback-info', 'data-rollback': d.id },
            h('h4', {}, 'Rolled back'),
            h(
              'dl',
              { class: 'facts' },
              r.alarmName ? [h('dt', {}, 'Alarm'), h('dd', {}, r.alarmName)] : null,
              h('dt', {}, 'Reason'),
              h('dd', {}, rollbackSentence(r)),
              r.metric ? [h('dt', {}, 'Metric'), h('dd', {}, r.metric)] : null,
              r.threshold !== undefined && r.threshold !== null
                ? [h('dt', {}, 'Threshold'), h('dd', {}, String(r.threshold))]
                : null,
              h('dt', {}, 'Decided'),
              h('dd', {}, timeText(r.decidedAt)),
              r.completedAt ? [h('dt', {}, 'Completed'), h('dd', {}, timeText(r.completedAt))] : null,
            ),
          )
        : null,
      h(
        'details',
        {},
        h('summary', {}, 'History'),
        h(
          'ul',
          { class: 'reasons' },
          (d.history ?? []).map((n) => h('li', {}, `${timeText(n.at)} ${n.text}`)),
        ),
      ),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Approvals, decisions, certificates

function renderApprovals(approvals, decided, mayApprove, act) {
  const items = approvals.map((a) => approvalCard(a, mayApprove(a.meshName) && a.status === 'pending', act));
  const done = decided.map((a) => approvalCard(a, false, act));
  return [
    approvals.length === 0 ? h('p', {}, 'No open approvals.') : h('div', {}, items),
    done.length === 0 ? null : h('div', {}, h('h3', {}, 'Decided while this page was open'), done),
  ];
}

function approvalCard(a, canDecide, act) {
  const exec = a.execution;
  return h(
    'article',
    { class: 'card', 'data-approval': a.id, 'aria-labelledby': `ap-${a.id}` },
    h('h3', { id: `ap-${a.id}` }, a.title, ' ', tag(a.status, STATUS_KIND[a.status] ?? 'plain')),
    h(
      'p',
      { class: 'meta' },
      `${a.type} on ${a.resource} · asked by ${a.requestedBy?.label ?? a.requestedBy?.arn ?? 'unknown'} at ${timeText(a.requestedAt)} · expires ${timeText(a.expiresAt)}`,
    ),
    h('p', {}, a.reason),
    a.decidedBy ? h('p', { class: 'meta' }, `Decided by ${a.decidedBy} at ${timeText(a.decidedAt)}`) : null,
    exec
      ? h(
          'p',
          { 'data-execution': exec.outcome },
          tag(exec.outcome, STATUS_KIND[exec.outcome] ?? 'plain'),
          ` ${exec.detail}`,
        )
      : null,
    a.diff ? h('details', {}, h('summary', {}, 'Diff'), h('pre', {}, a.diff)) : null,
    canDecide
      ? h(
          'div',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', class: 'approve', onclick: (e) => act(e.currentTarget, a.id, 'approve') },
            'Approve',
          ),
          h(
            'button',
            { type: 'button', class: 'reject', onclick: (e) => act(e.currentTarget, a.id, 'reject') },
            'Reject',
          ),
        )
      : null,
  );
}

function renderDecisions(decisions) {
  if (decisions.length === 0) return [h('p', {}, 'No decisions yet.')];
  return [
    h(
      'ol',
      { class: 'decisions', reversed: true },
      decisions.map((d) =>
        h(
          'li',
          { class: 'card', 'data-decision': d.eventId },
          h(
            'p',
            {},
            h('strong', {}, `${d.operation ?? '?'} ${d.resourceKey ?? ''}`),
            ' ',
            tag(d.action ?? 'none', d.action === 'revert' || d.action === 'hold' ? 'warn' : 'plain'),
            ' ',
            tag(`outcome: ${d.outcome}`, STATUS_KIND[d.outcome] ?? 'plain'),
          ),
          h(
            'p',
            { class: 'meta' },
            `${timeText(d.eventTime)} · by ${d.principal?.label ?? d.principal?.arn ?? 'unknown'}${d.ruleIds.length > 0 ? ` · rules ${d.ruleIds.join(', ')}` : ''}`,
          ),
          d.reasons.length > 0
            ? h(
                'ul',
                { class: 'reasons' },
                d.reasons.map((r) => h('li', {}, String(r))),
              )
            : null,
          d.diff ? h('details', {}, h('summary', {}, 'Diff'), h('pre', {}, d.diff)) : null,
          d.error ? h('p', { class: 'error' }, `Error: ${d.error}`) : null,
        ),
      ),
    ),
  ];
}

function renderCertificates(certificates) {
  if (certificates.length === 0) return [h('p', {}, 'No certificates.')];
  return [
    h(
      'table',
      {},
      h('caption', { class: 'meta' }, 'Soonest expiry first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Expires', 'Days left', 'Subject', 'Mesh', 'Used by', 'Problem'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        certificates.map((c) => {
          const days = c.notAfter ? daysUntil(c.notAfter) : null;
          return h(
            'tr',
            {},
            h('td', {}, c.notAfter ? timeText(c.notAfter) : 'unknown'),
            h('td', {}, days === null ? '' : days < 30 ? tag(`${days} days`, 'bad') : `${days} days`),
            h('td', {}, c.subject ?? c.id),
            h('td', {}, c.meshName),
            h('td', {}, (c.usedBy ?? []).map((u) => `${u.resourceKey} (${u.role})`).join(', ')),
            h('td', {}, c.problem ?? ''),
          );
        }),
      ),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// The page

async function main() {
  const $ = (id) => document.getElementById(id);
  const status = $('status');
  const say = (text) => {
    if (status.textContent !== text) status.textContent = text;
  };
  // The issuer, client id and the issuer's endpoints matter only when signing in: a signed-in
  // load does not wait for them.
  const configured = fetch('/console/config.json').then((r) => r.json());
  // Awaited where it is needed; a failure there is reported then, not as an unhandled rejection.
  configured.catch(() => undefined);
  const discover = async () =>
    (await fetch(`${(await configured).issuer}/.well-known/openid-configuration`)).json();
  const redirectUri = `${location.origin}/`;

  async function signIn() {
    const verifier = newVerifier();
    const state = newVerifier();
    const nonce = newVerifier();
    sessionStorage.setItem(KEYS.pending, JSON.stringify({ verifier, state }));
    const discovery = await discover();
    const config = await configured;
    location.assign(
      authorizeUrl({
        authorizationEndpoint: discovery.authorization_endpoint,
        clientId: config.clientId,
        redirectUri,
        scope: config.scope,
        state,
        nonce,
        challenge: await challengeOf(verifier),
      }),
    );
  }

  async function finishSignIn(params) {
    const pending = JSON.parse(sessionStorage.getItem(KEYS.pending) ?? 'null');
    sessionStorage.removeItem(KEYS.pending);
    history.replaceState(null, '', '/');
    if (pending === null || params.get('state') !== pending.state)
      throw new Error('sign-in: the state does not match; sign in again');
    const [discovery, config] = await Promise.all([discover(), configured]);
    const answer = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: params.get('code') ?? '',
        redirect_uri: redirectUri,
        client_id: config.clientId,
        code_verifier: pending.verifier,
      }),
    });
    const body = await answer.json();
    if (!answer.ok || typeof body.access_token !== 'string')
      throw new Error(`sign-in: ${body.error_description ?? body.error ?? answer.status}`);
    sessionStorage.setItem(KEYS.token, body.access_token);
  }

  const cache = new Map();
  let timer;
  let lastCertificates = 0;
  let lastGraph = 0;
  const following = new Set();
  const decided = new Map();
  let me = { caller: '', meshes: [] };

  function signOut(message) {
    sessionStorage.removeItem(KEYS.token);
    clearTimeout(timer);
    cache.clear();
    following.clear();
    decided.clear();
    ops.busy.clear();
    ops.outcomes.clear();
    shownDeployments = [];
    if ($('confirm').open) $('confirm').close();
    delete document.body.dataset.rendered;
    for (const id of [
      'mesh-body',
      'deployments-body',
      'approvals-body',
      'decisions-body',
      'certificates-body',
    ])
      $(id).replaceChildren();
    show(false);
    say(message ?? 'Signed out.');
  }

  function show(signedIn) {
    $('sign-in').hidden = signedIn;
    $('sign-out').hidden = !signedIn;
    $('content').hidden = !signedIn;
    $('sections-nav').hidden = !signedIn;
    $('signed-out').hidden = signedIn;
    if (!signedIn) $('signed-in-as').textContent = '';
  }

  /** GET with If-None-Match; `changed` is false when the answer is what was shown already. */
  async function get(path) {
    const token = sessionStorage.getItem(KEYS.token);
    const known = cache.get(path);
    const answer = await fetch(path, {
      headers: { authorization: `Bearer ${token}`, ...(known ? { 'if-none-match': known.etag } : {}) },
    });
    if (answer.status === 304 && known) return { data: known.data, changed: false };
    if (answer.status === 401)
      throw Object.assign(new Error('your session has ended; sign in again'), { signOut: true });
    const data = await answer.json();
    if (!answer.ok) throw new Error(`${path}: ${data.message ?? answer.status}`);
    cache.set(path, { etag: answer.headers.get('etag') ?? '', data });
    return { data, changed: true };
  }

  const mayApprove = (mesh) => me.meshes.some((m) => m.name === mesh && m.roles.includes('approver'));

  // Deployment actions: which deployments have a request in flight, and the last answer for each.
  const ops = { busy: new Set(), outcomes: new Map(), ask };
  let shownDeployments = [];
  const drawDeployments = (list = shownDeployments) => {
    shownDeployments = list;
    put('deployments-body', renderDeployments(list, ops));
  };

  /** Ask in the page's dialog before acting: the route, its weights now and after. */
  function ask(_button, d, action) {
    const words = DEPLOYMENT_ACTIONS[action];
    const dialog = $('confirm');
    $('confirm-h').textContent = `${words.label} ${d.routeKey}?`;
    $('confirm-route').textContent = d.routeKey;
    $('confirm-now').textContent = formatWeights(d.weights.current);
    $('confirm-after').textContent = formatWeights(resultingWeights(d, action));
    $('confirm-note-row').hidden = !words.takesNote;
    $('confirm-note').value = '';
    const ok = $('confirm-ok');
    ok.textContent = words.label;
    ok.className = action === 'promote' ? 'forward' : 'back';
    ok.disabled = false;
    dialog.dataset.deployment = d.id;
    dialog.dataset.action = action;
    dialog.returnValue = '';
    dialog.onclose = () => {
      if (dialog.returnValue !== 'confirm') return;
      const note = $('confirm-note').value.trim();
      void perform(d, action, words.takesNote && note !== '' ? { note } : {});
    };
    dialog.showModal();
    // Focus the harmless choice: Enter or Escape right away does nothing.
    $('confirm-cancel').focus();
  }

  async function perform(d, action, body) {
    const words = DEPLOYMENT_ACTIONS[action];
    // One request per deployment at a time: its buttons stay disabled until the answer is in.
    if (ops.busy.has(d.id)) return;
    ops.busy.add(d.id);
    ops.outcomes.delete(d.id);
    drawDeployments();
    say(`${words.doing} ${d.routeKey}…`);
    let outcome;
    try {
      const answer = await fetch(`/api/deployments/${encodeURIComponent(d.id)}/${action}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${sessionStorage.getItem(KEYS.token)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      const data = await answer.json().catch(() => ({}));
      outcome = answer.ok
        ? {
            ok: true,
            text: `${words.done} ${d.routeKey}: now ${formatWeights(data.deployment?.weights?.current)}.`,
          }
        : {
            ok: false,
            text: `Could not ${words.verb} ${d.routeKey}: ${data.message ?? `HTTP ${answer.status}`}`,
          };
    } catch (error) {
      outcome = { ok: false, text: `Could not ${words.verb} ${d.routeKey}: ${error.message}` };
    }
    ops.busy.delete(d.id);
    ops.outcomes.set(d.id, outcome);
    say(outcome.text);
    drawDeployments();
    await refresh();
  }

  async function act(button, id, decision) {
    button.disabled = true;
    const answer = await fetch(`/api/approvals/${encodeURIComponent(id)}/${decision}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sessionStorage.getItem(KEYS.token)}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    const body = await answer.json().catch(() => ({}));
    say(
      answer.ok
        ? `${decision === 'approve' ? 'Approved' : 'Rejected'} ${id}.`
        : `Could not ${decision}: ${body.message ?? answer.status}`,
    );
    await refresh();
  }

  function put(id, nodes) {
    $(id).replaceChildren(...nodes.filter((n) => n !== null && n !== undefined));
  }

  // One refresh at a time: a click's refresh waits for the one in flight, then runs.
  let refreshing = Promise.resolve();
  function refresh() {
    refreshing = refreshing.then(refreshNow);
    return refreshing;
  }

  async function refreshNow() {
    clearTimeout(timer);
    const token = sessionStorage.getItem(KEYS.token);
    if (token === null || isExpired(token)) return signOut('Your session has ended; sign in again.');
    try {
      // Every section is fetched at once and drawn as soon as its answer is in; only the graphs
      // and the approvals' buttons wait for the caller's roles.
      const dueCertificates = Date.now() - lastCertificates > CERTIFICATE_POLL_MS;
      const roles = get('/api/me').then((who) => {
        me = who.data;
        const claims = claimsOf(token) ?? {};
        const held = me.meshes.map((m) => `${m.name}: ${m.roles.join(', ')}`).join('; ') || 'no roles';
        const label = `Signed in as ${claims.email ?? claims.sub ?? me.caller} (${held})`;
        if ($('signed-in-as').textContent !== label) $('signed-in-as').textContent = label;
        return who;
      });
      const deployments = get('/api/deployments').then((d) => {
        if (d.changed) drawDeployments(d.data.deployments);
        return d.changed;
      });
      const approvals = Promise.all([get('/api/approvals'), roles]).then(async ([a, who]) => {
        // An approval that left the open list was decided or expired: show what became of it.
        // It is followed until what it led to is known (applied, failed, or closed without effect).
        const open = new Set(a.data.approvals.map((x) => x.id));
        for (const x of a.data.approvals) following.add(x.id);
        let gone = false;
        for (const id of following) {
          if (open.has(id)) continue;
          const found = await get(`/api/approvals/${encodeURIComponent(id)}`).catch(() => undefined);
          if (found === undefined) continue;
          const approval = found.data.approval;
          if (approval.execution !== undefined || !['pending', 'approved'].includes(approval.status))
            following.delete(id);
          gone ||= found.changed || !decided.has(id);
          decided.set(id, approval);
        }
        if (a.changed || who.changed || gone)
          put('approvals-body', renderApprovals(a.data.approvals, [...decided.values()], mayApprove, act));
        return a.changed || gone;
      });
      const decisions = get('/api/decisions?limit=50').then((d) => {
        if (d.changed) put('decisions-body', renderDecisions(d.data.decisions));
        return d.changed;
      });
      // Weights move with a deployment, a decision or an approval's execution: the graph (one
      // route read each) is read again when one of those changed, and at least every 30 s.
      const firstGraph = $('mesh-body').childElementCount === 0;
      const mesh = roles.then(async (who) => {
        if (!firstGraph && !who.changed && Date.now() - lastGraph < GRAPH_POLL_MS) {
          const changed = await Promise.all([deployments, decisions, approvals]);
          if (!changed.includes(true)) return;
        }
        const readable = me.meshes.filter((m) => m.roles.includes('viewer'));
        const graphs = await Promise.all(
          readable.map((m) =>
            get(`/api/meshes/${encodeURIComponent(m.name)}/graph`).catch((error) => {
              if (error.signOut) throw error;
              const what = m.provider === 'vpc-lattice' ? 'Service network' : 'Mesh';
              // The error names the path first; the card says only what went wrong.
              const why = error.message.replace(/^\/api\/[^:]*: /, '');
              return {
                data: { graph: { unreadable: `${what} ${m.name}`, why } },
                changed: true,
              };
            }),
          ),
        );
        lastGraph = Date.now();
        if (who.changed || graphs.some((g) => g.changed) || firstGraph)
          put('mesh-body', renderMesh(graphs.map((g) => g.data.graph)));
      });
      const certificates = !dueCertificates
        ? undefined
        : get('/api/certificates').then((c) => {
            lastCertificates = Date.now();
            if (c.changed) put('certificates-body', renderCertificates(c.data.certificates));
          });
      await Promise.all([mesh, decisions]);
      if (document.body.dataset.rendered !== 'true') {
        // The first render: the mesh graph and the decisions are in the DOM (the bench reads this mark).
        performance.mark('meshwarden:first-render');
        document.body.dataset.rendered = 'true';
      }
      await Promise.all([deployments, approvals, certificates]);
      say(`Up to date at ${new Date().toLocaleTimeString()}.`);
    } catch (error) {
      if (error.signOut) return signOut(error.message);
      say(`Could not refresh: ${error.message}. Trying again.`);
    }
    timer = setTimeout(refresh, POLL_MS);
  }

  $('sign-in').addEventListener('click', () => void signIn());
  $('confirm-cancel').addEventListener('click', () => $('confirm').close('cancel'));
  $('confirm-ok').addEventListener('click', (e) => {
    e.currentTarget.disabled = true;
    $('confirm').close('confirm');
  });
  $('sign-out').addEventListener('click', () => signOut());
  const params = new URLSearchParams(location.search);
  try {
    if (params.has('code')) await finishSignIn(params);
    if (params.has('error')) {
      history.replaceState(null, '', '/');
      throw new Error(`sign-in: ${params.get('error_description') ?? params.get('error')}`);
    }
  } catch (error) {
    show(false);
    say(error.message);
    return;
  }
  const token = sessionStorage.getItem(KEYS.token);
  if (token === null || isExpired(token)) {
    show(false);
    say('Not signed in.');
    return;
  }
  show(true);
  say('Loading…');
  await refresh();
}

if (typeof document !== 'undefined') void main();

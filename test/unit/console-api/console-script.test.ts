import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The page's one JS module: its pure helpers run in Node as they do in the browser. */
interface ConsoleScript {
  base64url(bytes: Uint8Array): string;
  newVerifier(): string;
  challengeOf(verifier: string): Promise<string>;
  authorizeUrl(p: {
    authorizationEndpoint: string;
    clientId: string;
    redirectUri: string;
    scope: string;
    state: string;
    nonce: string;
    challenge: string;
  }): string;
  claimsOf(token: string): Record<string, unknown> | undefined;
  isExpired(token: string, nowMs?: number): boolean;
  formatWeights(weights: Record<string, number> | null): string;
  routeSentences(graph: unknown): string[];
  ruleSentences(graph: unknown): string[];
  networkLayout(graph: unknown): {
    boxes: Map<string, { label: string; kind: string }>;
    edges: { from: string; to: string; label: string }[];
  };
  graphLayout(graph: unknown): {
    boxes: Map<string, unknown>;
    edges: { from: string; to: string; label: string }[];
  };
  chartSeries(history: { at: string; weights: Record<string, number> }[]): {
    node: string;
    points: { t: number; w: number }[];
  }[];
  rollbackSentence(rollback: Record<string, unknown>): string;
  resultingWeights(d: unknown, action: 'promote' | 'abort' | 'rollback'): Record<string, number>;
}

const script = (await import(
  pathToFileURL(fileURLToPath(new URL('../../../functions/console-api/page/console.js', import.meta.url)))
    .href
)) as ConsoleScript;

const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

const GRAPH = {
  mesh: 'prod',
  gateways: [{ name: 'ingress-gw', routes: [{ name: 'to-frontend', service: 'frontend.prod.local' }] }],
  services: [
    { name: 'frontend.prod.local', provider: { kind: 'virtual-node', name: 'frontend' } },
    { name: 'web.prod.local', provider: { kind: 'virtual-router', name: 'web-router' } },
  ],
  routers: [
    {
      name: 'web-router',
      routes: [
        {
          name: 'web-route',
          routeKey: 'prod/web-router/web-route',
          targets: [
            { node: 'web-v1', weight: 90 },
            { node: 'web-v2', weight: 10 },
          ],
        },
      ],
    },
  ],
  nodes: [
    { name: 'frontend', backends: ['web.prod.local'] },
    { name: 'web-v1', backends: [] },
    { name: 'web-v2', backends: [] },
  ],
};

describe('console page script: PKCE', () => {
  it('makes 43-character base64url verifiers, different each time', () => {
    const a = script.newVerifier();
    const b = script.newVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b).not.toBe(a);
  });

  it('derives the S256 challenge as base64url(SHA-256(verifier)), as the issuer checks it', async () => {
    const verifier = script.newVerifier();
    expect(await script.challengeOf(verifier)).toBe(
      createHash('sha256').update(verifier).digest('base64url'),
    );
  });

  it('encodes bytes as unpadded base64url', () => {
    expect(script.base64url(new Uint8Array([0xfb, 0xff, 0xfe]))).toBe('-__-');
    expect(script.base64url(new Uint8Array([1]))).toBe('AQ');
  });

  it('builds the authorization request with the code flow, S256 and every parameter', () => {
    const url = new URL(
      script.authorizeUrl({
        authorizationEndpoint: 'http://127.0.0.1:4569/authorize',
        clientId: 'meshwarden',
        redirectUri: 'http://127.0.0.1:4568/',
        scope: 'openid email',
        state: 's1',
        nonce: 'n1',
        challenge: 'c'.repeat(43),
      }),
    );
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:4569/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'meshwarden',
      redirect_uri: 'http://127.0.0.1:4568/',
      scope: 'openid email',
      state: 's1',
      nonce: 'n1',
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
    });
  });

  it('reads a token’s claims and tells an expired one, or one that is not a JWT', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    const live = jwt({ sub: 'victor', email: 'victor@acme.example', exp: now / 1000 + 600 });
    expect(script.claimsOf(live)).toMatchObject({ sub: 'victor', email: 'victor@acme.example' });
    expect(script.isExpired(live, now)).toBe(false);
    expect(script.isExpired(jwt({ exp: now / 1000 - 1 }), now)).toBe(true);
    expect(script.isExpired(jwt({ sub: 'no-exp' }), now)).toBe(true);
    expect(script.claimsOf('not a token')).toBeUndefined();
    expect(script.isExpired('not a token', now)).toBe(true);
  });
});

describe('console page script: graph and chart', () => {
  it('says each route’s weights in words, for the list and the graph’s text alternative', () => {
    expect(script.routeSentences(GRAPH)).toEqual(['web-router/web-route sends web-v1 90 / web-v2 10']);
  });

  it('draws an edge per gateway route, provider and weighted target, each weight labelled', () => {
    const layout = script.graphLayout(GRAPH);
    expect(layout.boxes.size).toBe(1 + 2 + 1 + 3);
    expect(layout.edges).toEqual([
      { from: 'gw:ingress-gw', to: 'vs:frontend.prod.local', label: '' },
      { from: 'vs:frontend.prod.local', to: 'vn:frontend', label: '' },
      { from: 'vs:web.prod.local', to: 'vr:web-router', label: '' },
      expect.objectContaining({ from: 'vr:web-router', to: 'vn:web-v1', label: '90' }),
      expect.objectContaining({ from: 'vr:web-router', to: 'vn:web-v2', label: '10' }),
    ]);
  });

  it('draws a VPC Lattice network as services, rules and target groups, and says each rule’s weights', () => {
    // Prepare: the API's graph of a service network (shared/console-api/network-graph.ts)
    const network = {
      provider: 'vpc-lattice',
      network: 'prod-net',
      services: [
        {
          name: 'web',
          listeners: [
            {
              name: 'http',
              rules: [
                { name: 'default', routeKey: 'prod-net/web/http/default', targets: [] },
                {
                  name: 'web-canary',
                  routeKey: 'prod-net/web/http/web-canary',
                  targets: [
                    { targetGroup: 'tg-1', weight: 90 },
                    { targetGroup: 'tg-2', weight: 10 },
                  ],
                },
              ],
            },
          ],
        },
      ],
      targetGroups: ['tg-1', 'tg-2'],
    };

    // Act
    const layout = script.networkLayout(network);
    const sentences = script.ruleSentences(network);

    // Assess
    expect([...layout.boxes.values()].map((b) => [b.kind, b.label])).toEqual([
      ['service', 'web'],
      ['rule', 'http/default'],
      ['rule', 'http/web-canary'],
      ['target group', 'tg-1'],
      ['target group', 'tg-2'],
    ]);
    expect(layout.edges).toEqual([
      { from: 'svc:web', to: 'rule:prod-net/web/http/default', label: '' },
      { from: 'svc:web', to: 'rule:prod-net/web/http/web-canary', label: '' },
      expect.objectContaining({ from: 'rule:prod-net/web/http/web-canary', to: 'tg:tg-1', label: '90' }),
      expect.objectContaining({ from: 'rule:prod-net/web/http/web-canary', to: 'tg:tg-2', label: '10' }),
    ]);
    // A rule that forwards nowhere has no weights to say.
    expect(sentences).toEqual(['web/http/web-canary sends tg-1 90 / tg-2 10']);
  });

  it('leaves out an edge to a resource the graph does not have', () => {
    const broken = { ...GRAPH, services: [{ name: 'x', provider: { kind: 'virtual-node', name: 'gone' } }] };
    expect(script.graphLayout(broken).edges.some((e) => e.to === 'vn:gone')).toBe(false);
  });

  it('charts weights as shares of 100 per target over time', () => {
    const series = script.chartSeries([
      { at: '2026-12-06T10:00:00Z', weights: { 'web-v1': 90, 'web-v2': 10 } },
      { at: '2026-12-06T10:01:00Z', weights: { 'web-v1': 1, 'web-v2': 1 } },
      { at: '2026-12-06T10:02:00Z', weights: { 'web-v1': 100, 'web-v2': 0 } },
    ]);
    expect(series.map((s) => [s.node, s.points.map((p) => p.w)])).toEqual([
      ['web-v1', [90, 50, 100]],
      ['web-v2', [10, 50, 0]],
    ]);
    expect(series[0]?.points[1]?.t).toBe(Date.parse('2026-12-06T10:01:00Z'));
  });

  it('shows the weights an action leaves the route at, as the guard writes them', () => {
    const d = {
      stableTarget: 'web-v1',
      canaryTargets: ['web-v2'],
      weights: { current: { 'web-v1': 80, 'web-v2': 20 }, baseline: { 'web-v1': 80, 'web-v2': 20 } },
    };
    expect(script.resultingWeights(d, 'rollback')).toEqual({ 'web-v1': 100, 'web-v2': 0 });
    expect(script.resultingWeights(d, 'abort')).toEqual({ 'web-v1': 100, 'web-v2': 0 });
    expect(script.resultingWeights(d, 'promote')).toEqual({ 'web-v1': 0, 'web-v2': 100 });
    // Weights unknown (the route unreadable): the target the action puts the weight on.
    expect(script.resultingWeights({ ...d, weights: { current: null, baseline: {} } }, 'rollback')).toEqual({
      'web-v1': 100,
    });
  });

  it('names what rolled a deployment back', () => {
    expect(
      script.rollbackSentence({
        kind: 'alarm',
        alarmName: 'web-5xx-rate',
        stateReason: '5xx above threshold',
      }),
    ).toBe('alarm web-5xx-rate: 5xx above threshold');
    expect(script.rollbackSentence({ kind: 'abort', by: 'omar', note: 'bad build' })).toBe(
      'aborted by omar: bad build',
    );
    expect(script.formatWeights({ 'web-v1': 90, 'web-v2': 10 })).toBe('web-v1 90 / web-v2 10');
    expect(script.formatWeights(null)).toBe('(unknown)');
  });
});

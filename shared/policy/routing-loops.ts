/**
 * Routing loops: a virtual node whose backends resolve, through virtual services, virtual
 * routers and their routes, back to the node itself. The graph's vertices are nodes, services
 * and routers; edges are node -> backend service, service -> provider, router -> every
 * weighted target of its routes (a zero weight counts: shifting weights would close the loop).
 *
 * The graph is built once per index as integer adjacency arrays, so a search costs a few
 * microseconds per thousand vertices. A full audit finds every looping node with one
 * strongly-connected-components pass (linear); judging one change searches only what the
 * changed node reaches.
 */
import { type MeshIndex, routeShapeOf } from './mesh-index';

/** The routing graph of one index in compressed adjacency form. */
interface RoutingGraph {
  /** Display name of each vertex. */
  readonly names: readonly string[];
  /** Vertex id of each virtual node name. */
  readonly nodeIds: ReadonlyMap<string, number>;
  /** Vertex id of each virtual service name. */
  readonly serviceIds: ReadonlyMap<string, number>;
  /** Successors of v: targets[offsets[v] .. offsets[v + 1]). */
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  /** Filled by {@link precomputeRoutingLoops}: the strongly connected component of each vertex. */
  component?: Int32Array;
  componentSize?: Int32Array;
}

const graphs = new WeakMap<MeshIndex, RoutingGraph>();

function graphOf(index: MeshIndex): RoutingGraph {
  const cached = graphs.get(index);
  if (cached !== undefined) return cached;
  const names: string[] = [];
  const ids = { n: new Map<string, number>(), s: new Map<string, number>(), r: new Map<string, number>() };
  const idOf = (kind: 'n' | 's' | 'r', name: string): number => {
    const map = ids[kind];
    let id = map.get(name);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      map.set(name, id);
    }
    return id;
  };
  const edges: number[][] = [];
  const addEdge = (from: number, to: number) => {
    const list = edges[from];
    if (list === undefined) edges[from] = [to];
    else list.push(to);
  };
  for (const node of index.nodes.values()) {
    const from = idOf('n', node.name);
    for (const b of node.spec.backends ?? []) addEdge(from, idOf('s', b.virtualService.virtualServiceName));
  }
  for (const service of index.services.values()) {
    const from = idOf('s', service.name);
    const provider = service.spec.provider;
    if (provider === undefined) continue;
    addEdge(
      from,
      'virtualNode' in provider
        ? idOf('n', provider.virtualNode.virtualNodeName)
        : idOf('r', provider.virtualRouter.virtualRouterName),
    );
  }
  for (const router of index.routers.values()) {
    const from = idOf('r', router.name);
    for (const route of index.routesOf(router.name)) {
      for (const target of routeShapeOf(route.spec)?.weightedTargets ?? [])
        addEdge(from, idOf('n', target.virtualNode));
    }
  }
  const count = names.length;
  const offsets = new Int32Array(count + 1);
  for (let v = 0; v < count; v++) offsets[v + 1] = (offsets[v] as number) + (edges[v]?.length ?? 0);
  const targets = new Int32Array(offsets[count] as number);
  for (let v = 0; v < count; v++) targets.set(edges[v] ?? [], offsets[v] as number);
  const graph: RoutingGraph = { names, nodeIds: ids.n, serviceIds: ids.s, offsets, targets };
  graphs.set(index, graph);
  return graph;
}

/**
 * Compute, once per index, the strongly connected component of every vertex (iterative
 * Tarjan: no recursion, so a 10,000-resource chain cannot overflow the stack). Afterwards a
 * node outside any loop is answered in O(1).
 */
export function precomputeRoutingLoops(index: MeshIndex): void {
  const g = graphOf(index);
  if (g.component !== undefined) return;
  const count = g.names.length;
  const order = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const component = new Int32Array(count);
  const componentSize = new Int32Array(count);
  const stack = new Int32Array(count);
  const frames = new Int32Array(count);
  const cursor = new Int32Array(count);
  let stackTop = 0;
  let counter = 0;
  let components = 0;
  for (let root = 0; root < count; root++) {
    if (order[root] !== -1) continue;
    let depth = 0;
    const open = (v: number) => {
      order[v] = counter;
      low[v] = counter;
      counter++;
      stack[stackTop++] = v;
      onStack[v] = 1;
      frames[depth++] = v;
      cursor[v] = g.offsets[v] as number;
    };
    open(root);
    while (depth > 0) {
      const v = frames[depth - 1] as number;
      const c = cursor[v] as number;
      if (c < (g.offsets[v + 1] as number)) {
        cursor[v] = c + 1;
        const w = g.targets[c] as number;
        if (order[w] === -1) open(w);
        else if (onStack[w] === 1) low[v] = Math.min(low[v] as number, order[w] as number);
        continue;
      }
      depth--;
      if (depth > 0) {
        const parent = frames[depth - 1] as number;
        low[parent] = Math.min(low[parent] as number, low[v] as number);
      }
      if (low[v] !== order[v]) continue;
      let size = 0;
      let w: number;
      do {
        w = stack[--stackTop] as number;
        onStack[w] = 0;
        component[w] = components;
        size++;
      } while (w !== v);
      componentSize[components] = size;
      components++;
    }
  }
  g.component = component;
  g.componentSize = componentSize;
}

/**
 * The loop through a virtual node, as the names along it (`frontend`, `web.prod.local`,
 * `web-router`, `web-v1`, ..., `frontend`), or undefined when the node is in no loop.
 */
export function routingLoopThrough(index: MeshIndex, nodeName: string): string[] | undefined {
  const g = graphOf(index);
  const start = g.nodeIds.get(nodeName);
  if (start === undefined) return undefined;
  const { component, componentSize } = g;
  // Nothing points at itself directly in this graph, so a loop is a component of two or more.
  if (component !== undefined && componentSize !== undefined) {
    if ((componentSize[component[start] as number] as number) < 2) return undefined;
  }
  const within = component?.[start];
  // Breadth-first, so the loop reported is a shortest one.
  const parent = new Int32Array(g.names.length).fill(-1);
  const queue = new Int32Array(g.names.length);
  let tail = 0;
  queue[tail++] = start;
  for (let head = 0; head < tail; head++) {
    const v = queue[head] as number;
    for (let e = g.offsets[v] as number; e < (g.offsets[v + 1] as number); e++) {
      const w = g.targets[e] as number;
      if (w === start) return pathOf(g, parent, v, start);
      if (parent[w] !== -1 || (within !== undefined && component?.[w] !== within)) continue;
      parent[w] = v;
      queue[tail++] = w;
    }
  }
  return undefined;
}

function pathOf(g: RoutingGraph, parent: Int32Array, last: number, start: number): string[] {
  const reversed: number[] = [];
  for (let v = last; v !== start && v !== -1; v = parent[v] as number) reversed.push(v);
  return [start, ...reversed.reverse(), start].map((v) => g.names[v] as string);
}

/**
 * Which of `nodeNames` a virtual service reaches through its provider, routers and their
 * backends. A change to the service can only close a loop through a caller it reaches, so
 * judging one service change checks those callers for loops, not every caller (a hub service
 * may have thousands).
 */
export function nodesReachedFromService(
  index: MeshIndex,
  serviceName: string,
  nodeNames: readonly string[],
): string[] {
  const g = graphOf(index);
  const start = g.serviceIds.get(serviceName);
  if (start === undefined || nodeNames.length === 0) return [];
  const seen = new Uint8Array(g.names.length);
  const queue = new Int32Array(g.names.length);
  let tail = 0;
  queue[tail++] = start;
  seen[start] = 1;
  for (let head = 0; head < tail; head++) {
    const v = queue[head] as number;
    for (let e = g.offsets[v] as number; e < (g.offsets[v + 1] as number); e++) {
      const w = g.targets[e] as number;
      if (seen[w] === 1) continue;
      seen[w] = 1;
      queue[tail++] = w;
    }
  }
  return nodeNames.filter((name) => {
    const id = g.nodeIds.get(name);
    return id !== undefined && seen[id] === 1;
  });
}

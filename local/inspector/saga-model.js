/**
 * From a state machine definition (Amazon States Language, as resolved from the template) to a graph, and from an
 * execution's per-state view (`GET /_local/executions/{name}` → `states`) to what happened at each state.
 *
 * Outcome of a state in one execution (its last visit when it ran more than once):
 * - `not-reached`  never entered;
 * - `running`      entered, not exited yet;
 * - `failed`       the execution failed there (or `aborted`: stopped there);
 * - `caught`       it failed and a Catch handled it (the saga moved on to a compensation);
 * - `compensated`  a compensation step that ran to success: a Task in the compensation region, which is every state
 *                  reachable from a Catch handler minus the forward path (the states reachable from StartAt without
 *                  going through a Catch handler's target);
 * - `retried`      succeeded after at least one Retry;
 * - `succeeded`    otherwise.
 */

/**
 * @typedef {{ name: string, type: string, status: 'running' | 'succeeded' | 'caught' | 'failed' | 'aborted',
 *   enteredAt: string, exitedAt?: string, durationMs?: number, input?: unknown, output?: unknown,
 *   error?: string, cause?: string,
 *   retries: { attempt: number, error: string, cause: string, failedAt: string }[] }} StateView
 * @typedef {'succeeded' | 'failed' | 'caught' | 'retried' | 'compensated' | 'running' | 'aborted' | 'not-reached'} Outcome
 * @typedef {{ id: string, type: string, definition: Record<string, any>, compensation: boolean, terminal: boolean }} GraphNode
 * @typedef {{ id: string, from: string, to: string, kind: 'start' | 'next' | 'choice' | 'default' | 'catch' | 'end',
 *   label: string }} GraphEdge
 * @typedef {{ nodes: GraphNode[], edges: GraphEdge[], startAt: string }} SagaGraph
 */

export const START = '__start__';
export const END = '__end__';

/** Every outcome, in the order of the legend. @type {Outcome[]} */
export const OUTCOMES = [
  'succeeded',
  'retried',
  'caught',
  'failed',
  'compensated',
  'running',
  'aborted',
  'not-reached',
];

/** @param {Outcome} outcome */
export const outcomeText = (outcome) => (outcome === 'not-reached' ? 'not reached' : outcome);

/** A short text for a Choice rule: `$.action == "cancel"`. @param {Record<string, any>} rule @returns {string} */
export function describeRule(rule) {
  if (Array.isArray(rule.And)) return rule.And.map(describeRule).join(' and ');
  if (Array.isArray(rule.Or)) return rule.Or.map(describeRule).join(' or ');
  if (rule.Not) return `not (${describeRule(rule.Not)})`;
  const operator = Object.keys(rule).find((k) => k !== 'Variable' && k !== 'Next');
  if (!operator) return 'rule';
  const symbols = /** @type {Record<string, string>} */ ({
    Equals: '==',
    LessThan: '<',
    GreaterThan: '>',
    LessThanEquals: '<=',
    GreaterThanEquals: '>=',
  });
  const base = operator.replace(/^(String|Numeric|Boolean|Timestamp)/, '').replace(/Path$/, '');
  const value = operator.endsWith('Path') ? rule[operator] : JSON.stringify(rule[operator]);
  return symbols[base] ? `${rule.Variable} ${symbols[base]} ${value}` : `${rule.Variable} ${operator} ${value}`;
}

/**
 * The top-level states of a definition as a graph (Parallel and Map states are single nodes), with a Start and an
 * End node as in the Step Functions console.
 * @param {Record<string, any>} definition
 * @returns {SagaGraph}
 */
export function buildGraph(definition) {
  const states = /** @type {Record<string, Record<string, any>>} */ (definition.States ?? {});
  /** @type {GraphEdge[]} */
  const edges = [];
  const add = (
    /** @type {string} */ from,
    /** @type {string} */ to,
    /** @type {GraphEdge['kind']} */ kind,
    label = '',
  ) => {
    edges.push({ id: `e${edges.length}`, from, to, kind, label });
  };
  add(START, definition.StartAt, 'start');
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Choice') {
      for (const rule of state.Choices ?? []) add(name, rule.Next, 'choice', describeRule(rule));
      if (state.Default) add(name, state.Default, 'default', 'default');
    } else if (state.Next) add(name, state.Next, 'next');
    if (state.End === true || state.Type === 'Succeed' || state.Type === 'Fail') add(name, END, 'end');
    for (const catcher of state.Catch ?? []) add(name, catcher.Next, 'catch', catcher.ErrorEquals.join(', '));
  }
  const compensation = compensationRegion(definition.StartAt, edges);
  /** @type {GraphNode[]} */
  const nodes = [
    { id: START, type: 'Start', definition: {}, compensation: false, terminal: true },
    ...Object.entries(states).map(([id, state]) => ({
      id,
      type: String(state.Type),
      definition: state,
      compensation: compensation.has(id),
      terminal: false,
    })),
    { id: END, type: 'End', definition: {}, compensation: false, terminal: true },
  ];
  return { nodes, edges, startAt: definition.StartAt };
}

/**
 * States reachable from a Catch handler's target, minus those reachable from StartAt without entering one.
 * @param {string} startAt @param {GraphEdge[]} edges
 */
export function compensationRegion(startAt, edges) {
  const handlers = new Set(edges.filter((e) => e.kind === 'catch').map((e) => e.to));
  const reach = (/** @type {string[]} */ from, /** @type {(e: GraphEdge) => boolean} */ follow) => {
    const seen = new Set(from);
    const queue = [...from];
    for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
      for (const edge of edges) {
        if (edge.from !== node || edge.to === END || seen.has(edge.to) || !follow(edge)) continue;
        seen.add(edge.to);
        queue.push(edge.to);
      }
    }
    return seen;
  };
  const forward = handlers.has(startAt)
    ? new Set()
    : reach([startAt], (e) => e.kind !== 'catch' && !handlers.has(e.to));
  const region = reach([...handlers], () => true);
  for (const name of forward) region.delete(name);
  return region;
}

/**
 * What happened at each state of the graph in one execution.
 * @param {SagaGraph} graph @param {StateView[]} views
 * @returns {Map<string, { outcome: Outcome, visits: StateView[] }>}
 */
export function classify(graph, views) {
  const result = new Map();
  for (const node of graph.nodes) {
    if (node.terminal) continue;
    const visits = views.filter((v) => v.name === node.id);
    const last = visits[visits.length - 1];
    /** @type {Outcome} */
    let outcome = 'not-reached';
    if (last) {
      if (last.status === 'running' || last.status === 'failed' || last.status === 'aborted') outcome = last.status;
      else if (last.status === 'caught') outcome = 'caught';
      else if (node.compensation && ['Task', 'Parallel', 'Map'].includes(node.type)) outcome = 'compensated';
      else if (visits.some((v) => v.retries.length > 0)) outcome = 'retried';
      else outcome = 'succeeded';
    }
    result.set(node.id, { outcome, visits });
  }
  return result;
}

/**
 * The edges this execution went along: from each state to the next one entered (a Catch edge when the state was
 * caught), from Start to the first state, and to End when the execution ended at a terminal state.
 * @param {SagaGraph} graph @param {StateView[]} views @param {string} executionStatus
 * @returns {Set<string>}
 */
export function takenEdges(graph, views, executionStatus) {
  const taken = new Set();
  const pick = (/** @type {string} */ from, /** @type {string} */ to, /** @type {boolean} */ caught) => {
    const candidates = graph.edges.filter((e) => e.from === from && e.to === to);
    const edge = candidates.find((e) => (e.kind === 'catch') === caught) ?? candidates[0];
    if (edge) taken.add(edge.id);
  };
  if (views[0]) pick(START, views[0].name, false);
  for (let i = 0; i + 1 < views.length; i++) {
    const from = /** @type {StateView} */ (views[i]);
    pick(from.name, /** @type {StateView} */ (views[i + 1]).name, from.status === 'caught');
  }
  const last = views[views.length - 1];
  if (last && executionStatus !== 'RUNNING' && last.status !== 'running') pick(last.name, END, false);
  return taken;
}

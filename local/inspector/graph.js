/**
 * Lays out a saga graph with elkjs (layered, top to bottom, orthogonal edges) and draws it as SVG: one node per
 * state coloured by its outcome in the execution, edges for Next / Choices / Default / Catch (Catch dashed), the
 * edges the execution went along drawn darker. The layout depends on the definition only, so it is cached.
 */
import { h, s } from './dom.js';
import { END, OUTCOMES, outcomeText, START } from './saga-model.js';

/** @typedef {import('./saga-model.js').SagaGraph} SagaGraph */
/** @typedef {import('./saga-model.js').Outcome} Outcome */
/** @typedef {import('./saga-model.js').StateView} StateView */
/**
 * @typedef {{ x: number, y: number }} Point
 * @typedef {{ width: number, height: number,
 *   nodes: Map<string, { x: number, y: number, width: number, height: number }>,
 *   edges: Map<string, { points: Point[], label?: { x: number, y: number, width: number, height: number } }> }} Layout
 */

const NAME_FONT = '600 13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const SUB_FONT = '11.5px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const LABEL_FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const NODE_HEIGHT = 42;

/** @type {CanvasRenderingContext2D | null} */
let measureContext = null;
/** @param {string} text @param {string} font */
function textWidth(text, font) {
  measureContext ??= document.createElement('canvas').getContext('2d');
  if (!measureContext) return text.length * 7;
  measureContext.font = font;
  return Math.ceil(measureContext.measureText(text).width);
}

/** @type {Map<string, Promise<Layout>>} */
const layouts = new Map();

/**
 * @param {string} key the state machine (layouts are cached per key)
 * @param {SagaGraph} graph
 * @returns {Promise<Layout>}
 */
export function layoutGraph(key, graph) {
  let layout = layouts.get(key);
  if (!layout) {
    layout = computeLayout(graph);
    layouts.set(key, layout);
    layout.catch(() => layouts.delete(key));
  }
  return layout;
}

/** @param {import('./saga-model.js').GraphNode} node */
const rank = (node) => (node.id === START ? 0 : node.id === END ? 3 : node.compensation ? 2 : 1);

/** @param {SagaGraph} graph @returns {Promise<Layout>} */
async function computeLayout(graph) {
  const ELK = /** @type {any} */ (globalThis).ELK;
  if (!ELK) throw new Error('elkjs did not load (/_local/vendor/elk.bundled.js)');
  const elk = new ELK();
  const longestOutcome = Math.max(...OUTCOMES.map((o) => textWidth(outcomeText(o), SUB_FONT)));
  // The forward path first, so that it lines up on the left; compensations after it.
  const ordered = [...graph.nodes].sort((a, b) => rank(a) - rank(b));
  const children = ordered.map((node) =>
    node.terminal
      ? { id: node.id, width: 64, height: 28 }
      : {
          id: node.id,
          width: Math.max(
            132,
            textWidth(node.id, NAME_FONT) + 36,
            textWidth(`${node.type} · `, SUB_FONT) + longestOutcome + 36,
          ),
          height: NODE_HEIGHT,
        },
  );
  const edges = graph.edges.map((edge) => ({
    id: edge.id,
    sources: [edge.from],
    targets: [edge.to],
    labels: edge.label
      ? [
          {
            text: edge.label,
            width: textWidth(edge.label, LABEL_FONT) + 10,
            height: 16,
            // Beside the edge near its source, as the console does: no extra layer for the label.
            layoutOptions: { 'elk.edgeLabels.placement': 'TAIL' },
          },
        ]
      : [],
    // Keep the forward path and each chain of compensations straight; Catch and Choice branches bend instead.
    layoutOptions: {
      'elk.layered.priority.straightness': edge.kind === 'catch' ? '0' : edge.kind === 'choice' ? '1' : '10',
    },
  }));
  const result = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.spacing.nodeNodeBetweenLayers': '30',
      'elk.layered.spacing.edgeNodeBetweenLayers': '12',
      'elk.spacing.nodeNode': '26',
      'elk.spacing.edgeEdge': '10',
      'elk.spacing.edgeLabel': '3',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children,
    edges,
  });
  /** @type {Layout} */
  const layout = { width: result.width, height: result.height, nodes: new Map(), edges: new Map() };
  for (const child of result.children ?? []) layout.nodes.set(child.id, child);
  for (const edge of result.edges ?? []) {
    const section = edge.sections?.[0];
    if (!section) continue;
    const label = edge.labels?.[0];
    layout.edges.set(edge.id, {
      points: [section.startPoint, ...(section.bendPoints ?? []), section.endPoint],
      label: label ? { x: label.x, y: label.y, width: label.width, height: label.height } : undefined,
    });
  }
  return layout;
}

/** @param {Point[]} points */
const pathOf = (points) => points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');

/**
 * @param {string} id @param {string} cls
 * @returns {SVGElement}
 */
const arrow = (id, cls) =>
  s(
    'marker',
    { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    s('path', { d: 'M0,0 L10,5 L0,10 z', class: cls }),
  );

/**
 * Draws the graph. `selected` is the state whose details are shown; `onSelect` is called with a state name.
 * @param {{ machine: string, graph: SagaGraph, layout: Layout,
 *   outcomes: Map<string, { outcome: Outcome, visits: StateView[] }>, taken: Set<string>,
 *   selected: string | undefined, onSelect: (name: string) => void }} p
 * @returns {SVGElement}
 */
export function drawGraph({ machine, graph, layout, outcomes, taken, selected, onSelect }) {
  const svg = s('svg', {
    class: 'graph',
    width: Math.ceil(layout.width),
    height: Math.ceil(layout.height),
    viewBox: `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`,
    role: 'group',
    'aria-label': `State machine ${machine}: each state coloured by what happened in this execution`,
  });
  svg.append(
    s(
      'defs',
      {},
      arrow('arrow', 'arrow'),
      arrow('arrow-taken', 'arrow arrow-taken'),
      arrow('arrow-catch', 'arrow arrow-catch'),
      arrow('arrow-catch-taken', 'arrow arrow-catch-taken'),
    ),
  );
  const edgeLayer = s('g', { class: 'edges', 'aria-hidden': 'true' });
  const labelLayer = s('g', { class: 'edge-labels', 'aria-hidden': 'true' });
  for (const edge of graph.edges) {
    const placed = layout.edges.get(edge.id);
    if (!placed) continue;
    const wasTaken = taken.has(edge.id);
    const marker = `arrow${edge.kind === 'catch' ? '-catch' : ''}${wasTaken ? '-taken' : ''}`;
    edgeLayer.append(
      s('path', {
        d: pathOf(placed.points),
        class: `edge edge-${edge.kind}${wasTaken ? ' taken' : ''}`,
        'data-from': edge.from,
        'data-to': edge.to,
        'data-kind': edge.kind,
        'data-taken': wasTaken ? 'true' : 'false',
        'marker-end': `url(#${marker})`,
      }),
    );
    if (placed.label && edge.label) {
      const { x, y, width, height } = placed.label;
      labelLayer.append(
        s(
          'g',
          { class: `edge-label edge-label-${edge.kind}${wasTaken ? ' taken' : ''}` },
          s('rect', { x, y, width, height, rx: 3 }),
          s('text', { x: x + width / 2, y: y + height / 2 + 4 }, edge.label),
        ),
      );
    }
  }
  const nodeLayer = s('g', { class: 'nodes' });
  for (const node of graph.nodes) {
    const box = layout.nodes.get(node.id);
    if (!box) continue;
    if (node.terminal) {
      nodeLayer.append(
        s(
          'g',
          { class: 'terminal', transform: `translate(${box.x},${box.y})`, 'aria-hidden': 'true' },
          s('rect', { width: box.width, height: box.height, rx: box.height / 2 }),
          s(
            'text',
            { x: box.width / 2, y: box.height / 2 + 4 },
            node.id === START ? 'Start' : node.id === END ? 'End' : '',
          ),
        ),
      );
      continue;
    }
    const info = outcomes.get(node.id);
    const outcome = info?.outcome ?? 'not-reached';
    const retries = info?.visits.reduce((n, v) => n + v.retries.length, 0) ?? 0;
    const isSelected = node.id === selected;
    const select = () => onSelect(node.id);
    const group = s(
      'g',
      {
        class: `state outcome-${outcome}${node.compensation ? ' compensation' : ''}${isSelected ? ' selected' : ''}`,
        transform: `translate(${box.x},${box.y})`,
        'data-state': node.id,
        'data-type': node.type,
        'data-outcome': outcome,
        'data-retries': retries,
        role: 'button',
        tabindex: 0,
        'aria-pressed': isSelected ? 'true' : 'false',
        'aria-label': `${node.id}, ${node.type} state: ${outcomeText(outcome)}${retries ? `, ${retries} retries` : ''}`,
        onclick: select,
        onkeydown: (/** @type {KeyboardEvent} */ e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            select();
          }
        },
      },
      s('title', {}, `${node.id} (${node.type}): ${outcomeText(outcome)}`),
      s('rect', { class: 'box', width: box.width, height: box.height, rx: 8 }),
      s('text', { class: 'name', x: box.width / 2, y: 18 }, node.id),
      s('text', { class: 'sub', x: box.width / 2, y: 33 }, `${node.type} · ${outcomeText(outcome)}`),
    );
    if (retries > 0) {
      group.append(
        s(
          'g',
          { class: 'retry-badge', transform: `translate(${box.width - 4},4)` },
          s('circle', { r: 10 }),
          s('text', { y: 4 }, `↻${retries}`),
        ),
      );
    }
    nodeLayer.append(group);
  }
  svg.append(edgeLayer, labelLayer, nodeLayer);
  return svg;
}

/**
 * The legend: every outcome with its swatch and how many states had it.
 * @param {Map<string, { outcome: Outcome }>} outcomes
 */
export function legend(outcomes) {
  const counts = new Map();
  for (const { outcome } of outcomes.values()) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Legend' },
    OUTCOMES.filter((o) => counts.has(o) || !['running', 'aborted'].includes(o)).map((o) =>
      h(
        'li',
        { class: `outcome-${o}` },
        h('span', { class: 'swatch', 'aria-hidden': 'true' }),
        `${outcomeText(o)} (${counts.get(o) ?? 0})`,
      ),
    ),
    h('li', { class: 'legend-edge' }, h('span', { class: 'line-catch', 'aria-hidden': 'true' }), 'catch edge'),
    h('li', { class: 'legend-edge' }, h('span', { class: 'line-taken', 'aria-hidden': 'true' }), 'path taken'),
  );
}

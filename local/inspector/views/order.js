/**
 * One order: its record (`GET /orders/{id}`), its saga execution(s) drawn on the state machine of the template with
 * each state coloured by what happened (click a state for its input, output, error, timing and retries), and the
 * order's event timeline with the consumers each event reached. Live: refetched when a change concerns the order.
 */
import { concernsOrder, executionNamesOf, getJson, getOptional, orderEventsPath } from '../api.js';
import { badge, clock, dateTime, duration, functionName, h, money, pretty, put, shortName, throttle } from '../dom.js';
import { drawGraph, layoutGraph, legend } from '../graph.js';
import { buildGraph, classify, outcomeText, takenEdges } from '../saga-model.js';

/**
 * @typedef {import('../saga-model.js').StateView} StateView
 * @typedef {import('../saga-model.js').SagaGraph} SagaGraph
 * @typedef {import('../saga-model.js').Outcome} Outcome
 * @typedef {{ name: string, executionArn: string, stateMachine: string, status: string, startDate: string,
 *   stopDate: string | null, durationMs: number | null, error: string | null, cause: string | null,
 *   input: unknown, output: unknown, notes: string[], states: StateView[] }} ExecutionDetail
 * @typedef {{ rule: string, ruleArn: string, targetId: string, targetArn: string, outcome: string, attempts: number,
 *   lastAttemptAt?: string, error?: { code: string, message: string } }} Delivery
 * @typedef {{ id: string, bus: string, time: string, receivedAt: string, source: string, detailType: string,
 *   subject?: string, detail: any, resources: string[], deliveries: Delivery[] }} LoggedEvent
 */

/** @type {Map<string, Promise<{ graph: SagaGraph, definition: Record<string, any> }>>} */
const machines = new Map();

/** @param {string} name */
function machine(name) {
  let entry = machines.get(name);
  if (!entry) {
    entry = getJson(`/_local/state-machines/${encodeURIComponent(name)}/definition`).then((definition) => ({
      definition,
      graph: buildGraph(definition),
    }));
    machines.set(name, entry);
    entry.catch(() => machines.delete(name));
  }
  return entry;
}

/** The message of a Lambda error cause (`{"errorType","errorMessage","trace"}`), else the cause itself. @param {string | null | undefined} cause */
function causeMessage(cause) {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause);
    return typeof parsed?.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}

/** @param {string} label @param {unknown} value @param {boolean} [open] */
const jsonBlock = (label, value, open = false) =>
  h('details', { class: 'json', open }, h('summary', {}, label), h('pre', { tabindex: 0 }, pretty(value)));

/** @param {[string, unknown][]} rows */
const facts = (rows) =>
  h(
    'dl',
    { class: 'facts' },
    rows
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, /** @type {Node | string} */ (v)))),
  );

/**
 * @param {HTMLElement} root @param {string} orderId @param {URLSearchParams} params
 */
export function orderView(root, orderId, params) {
  let selected = params.get('state') ?? undefined;
  let chosenExecution = params.get('execution') ?? undefined;
  let disposed = false;
  let generation = 0;
  /** @type {{ order: any, executions: ExecutionDetail[], events: LoggedEvent[] } | undefined} */
  let data;

  const statusLine = h('p', { class: 'muted status-line', role: 'status' }, 'Loading…');
  const heading = h('h1', { id: 'order-title' }, 'Order ', h('code', {}, orderId));
  const summary = h('div', { class: 'order-summary' });
  const executionTabs = h('div', { class: 'tabs', role: 'group', 'aria-label': 'Executions of this order' });
  const executionInfo = h('div', { class: 'execution-info' });
  const executionData = h('div', { class: 'execution-data' });
  const legendHost = h('div', { class: 'legend-host' });
  const graphHost = h('div', { class: 'graph-host', id: 'graph' });
  const details = h('aside', { class: 'state-details', 'aria-live': 'polite', 'aria-label': 'Selected state' });
  const statesBody = h('tbody');
  const timelineBody = h('tbody');
  const timelineCount = h('span', { class: 'muted' });

  root.append(
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/orders' }, 'Orders'), ' / ', orderId),
    h('header', { class: 'order-head' }, heading, summary),
    statusLine,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'saga-title' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'saga-title' }, 'Saga'), executionInfo, executionTabs),
      legendHost,
      h('div', { class: 'graph-layout' }, h('figure', { class: 'graph-frame' }, graphHost), details),
      executionData,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'states-title' },
      h('h2', { id: 'states-title' }, 'States'),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data states' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['State', 'Type', 'Outcome', 'Entered', 'Duration', 'Retries', 'Error'].map((t) =>
                h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          statesBody,
        ),
      ),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'timeline-title' },
      h('h2', { id: 'timeline-title' }, 'Event timeline ', timelineCount),
      h(
        'p',
        { class: 'lede' },
        "Every event of the order, its payment and its notifications, and its executions' status changes, in time order, with each consumer (rule target) it reached.",
      ),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data timeline' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Time', 'Event', 'Subject', 'Seq', 'Id', 'Consumers'].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          timelineBody,
        ),
      ),
    ),
  );

  function updateHash() {
    const q = new URLSearchParams();
    if (chosenExecution) q.set('execution', chosenExecution);
    if (selected) q.set('state', selected);
    const query = q.toString();
    history.replaceState(null, '', `#/orders/${encodeURIComponent(orderId)}${query ? `?${query}` : ''}`);
  }

  async function refresh() {
    const mine = ++generation;
    try {
      const names = new URLSearchParams(executionNamesOf(orderId).map((n) => ['name', n]));
      const [order, list] = await Promise.all([
        getOptional(`/orders/${encodeURIComponent(orderId)}`),
        getJson(`/_local/executions?${names}`),
      ]);
      /** @type {ExecutionDetail[]} */
      const executions = (
        await Promise.all(
          list.executions
            .reverse()
            .map((/** @type {{ executionArn: string }} */ e) =>
              getOptional(`/_local/executions/${encodeURIComponent(e.executionArn)}`),
            ),
        )
      ).filter(Boolean);
      const events = (
        await getJson(
          orderEventsPath(
            orderId,
            executions.map((e) => e.executionArn),
          ),
        )
      ).events;
      if (disposed || mine !== generation) return;
      data = { order, executions, events };
      await render();
    } catch (error) {
      if (!disposed && mine === generation) statusLine.textContent = `Could not load the order: ${String(error)}`;
    }
  }

  async function render() {
    if (!data) return;
    const { order, executions, events } = data;
    put(
      heading,
      'Order ',
      h('code', {}, orderId),
      ' ',
      order ? badge(order.status) : badge('no record', 'unknown'),
      order?.reason ? h('span', { class: 'reason' }, order.reason) : null,
    );
    put(
      summary,
      order
        ? facts([
            ['Customer', order.customerId],
            ['Total', money(order.totalCents, order.currency)],
            [
              'Items',
              (order.items ?? []).map((/** @type {any} */ i) => `${i.quantity} × ${i.sku}`).join(', ') || undefined,
            ],
            ['Placed', h('span', { title: `updated ${dateTime(order.updatedAt)}` }, dateTime(order.createdAt))],
          ])
        : h('p', { class: 'muted' }, 'GET /orders/{id} has no record of this order.'),
    );
    renderTimeline(events);
    if (executions.length === 0) {
      statusLine.textContent = 'No saga execution for this order (yet).';
      put(executionTabs);
      put(executionInfo);
      put(executionData);
      graphHost.replaceChildren();
      put(details);
      put(statesBody);
      return;
    }
    const execution = executions.find((e) => e.name === chosenExecution) ?? executions[executions.length - 1];
    if (!execution) return;
    put(
      executionTabs,
      ...(executions.length > 1
        ? executions.map((e) =>
            h(
              'button',
              {
                type: 'button',
                class: 'tab',
                'aria-pressed': e === execution ? 'true' : 'false',
                onclick: () => {
                  chosenExecution = e.name;
                  selected = undefined;
                  updateHash();
                  void render();
                },
              },
              e.name.endsWith('-cancel') ? 'Cancellation' : 'Checkout',
              ' ',
              badge(e.status, `exec-${e.status.toLowerCase()}`),
            ),
          )
        : []),
    );
    renderExecution(execution);
    const { graph, definition } = await machine(execution.stateMachine);
    const layout = await layoutGraph(execution.stateMachine, graph);
    if (disposed) return;
    const outcomes = classify(graph, execution.states);
    if (selected === undefined || !outcomes.has(selected)) {
      // Like the console after a failure: show the state that failed (or was caught) first.
      const failing = [...outcomes].find(([, o]) => o.outcome === 'failed' || o.outcome === 'caught');
      selected = failing?.[0];
    }
    const focused = document.activeElement?.getAttribute('data-state');
    const svg = drawGraph({
      machine: shortName(execution.stateMachine),
      graph,
      layout,
      outcomes,
      taken: takenEdges(graph, execution.states, execution.status),
      selected,
      onSelect: (name) => {
        selected = name;
        updateHash();
        void render();
      },
    });
    graphHost.replaceChildren(svg);
    graphHost.dataset.execution = execution.name;
    graphHost.dataset.status = execution.status;
    if (focused)
      /** @type {HTMLElement | null} */ (svg.querySelector(`[data-state="${CSS.escape(focused)}"]`))?.focus();
    put(legendHost, legend(outcomes));
    renderDetails(graph, outcomes, definition);
    renderStates(graph, outcomes, execution.states);
    statusLine.textContent = execution.status === 'RUNNING' ? 'The saga is running; this page follows it live.' : '';
    statusLine.hidden = statusLine.textContent === '';
  }

  /** @param {ExecutionDetail} e */
  function renderExecution(e) {
    put(
      executionInfo,
      facts([
        ['Execution', e.name === orderId ? undefined : h('code', {}, e.name)],
        ['Status', badge(e.status, `exec-${e.status.toLowerCase()}`)],
        ['State machine', h('span', { title: e.stateMachine }, shortName(e.stateMachine))],
        ['Started', h('span', { title: dateTime(e.startDate) }, clock(e.startDate))],
        ['Duration', e.durationMs === null ? undefined : duration(e.durationMs)],
        ['Error', e.error ?? undefined],
        ['Cause', e.cause ? causeMessage(e.cause) : undefined],
      ]),
    );
    put(
      executionData,
      e.notes.length
        ? h(
            'ul',
            { class: 'notes', 'aria-label': 'Notes' },
            e.notes.map((n) => h('li', {}, n)),
          )
        : null,
      h('div', { class: 'json-row' }, jsonBlock('Execution input', e.input), jsonBlock('Execution output', e.output)),
    );
  }

  /**
   * @param {SagaGraph} graph @param {Map<string, { outcome: Outcome, visits: StateView[] }>} outcomes
   * @param {Record<string, any>} definition
   */
  function renderDetails(graph, outcomes, definition) {
    if (!selected) {
      put(details, h('p', { class: 'muted' }, 'Select a state in the graph to see its input, output and timing.'));
      return;
    }
    const node = graph.nodes.find((n) => n.id === selected);
    const info = outcomes.get(selected);
    if (!node || !info) return;
    const last = info.visits[info.visits.length - 1];
    const retries = info.visits.flatMap((v) => v.retries);
    put(
      details,
      h(
        'h3',
        {},
        selected,
        ' ',
        h('span', { class: `pill outcome-${info.outcome}`, 'data-outcome': info.outcome }, outcomeText(info.outcome)),
      ),
      h('p', { class: 'muted' }, `${node.type} state${node.compensation ? ' · compensation' : ''}`),
      last
        ? facts([
            ['Entered', clock(last.enteredAt)],
            ['Exited', last.exitedAt ? clock(last.exitedAt) : 'not yet'],
            ['Duration', duration(last.durationMs)],
            ['Visits', info.visits.length > 1 ? String(info.visits.length) : undefined],
            ['Error', last.error],
            ['Cause', last.cause ? causeMessage(last.cause) : undefined],
          ])
        : h('p', {}, 'Not reached in this execution.'),
      retries.length
        ? h(
            'div',
            { class: 'retries' },
            h('h4', {}, `Retries (${retries.length})`),
            h(
              'ol',
              {},
              retries.map((r) =>
                h('li', {}, h('strong', {}, r.error), ` at ${clock(r.failedAt)}: ${causeMessage(r.cause)}`),
              ),
            ),
          )
        : null,
      last ? jsonBlock('Input', last.input, true) : null,
      last && last.output !== undefined ? jsonBlock('Output', last.output, true) : null,
      last?.cause && causeMessage(last.cause) !== last.cause ? jsonBlock('Full cause', JSON.parse(last.cause)) : null,
      jsonBlock('Definition', definition.States?.[selected]),
    );
  }

  /**
   * @param {SagaGraph} graph @param {Map<string, { outcome: Outcome, visits: StateView[] }>} outcomes
   * @param {StateView[]} views
   */
  function renderStates(graph, outcomes, views) {
    const notReached = graph.nodes.filter((n) => !n.terminal && outcomes.get(n.id)?.outcome === 'not-reached');
    const outcomeCell = (/** @type {string} */ name) => {
      const outcome = outcomes.get(name)?.outcome ?? 'not-reached';
      return h('td', {}, h('span', { class: `pill outcome-${outcome}` }, outcomeText(outcome)));
    };
    const select = (/** @type {string} */ name) =>
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => {
            selected = name;
            updateHash();
            void render().then(() => document.getElementById('graph')?.scrollIntoView({ block: 'nearest' }));
          },
        },
        name,
      );
    put(
      statesBody,
      ...views.map((v) =>
        h(
          'tr',
          { 'data-state': v.name, 'data-outcome': outcomes.get(v.name)?.outcome ?? '' },
          h('td', {}, select(v.name)),
          h('td', {}, v.type),
          outcomeCell(v.name),
          h('td', { class: 'mono' }, clock(v.enteredAt)),
          h('td', { class: 'num' }, duration(v.durationMs)),
          h('td', { class: 'num' }, v.retries.length || ''),
          h('td', {}, v.error ?? ''),
        ),
      ),
      ...notReached.map((n) =>
        h(
          'tr',
          { 'data-state': n.id, 'data-outcome': 'not-reached', class: 'dim' },
          h('td', {}, select(n.id)),
          h('td', {}, n.type),
          outcomeCell(n.id),
          h('td', {}, '—'),
          h('td', {}, ''),
          h('td', {}, ''),
          h('td', {}, ''),
        ),
      ),
    );
  }

  /** @param {LoggedEvent[]} events */
  function renderTimeline(events) {
    // In the order things happened: the envelope's time (the state change), else when the bus received the event.
    const timeOf = (/** @type {LoggedEvent} */ e) =>
      typeof e.detail?.time === 'string' ? e.detail.time : e.receivedAt;
    const sorted = [...events].sort(
      (a, b) => timeOf(a).localeCompare(timeOf(b)) || a.receivedAt.localeCompare(b.receivedAt),
    );
    timelineCount.textContent = `(${sorted.length})`;
    if (sorted.length === 0) {
      put(timelineBody, h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No events yet.')));
      return;
    }
    put(
      timelineBody,
      ...sorted.map((e) => {
        const isStatus = e.source === 'aws.states';
        const envelopeId = typeof e.detail?.id === 'string' ? e.detail.id : undefined;
        return h(
          'tr',
          { 'data-event-type': e.detailType },
          h('td', { class: 'mono', title: `received by ${e.bus} at ${e.receivedAt}` }, clock(timeOf(e))),
          h(
            'td',
            {},
            h('strong', {}, isStatus ? `Execution ${e.detail?.status ?? ''}` : e.detailType),
            h('div', { class: 'muted small' }, `${e.source} · ${e.bus}`),
            e.detail?.data?.reason ? h('div', { class: 'small' }, `reason ${e.detail.data.reason}`) : null,
            e.detail?.data?.declineCode ? h('div', { class: 'small' }, `decline ${e.detail.data.declineCode}`) : null,
          ),
          h('td', { class: 'mono small' }, isStatus ? (e.detail?.name ?? '') : (e.subject ?? '')),
          h('td', { class: 'num' }, e.detail?.sequence ?? '—'),
          h('td', { class: 'mono small', title: `EventBridge id ${e.id}` }, envelopeId ?? e.id),
          h(
            'td',
            {},
            e.deliveries.length === 0
              ? h('span', { class: 'muted' }, 'no rule matched')
              : h(
                  'ul',
                  { class: 'consumers' },
                  e.deliveries.map((d) =>
                    h(
                      'li',
                      { title: `${d.rule} → ${d.targetArn}${d.error ? `\n${d.error.code}: ${d.error.message}` : ''}` },
                      h(
                        'span',
                        { class: 'consumer' },
                        d.targetArn.includes(':function:') ? functionName(d.targetArn) : shortName(d.targetArn),
                      ),
                      ' ',
                      h(
                        'span',
                        { class: 'delivery' },
                        badge(d.outcome, `delivery-${d.outcome}`),
                        ` ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`,
                      ),
                      d.error ? h('div', { class: 'small error-text' }, `${d.error.code}: ${d.error.message}`) : null,
                    ),
                  ),
                ),
          ),
        );
      }),
    );
  }

  const refreshSoon = throttle(refresh, 120);
  void refresh();

  return {
    title: `Order ${orderId}`,
    /** @param {import('../live.js').Change[]} changes */
    onChanges(changes) {
      if (changes.some((c) => concernsOrder(c, orderId))) refreshSoon();
    },
    refresh,
    dispose() {
      disposed = true;
    },
  };
}

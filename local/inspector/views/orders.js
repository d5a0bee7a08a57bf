/**
 * Orders: the most recent orders (one row per order, from the Step Functions executions, which are named after the
 * order), with the order's status and reason from `GET /orders/{id}`, its saga's status and its age. Live: the rows
 * of orders whose execution changed are fetched again.
 */
import { getJson, getOptional, orderIdOf } from '../api.js';
import { age, badge, dateTime, h, money, throttle } from '../dom.js';

const MAX_ROWS = 50;

/**
 * @typedef {{ name: string, executionArn: string, stateMachine: string, status: string, startDate: string,
 *   stopDate: string | null, error: string | null }} ExecutionSummary
 * @typedef {{ orderId: string, status: string, reason?: string, customerId?: string, totalCents?: number,
 *   currency?: string, createdAt?: string }} Order
 */

/** @param {HTMLElement} root */
export function ordersView(root) {
  /** @type {Map<string, Order | null>} null: no order record (404) */
  const orders = new Map();
  /** @type {Set<string>} orders to fetch again */
  const stale = new Set();
  /** @type {{ orderId: string, executions: ExecutionSummary[] }[]} */
  let rows = [];
  let disposed = false;

  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'data orders' },
    h('caption', { class: 'visually-hidden' }, 'Recent orders, newest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Order', 'Status', 'Reason', 'Customer', 'Total', 'Saga', 'Placed'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    tbody,
  );
  root.append(
    h(
      'section',
      { 'aria-labelledby': 'orders-title' },
      h('h1', { id: 'orders-title' }, 'Orders'),
      h('p', { class: 'lede' }, 'Newest first, one row per order, updated live. Open one to see its saga and events.'),
      status,
      h('div', { class: 'table-wrap' }, table),
    ),
  );

  /** @param {string} orderId */
  async function fetchOrder(orderId) {
    try {
      const order = await getOptional(`/orders/${encodeURIComponent(orderId)}`);
      orders.set(orderId, order ?? null);
    } catch {
      stale.add(orderId);
    }
  }

  async function refresh() {
    try {
      /** @type {{ executions: ExecutionSummary[] }} */
      // Orders have one or two executions each: twice the rows is enough for the newest orders.
      const body = await getJson(`/_local/executions?limit=${MAX_ROWS * 2}`);
      /** @type {Map<string, ExecutionSummary[]>} */
      const byOrder = new Map();
      for (const execution of body.executions) {
        const id = orderIdOf(execution.name);
        const list = byOrder.get(id) ?? [];
        list.push(execution);
        byOrder.set(id, list);
      }
      rows = [...byOrder.entries()].slice(0, MAX_ROWS).map(([orderId, executions]) => ({ orderId, executions }));
      // Fetch what is unknown or changed (the stream says which), a few at a time.
      const todo = rows.map((r) => r.orderId).filter((id) => !orders.has(id) || stale.has(id));
      for (const id of todo) stale.delete(id);
      for (let i = 0; i < todo.length; i += 6) await Promise.all(todo.slice(i, i + 6).map(fetchOrder));
      if (disposed) return;
      status.textContent =
        rows.length === 0
          ? 'No orders yet. Place one with POST /orders (see the README).'
          : `${rows.length} order${rows.length === 1 ? '' : 's'}, newest first`;
      render();
    } catch (error) {
      if (!disposed) status.textContent = `Could not load the executions: ${String(error)}`;
    }
  }

  function render() {
    tbody.replaceChildren(
      ...rows.map(({ orderId, executions }) => {
        const order = orders.get(orderId);
        const first = executions[executions.length - 1];
        const placed = order?.createdAt ?? first?.startDate;
        return h(
          'tr',
          { 'data-order': orderId },
          h('td', {}, h('a', { href: `#/orders/${encodeURIComponent(orderId)}`, class: 'mono' }, orderId)),
          h('td', {}, order ? badge(order.status) : h('span', { class: 'muted' }, order === null ? 'no record' : '…')),
          h('td', {}, order?.reason ?? ''),
          h('td', { class: 'mono' }, order?.customerId ?? ''),
          h('td', { class: 'num' }, order ? money(order.totalCents, order.currency) : ''),
          h(
            'td',
            {},
            executions.map((e) =>
              h(
                'span',
                { class: 'saga' },
                e.name.endsWith('-cancel') ? 'cancel ' : '',
                badge(e.status, `exec-${e.status.toLowerCase()}`),
              ),
            ),
          ),
          h('td', { title: dateTime(placed), 'data-age': placed ?? '' }, age(placed)),
        );
      }),
    );
  }

  const refreshSoon = throttle(refresh, 300);
  const ticker = setInterval(() => {
    for (const cell of tbody.querySelectorAll('td[data-age]')) {
      cell.textContent = age(/** @type {HTMLElement} */ (cell).dataset.age);
    }
  }, 5000);
  void refresh();

  return {
    title: 'Orders',
    /** @param {import('../live.js').Change[]} changes */
    onChanges(changes) {
      let relevant = false;
      for (const change of changes) {
        if (change.kind === 'execution') {
          stale.add(orderIdOf(change.name));
          relevant = true;
        } else if (change.kind === 'event' && change.subject && orders.has(change.subject)) {
          stale.add(change.subject);
          relevant = true;
        }
      }
      if (relevant) refreshSoon();
    },
    /** A full reload (after a reconnect, or each tick while polling): pending orders may have changed unseen. */
    refresh() {
      for (const [id, order] of orders) if (!order || order.status === 'PENDING') stale.add(id);
      return refresh();
    },
    dispose() {
      disposed = true;
      clearInterval(ticker);
    },
  };
}

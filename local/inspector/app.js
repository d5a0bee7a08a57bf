/**
 * The local saga inspector: a hash-routed page over the runtime's `/_local` endpoints.
 *   #/orders                  recent orders, live
 *   #/orders/{id}[?state=X]   one order: its saga drawn from the template's definition, its event timeline
 *   #/dead-letters            DLQs with their messages and a redrive button
 */
import { getJson } from './api.js';
import { throttle } from './dom.js';
import { connectLive } from './live.js';
import { deadLettersView } from './views/dead-letters.js';
import { orderView } from './views/order.js';
import { ordersView } from './views/orders.js';

/** @typedef {{ title: string, onChanges: (c: import('./live.js').Change[]) => void, refresh: () => Promise<void>, dispose: () => void }} View */

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const live = /** @type {HTMLElement} */ (document.getElementById('live'));
const dlqCount = /** @type {HTMLElement} */ (document.getElementById('dlq-count'));

/** @param {number} total */
function showDeadLetterTotal(total) {
  dlqCount.textContent = String(total);
  dlqCount.hidden = total === 0;
  dlqCount.setAttribute('aria-label', `${total} dead letters`);
}

async function refreshDeadLetterTotal() {
  try {
    const body = await getJson('/_local/dlq');
    showDeadLetterTotal(
      body.queues.reduce((/** @type {number} */ n, /** @type {any} */ q) => n + q.messages.length, 0),
    );
  } catch {
    // The count is a hint; the view itself reports errors.
  }
}
const refreshDeadLetterTotalSoon = throttle(refreshDeadLetterTotal, 300);

/** @type {View | undefined} */
let current;

function route() {
  current?.dispose();
  const [path = '', query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  main.replaceChildren();
  let section = 'orders';
  if (parts[0] === 'orders' && parts[1]) current = orderView(main, parts[1], new URLSearchParams(query));
  else if (parts[0] === 'dead-letters') {
    section = 'dead-letters';
    current = deadLettersView(main, showDeadLetterTotal);
  } else current = ordersView(main);
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.getAttribute('data-nav') === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${current.title} · Saga inspector`;
  main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', route);
connectLive({
  onChanges: (changes) => {
    current?.onChanges(changes);
    if (changes.some((c) => c.kind === 'queue')) refreshDeadLetterTotalSoon();
  },
  onRefresh: () => {
    void current?.refresh();
    void refreshDeadLetterTotal();
  },
  onStatus: (state, text) => {
    live.dataset.live = state;
    live.textContent = text;
  },
});
route();
void refreshDeadLetterTotal();

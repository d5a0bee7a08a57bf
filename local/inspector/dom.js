/** Small DOM and formatting helpers for the inspector (no framework). */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * @param {Element} el
 * @param {Record<string, unknown>} attrs `on<event>` keys take listeners; `false`/`null`/`undefined` values are skipped.
 * @param {(Child | Child[])[]} children
 */
function fill(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function')
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'number' ? String(child) : child);
  }
  return el;
}

/**
 * Creates an HTML element.
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  return /** @type {HTMLElement} */ (fill(document.createElement(tag), attrs, children));
}

/**
 * Creates an SVG element.
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {SVGElement}
 */
export function s(tag, attrs = {}, ...children) {
  return /** @type {SVGElement} */ (fill(document.createElementNS(SVG_NS, tag), attrs, children));
}

/**
 * Replaces the children of `el`, skipping null, undefined and false (which `replaceChildren` would print).
 * @param {Element} el
 * @param {...(Child | Child[])} children
 */
export function put(el, ...children) {
  el.replaceChildren();
  fill(el, {}, children);
}

/** @param {unknown} value */
export function pretty(value) {
  if (value === undefined) return '—';
  return JSON.stringify(value, null, 2);
}

/** @param {string | null | undefined} iso */
export function clock(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const pad = (/** @type {number} */ n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** @param {string | null | undefined} iso */
export function dateTime(iso) {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }) : '—';
}

/** "4 s", "12 min", "3 h", "2 d" since the time. @param {string | null | undefined} iso */
export function age(iso) {
  if (!iso) return '—';
  const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

/** @param {number | null | undefined} ms */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

/** @param {number | undefined} cents @param {string | undefined} currency */
export function money(cents, currency) {
  if (typeof cents !== 'number') return '—';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency ?? 'EUR' }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency ?? ''}`;
  }
}

/**
 * A CDK-generated name made readable: the last dash-separated part without its 8-character hash
 * (`Commerce-dev-Stateless-SubscriptionsOrderNotifierAA85F6BE` → `SubscriptionsOrderNotifier`).
 * @param {string} name
 */
export function shortName(name) {
  const last = name.split(/[-:/]/).filter(Boolean).pop() ?? name;
  return last.replace(/[0-9A-F]{8}$/, '') || last;
}

/** The function of a Lambda ARN, qualifier dropped, made readable. @param {string} arn */
export function functionName(arn) {
  return shortName(/:function:([^:]+)/.exec(arn)?.[1] ?? arn);
}

/** A status badge; `kind` picks the colour. @param {string} text @param {string} [kind] */
export function badge(text, kind = text.toLowerCase()) {
  return h('span', { class: `badge badge-${kind}` }, text);
}

/**
 * Runs `fn` `ms` after the first call, then at most once per `ms` while calls keep coming (a busy runtime sends
 * changes continuously: a debounce would never fire), and never twice at once when `fn` is async.
 * @param {() => unknown} fn
 * @param {number} ms
 * @returns {() => void}
 */
export function throttle(fn, ms) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let again = false;
  const run = async () => {
    again = false;
    try {
      await fn();
    } finally {
      timer = again ? setTimeout(run, ms) : undefined;
    }
  };
  return () => {
    if (timer) again = true;
    else timer = setTimeout(run, ms);
  };
}

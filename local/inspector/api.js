/** The runtime's JSON endpoints (same origin: the page is served on the API port). */

export class HttpError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** @param {Response} response */
async function body(response) {
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const message = parsed?.error?.message ?? parsed?.message ?? `${response.status} ${response.statusText}`;
    throw new HttpError(response.status, message);
  }
  return parsed;
}

/** @param {string} path @returns {Promise<any>} */
export async function getJson(path) {
  return body(await fetch(path, { headers: { accept: 'application/json' } }));
}

/** Like getJson, but undefined on 404. @param {string} path @returns {Promise<any>} */
export async function getOptional(path) {
  try {
    return await getJson(path);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) return undefined;
    throw error;
  }
}

/** @param {string} path @returns {Promise<any>} */
export async function postJson(path) {
  return body(await fetch(path, { method: 'POST', headers: { accept: 'application/json' } }));
}

/** Executions are named after the order (`<orderId>`, `<orderId>-cancel` for a customer's cancellation). */
export const orderIdOf = (/** @type {string} */ executionName) => executionName.replace(/-cancel$/, '');

/** The execution names an order can have. @param {string} orderId */
export const executionNamesOf = (orderId) => [orderId, `${orderId}-cancel`];

/**
 * The event log query for an order's whole story: its own events (subject = order id), its payment's
 * (`pay_<orderId>`), its notifications (`<orderId>#<type>`) and its executions' status changes (by ARN).
 * @param {string} orderId @param {string[]} executionArns
 */
export function orderEventsPath(orderId, executionArns) {
  const q = new URLSearchParams();
  q.append('subject', orderId);
  q.append('subject', `pay_${orderId}`);
  q.append('subjectPrefix', `${orderId}#`);
  for (const arn of executionArns) q.append('resource', arn);
  return `/_local/events?${q}`;
}

/**
 * Whether a change of the stream concerns the order.
 * @param {import('./live.js').Change} change @param {string} orderId
 */
export function concernsOrder(change, orderId) {
  if (change.kind === 'execution') return orderIdOf(change.name) === orderId;
  if (change.kind === 'event') {
    const subject = change.subject ?? '';
    return (
      subject === orderId ||
      subject === `pay_${orderId}` ||
      subject.startsWith(`${orderId}#`) ||
      change.resources.some((r) => r.endsWith(`:${orderId}`) || r.endsWith(`:${orderId}-cancel`))
    );
  }
  return false;
}
